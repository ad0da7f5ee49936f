/**
 * The self-test's verdict, from the message streams of the clean run and of one run per fault profile:
 * which scenarios caught which profile, whether their failure named the profile's cause, and the gaps
 * (profiles nothing caught, causes never named, scenarios that catch nothing, clean failures). Pure: the
 * runner feeds it parsed streams; the unit tests feed it synthetic ones.
 */
import { firstLine, type RunMessages, type ScenarioResult, type ScenarioStatus } from "./messages";

/** What a profile declares (emulator/faults): who must catch it and what the failure must say. */
export interface ProfileExpectation {
  name: string;
  summary: string;
  caughtBy: readonly string[];
  controls: readonly string[];
  cause: readonly RegExp[];
}

/** One child run: a profile's (or the clean emulator's) scenarios. */
export interface RunOutcome {
  /** The CLI's exit status (null: killed). */
  exitCode: number | null;
  durationMs: number;
  /** The parsed message stream; absent when the run wrote none. */
  messages?: RunMessages;
  /** Why the run produced no verdict (could not start, killed, no stream), with the log to read. */
  error?: string;
}

export interface ProfileRun extends RunOutcome {
  profile: ProfileExpectation;
  /** As passed to --fault. */
  label: string;
}

/**
 * One cell of the matrix.
 * caught: a declared catcher failed and its message names the cause; caught-unnamed: it failed, but its
 * message matches none of the cause patterns; missed: a declared catcher passed; passed: a control passed;
 * unexpected: a scenario not declared as a catcher failed; skipped; error: the run had no verdict.
 */
export type CellState =
  | "caught"
  | "caught-unnamed"
  | "missed"
  | "passed"
  | "unexpected"
  | "skipped"
  | "error";

export interface Cell {
  state: CellState;
  /** The failing step and the first line of its message. */
  step?: string;
  message?: string;
}

export interface ProfileVerdict {
  name: string;
  label: string;
  summary: string;
  expected: string[];
  controls: string[];
  exitCode: number | null;
  durationMs: number;
  /** Some scenario failed under the profile. */
  detected: boolean;
  /** Every cause pattern matched the message of a failing scenario. */
  causeNamed: boolean;
  /** Scenarios that failed (declared or not). */
  caughtBy: string[];
  missed: string[];
  unexpected: string[];
  /** Cause patterns no failure message matched. */
  unnamedCauses: string[];
  /** Nothing failed because every declared scenario was skipped (a capability this machine lacks). */
  untestable: boolean;
  /** A failure that names the cause, to quote: scenario and message's first line. */
  quote?: { req: string; message: string };
  cells: Record<string, Cell>;
  error?: string;
}

export interface ScenarioRow {
  req: string;
  name: string;
  uri: string;
  /** An audit (read-only) scenario rather than a behaviour one (`@audit`). */
  audit: boolean;
  clean?: ScenarioStatus;
  /** Profiles this scenario caught (it failed under them and was declared to). */
  catches: string[];
  /** Profiles that declare this scenario as a catcher. */
  declaredBy: string[];
}

export type GapKind =
  | "clean-failure"
  | "clean-error"
  | "run-error"
  | "undetected"
  | "cause-not-named"
  | "uncaught-scenario"
  | "unknown-scenario"
  | "missed"
  | "untestable"
  | "unexpected-failure";

export interface Gap {
  /** Errors fail the self-test; warnings are listed. */
  severity: "error" | "warning";
  kind: GapKind;
  profile?: string;
  req?: string;
  detail: string;
}

export interface SelftestVerdict {
  /** full: every profile and the whole spec, so coverage (every scenario catches something) is judged. */
  mode: "full" | "subset";
  clean: RunOutcome & { passed: number; failed: number; skipped: number };
  scenarios: ScenarioRow[];
  profiles: ProfileVerdict[];
  gaps: Gap[];
  ok: boolean;
}

export function judgeProfile(run: ProfileRun): ProfileVerdict {
  const { profile } = run;
  const expected = [...profile.caughtBy];
  const controls = [...profile.controls];
  const base = {
    name: profile.name,
    label: run.label,
    summary: profile.summary,
    expected,
    controls,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
  };
  if (!run.messages || run.error) {
    const cells = Object.fromEntries(expected.map((req) => [req, { state: "error" as const }]));
    return {
      ...base,
      detected: false,
      causeNamed: false,
      caughtBy: [],
      missed: [],
      unexpected: [],
      unnamedCauses: profile.cause.map(String),
      untestable: false,
      cells,
      error: run.error ?? "the run wrote no message stream",
    };
  }
  const results = run.messages.scenarios;
  const failures = results.filter((r) => r.status === "failed");
  const names = (r: ScenarioResult) => profile.cause.some((pattern) => pattern.test(r.message ?? ""));
  const cells: Record<string, Cell> = {};
  for (const r of results) {
    const declared = expected.includes(r.req);
    const state: CellState =
      r.status === "skipped"
        ? "skipped"
        : r.status === "passed"
          ? declared
            ? "missed"
            : "passed"
          : !declared
            ? "unexpected"
            : names(r)
              ? "caught"
              : "caught-unnamed";
    cells[r.req] = {
      state,
      ...(r.step && { step: r.step }),
      ...(r.message && { message: firstLine(r.message) }),
    };
  }
  const unnamedCauses = profile.cause
    .filter((pattern) => !failures.some((r) => pattern.test(r.message ?? "")))
    .map(String);
  const quoted = failures.find((r) => expected.includes(r.req) && names(r)) ?? failures.find(names);
  return {
    ...base,
    detected: failures.length > 0,
    causeNamed: failures.length > 0 && unnamedCauses.length === 0,
    caughtBy: failures.map((r) => r.req),
    missed: expected.filter(
      (req) => cells[req]?.state !== "caught" && cells[req]?.state !== "caught-unnamed",
    ),
    unexpected: failures.filter((r) => !expected.includes(r.req)).map((r) => r.req),
    unnamedCauses,
    untestable: failures.length === 0 && expected.every((req) => cells[req]?.state === "skipped"),
    ...(quoted && { quote: { req: quoted.req, message: causeLine(quoted.message ?? "", profile.cause) } }),
    cells,
  };
}

/**
 * The whole verdict. In full mode the clean run covers the whole spec, and every scenario must catch at
 * least one profile; in subset mode only the profiles run are judged.
 */
export function judgeSelftest(
  clean: RunOutcome,
  runs: readonly ProfileRun[],
  mode: "full" | "subset",
): SelftestVerdict {
  const gaps: Gap[] = [];
  const cleanResults = clean.messages?.scenarios ?? [];
  const count = (status: ScenarioStatus) => cleanResults.filter((r) => r.status === status).length;
  if (!clean.messages || clean.error) {
    gaps.push({
      severity: "error",
      kind: "clean-error",
      detail: `the clean run produced no verdict: ${clean.error ?? "no message stream"}`,
    });
  }
  for (const r of cleanResults.filter((r) => r.status === "failed")) {
    gaps.push({
      severity: "error",
      kind: "clean-failure",
      req: r.req,
      detail: `${r.req} fails on the clean emulator: ${firstLine(r.message ?? "")}`,
    });
  }

  const profiles = runs.map(judgeProfile);
  for (const p of profiles) {
    if (p.error) {
      gaps.push({ severity: "error", kind: "run-error", profile: p.name, detail: `${p.name}: ${p.error}` });
      continue;
    }
    if (p.untestable) {
      gaps.push({
        severity: "warning",
        kind: "untestable",
        profile: p.name,
        detail: `${p.name} cannot be shown here: ${p.expected.join(", ")} skipped (a capability this machine lacks)`,
      });
      continue;
    }
    if (!p.detected) {
      gaps.push({
        severity: "error",
        kind: "undetected",
        profile: p.name,
        detail: `${p.name} is not detected: ${[...p.expected, ...p.controls].join(", ")} all passed`,
      });
    } else if (!p.causeNamed) {
      gaps.push({
        severity: "error",
        kind: "cause-not-named",
        profile: p.name,
        detail: `${p.name}: no failure message matches ${p.unnamedCauses.join(", ")}`,
      });
    }
    for (const req of p.missed) {
      gaps.push({
        severity: "warning",
        kind: "missed",
        profile: p.name,
        req,
        detail: `${req} is declared to catch ${p.name} but ${p.cells[req]?.state === "skipped" ? "was skipped" : p.cells[req] ? "passed" : "did not run"}`,
      });
    }
    for (const req of p.unexpected) {
      gaps.push({
        severity: "warning",
        kind: "unexpected-failure",
        profile: p.name,
        req,
        detail: `${req} failed under ${p.name} without being declared a catcher: ${p.cells[req]?.message ?? ""}`,
      });
    }
  }

  // Rows: the clean run's scenarios, then any only a profile ran.
  const rows = new Map<string, ScenarioRow>();
  const addRow = (r: ScenarioResult, clean?: ScenarioStatus) => {
    if (!rows.has(r.req)) {
      rows.set(r.req, {
        req: r.req,
        name: r.name,
        uri: r.uri,
        audit: r.tags.includes("@audit"),
        ...(clean && { clean }),
        catches: [],
        declaredBy: [],
      });
    }
  };
  for (const r of cleanResults) addRow(r, r.status);
  for (const run of runs) for (const r of run.messages?.scenarios ?? []) addRow(r);
  for (const p of profiles) {
    for (const [req, cell] of Object.entries(p.cells)) {
      if (cell.state === "caught" || cell.state === "caught-unnamed") rows.get(req)?.catches.push(p.name);
    }
    for (const req of p.expected) rows.get(req)?.declaredBy.push(p.name);
  }

  if (mode === "full") {
    for (const p of profiles) {
      for (const req of [...p.expected, ...p.controls].filter((req) => !rows.has(req))) {
        gaps.push({
          severity: "error",
          kind: "unknown-scenario",
          profile: p.name,
          req,
          detail: `${p.name} names ${req}, which no scenario of the spec carries (@req:${req})`,
        });
      }
    }
    for (const row of rows.values()) {
      if (row.catches.length > 0) continue;
      gaps.push({
        // A scenario skipped here (no Run As without root, say) is listed, not held against the spec.
        severity: row.clean === "skipped" ? "warning" : "error",
        kind: "uncaught-scenario",
        req: row.req,
        detail:
          row.declaredBy.length > 0
            ? `${row.req} caught none of the profiles that declare it (${row.declaredBy.join(", ")})`
            : `${row.req} (${row.name}) catches no fault profile: nothing shows it can fail`,
      });
    }
  }

  return {
    mode,
    clean: { ...clean, passed: count("passed"), failed: count("failed"), skipped: count("skipped") },
    scenarios: [...rows.values()],
    profiles,
    gaps,
    ok: !gaps.some((g) => g.severity === "error"),
  };
}

/**
 * The line of a message that names the cause (the first matching line), else its first line; when that is
 * an assertion's own text followed by node's one-line diff, the actual and expected values are appended.
 */
export function causeLine(message: string, patterns: readonly RegExp[]): string {
  const lines = message.split("\n").map((l) => firstLine(l));
  const line = lines.find((l) => patterns.some((p) => p.test(l))) ?? firstLine(message);
  const diff = /\n\+ actual - expected\n\n\+ (.+)\n- (.+)$/.exec(message.trimEnd());
  // Only for a bare sentence: one that quotes its values already says enough.
  return line === lines[0] && diff && !/["']/.test(line)
    ? `${line} (actual ${diff[1]}, expected ${diff[2]})`
    : line;
}

export const CELL_GLYPHS: Record<CellState, string> = {
  caught: "●",
  "caught-unnamed": "◐",
  missed: "○",
  passed: "·",
  unexpected: "✗",
  skipped: "–",
  error: "?",
};

export const CELL_LEGEND = [
  "● caught: a declared scenario failed and its message names the cause",
  "◐ failed, but the message does not name the cause",
  "○ missed: declared to catch the profile, but passed",
  "· control: passed, as it should",
  "✗ failed without being declared a catcher",
  "– skipped   ? the run failed to produce a verdict   (blank) not run",
];
