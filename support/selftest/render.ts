/** The self-test's matrix as text: for the terminal and for reports/selftest.md. */
import { CELL_GLYPHS, CELL_LEGEND, type ProfileVerdict, type SelftestVerdict } from "./matrix";

const CLEAN_GLYPHS = { passed: "✓", failed: "✗", skipped: "–" } as const;

export function seconds(ms: number): string {
  return ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`
    : `${(ms / 1000).toFixed(1)}s`;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function cellOf(profile: ProfileVerdict, req: string): string {
  const cell = profile.cells[req];
  if (cell) return CELL_GLYPHS[cell.state];
  return profile.error && profile.expected.includes(req) ? CELL_GLYPHS.error : " ";
}

function profileLine(p: ProfileVerdict): { detected: string; cause: string; caught: string; said: string } {
  return {
    detected: p.error ? "ERROR" : p.untestable ? "n/a" : p.detected ? "yes" : "NO",
    cause: p.error || p.untestable ? "-" : p.causeNamed ? "yes" : "NO",
    caught: p.error ? "-" : p.caughtBy.join(", ") || "nothing",
    said: p.error ?? (p.quote ? `${p.quote.req}: ${p.quote.message}` : p.unnamedCauses.join(" ")),
  };
}

export function renderTerminal(verdict: SelftestVerdict, timing: { wallMs: number; jobs: number }): string {
  const out: string[] = [];
  const reqWidth = Math.max(11, ...verdict.scenarios.map((s) => s.req.length));
  const nameWidth = 44;
  const numbers = verdict.profiles.map((_, i) => String(i + 1).padStart(2));
  out.push(`${"requirement".padEnd(reqWidth)}  ${"scenario".padEnd(nameWidth)}  clean ${numbers.join(" ")}`);
  for (const row of verdict.scenarios) {
    const clean = row.clean ? CLEAN_GLYPHS[row.clean] : " ";
    const cells = verdict.profiles.map((p) => cellOf(p, row.req).padStart(2));
    out.push(
      `${row.req.padEnd(reqWidth)}  ${cut(row.name, nameWidth).padEnd(nameWidth)}    ${clean}  ${cells.join(" ")}`,
    );
  }
  out.push("", ...CELL_LEGEND.map((l) => `  ${l}`), "");
  const nameCol = Math.max(7, ...verdict.profiles.map((p) => p.label.length));
  out.push(
    ` #  ${"profile".padEnd(nameCol)}  detected  cause  ${"caught by".padEnd(22)}  time    what the failure said`,
  );
  verdict.profiles.forEach((p, i) => {
    const l = profileLine(p);
    out.push(
      `${String(i + 1).padStart(2)}  ${p.label.padEnd(nameCol)}  ${l.detected.padEnd(8)}  ${l.cause.padEnd(5)}  ${cut(l.caught, 22).padEnd(22)}  ${seconds(p.durationMs).padStart(6)}  ${cut(l.said, 110)}`,
    );
  });
  out.push("");
  const errors = verdict.gaps.filter((g) => g.severity === "error");
  const warnings = verdict.gaps.filter((g) => g.severity === "warning");
  if (verdict.gaps.length === 0) out.push("Gaps: none.");
  for (const g of errors) out.push(`GAP  ${g.detail}`);
  for (const g of warnings) out.push(`note ${g.detail}`);
  out.push(
    "",
    `clean run: ${verdict.clean.passed} passed, ${verdict.clean.failed} failed, ${verdict.clean.skipped} skipped (${seconds(verdict.clean.durationMs)})`,
    `${verdict.ok ? "PASS" : "FAIL"}: ${summaryLine(verdict)}; total ${seconds(timing.wallMs)} (${timing.jobs} runs at a time)`,
  );
  return `${out.join("\n")}\n`;
}

export function summaryLine(verdict: SelftestVerdict): string {
  const detected = verdict.profiles.filter((p) => p.detected && p.causeNamed).length;
  const catching = verdict.scenarios.filter((s) => s.catches.length > 0).length;
  const coverage =
    verdict.mode === "full" ? `, ${catching} of ${verdict.scenarios.length} scenarios catch a profile` : "";
  return `${detected} of ${verdict.profiles.length} profiles detected with their cause named${coverage}`;
}

function md(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

export function renderMarkdown(
  verdict: SelftestVerdict,
  timing: { wallMs: number; jobs: number; startedAt: string },
): string {
  const out: string[] = [];
  out.push(
    "# Self-test: does the spec have teeth?",
    "",
    `${verdict.ok ? "**PASS**" : "**FAIL**"}: ${summaryLine(verdict)}. Mode: ${verdict.mode}. Started ${timing.startedAt}, took ${seconds(timing.wallMs)} (${timing.jobs} runs at a time).`,
    "",
    "The spec ran against the clean emulator (every scenario must pass) and against each fault profile of",
    "`emulator/faults/` (the scenarios declared to catch it must fail, and say why).",
    "",
    "## Matrix",
    "",
    `| requirement | scenario | clean | ${verdict.profiles.map((_, i) => String(i + 1)).join(" | ")} |`,
    `|---|---|:-:|${verdict.profiles.map(() => ":-:").join("|")}|`,
  );
  for (const row of verdict.scenarios) {
    const clean = row.clean ? CLEAN_GLYPHS[row.clean] : "";
    const cells = verdict.profiles.map((p) => cellOf(p, row.req).trim());
    out.push(`| ${row.req} | ${md(row.name)} | ${clean} | ${cells.join(" | ")} |`);
  }
  out.push("", ...CELL_LEGEND.map((l) => `- ${l}`), "", "## Profiles", "");
  out.push("| # | profile | detected | cause named | caught by | time | what the failure said |");
  out.push("|--:|---|:-:|:-:|---|--:|---|");
  verdict.profiles.forEach((p, i) => {
    const l = profileLine(p);
    out.push(
      `| ${i + 1} | \`${p.label}\`: ${md(p.summary)} | ${l.detected} | ${l.cause} | ${l.caught} | ${seconds(p.durationMs)} | ${md(cut(l.said, 300))} |`,
    );
  });
  out.push("", "## Gaps", "");
  if (verdict.gaps.length === 0)
    out.push("None: every profile is caught with its cause named, every scenario catches one.");
  for (const g of verdict.gaps) out.push(`- **${g.severity}** (${g.kind}): ${md(g.detail)}`);
  out.push(
    "",
    `Clean run: ${verdict.clean.passed} passed, ${verdict.clean.failed} failed, ${verdict.clean.skipped} skipped in ${seconds(verdict.clean.durationMs)}.`,
    "",
  );
  return out.join("\n");
}
