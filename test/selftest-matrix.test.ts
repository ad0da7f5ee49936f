/** The self-test's matrix logic (caught, cause named, gaps) on synthetic Cucumber message streams. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  causeLine,
  judgeProfile,
  judgeSelftest,
  type ProfileExpectation,
  type ProfileRun,
} from "../support/selftest/matrix";
import { parseMessages } from "../support/selftest/messages";
import { renderMarkdown, renderTerminal } from "../support/selftest/render";

type Status = "PASSED" | "FAILED" | "SKIPPED";

interface Scenario {
  req?: string;
  name?: string;
  tags?: string[];
  /** One status per step; the default is one passed step. */
  steps?: Status[];
  message?: string;
  /** Earlier attempts that cucumber retried (their statuses). */
  retried?: Status[][];
}

let ids = 0;
const id = () => `id-${++ids}`;
const at = (seconds: number) => ({ seconds, nanos: 0 });

/** A message stream as cucumber writes it, for these scenarios in order. */
function stream(scenarios: Scenario[], options: { beforeAllFails?: string } = {}): string {
  const lines: unknown[] = [{ meta: { protocolVersion: "32.2.0" } }];
  const hookId = id();
  lines.push({ hook: { id: hookId, type: "BEFORE_TEST_RUN" } });
  const hookStarted = id();
  lines.push({ testRunHookStarted: { id: hookStarted, hookId } });
  lines.push({
    testRunHookFinished: {
      testRunHookStartedId: hookStarted,
      result: options.beforeAllFails
        ? { status: "FAILED", message: `Error: ${options.beforeAllFails}\n    at x (y.ts:1:1)` }
        : { status: "PASSED" },
    },
  });
  let clock = 100;
  for (const s of scenarios) {
    const steps = s.steps ?? ["PASSED"];
    const pickle = {
      id: id(),
      uri: "features/x.feature",
      name: s.name ?? `scenario ${s.req}`,
      tags: [...(s.req ? [{ name: `@req:${s.req}` }] : []), ...(s.tags ?? []).map((name) => ({ name }))],
      steps: steps.map((_, i) => ({ id: id(), text: `step ${i + 1}` })),
    };
    const testCase = {
      id: id(),
      pickleId: pickle.id,
      testSteps: pickle.steps.map((p) => ({ id: id(), pickleStepId: p.id })),
    };
    lines.push({ pickle }, { testCase });
    for (const [attempt, statuses] of [...(s.retried ?? []), steps].entries()) {
      const started = id();
      const last = attempt === (s.retried?.length ?? 0);
      lines.push({
        testCaseStarted: { id: started, testCaseId: testCase.id, attempt, timestamp: at(clock) },
      });
      statuses.forEach((status, i) => {
        const failed = status === "FAILED";
        const message = s.message ?? "boom";
        lines.push({
          testStepFinished: {
            testCaseStartedId: started,
            testStepId: testCase.testSteps[i]!.id,
            testStepResult: {
              status,
              ...(failed && {
                message: `AssertionError [ERR_ASSERTION]: ${message}\n    at World.<anonymous> (steps/x.ts:1:1)`,
                exception: { type: "AssertionError", message },
              }),
            },
          },
        });
      });
      clock += 2;
      lines.push({
        testCaseFinished: { testCaseStartedId: started, timestamp: at(clock), willBeRetried: !last },
      });
    }
  }
  return `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
}

const SLOW: ProfileExpectation = {
  name: "slow-logs",
  summary: "late logs",
  caughtBy: ["LOG-01", "ENC-02"],
  controls: ["LIFE-01"],
  cause: [/command \d+ reached the log group after \d+\.\d s, policy allows \d+ s/],
};

function run(
  profile: ProfileExpectation,
  scenarios: Scenario[],
  extra: Partial<ProfileRun> = {},
): ProfileRun {
  return {
    profile,
    label: profile.name,
    exitCode: 1,
    durationMs: 1000,
    messages: parseMessages(stream(scenarios)),
    ...extra,
  };
}

const LATE = "command 3 reached the log group after 16.2 s, policy allows 5 s (stream g/s)";

describe("parseMessages", () => {
  test("reads each scenario's requirement, outcome, failing step and message without the stack", () => {
    const parsed = parseMessages(
      stream([
        { req: "LOG-01", steps: ["PASSED", "FAILED", "SKIPPED"], message: `${LATE}\n+ actual - expected` },
        { req: "LIFE-01" },
        { req: "ENC-03", steps: ["SKIPPED"] },
        { name: "untagged" },
      ]),
    );
    assert.equal(parsed.setupError, undefined);
    assert.deepEqual(
      parsed.scenarios.map((s) => [s.req, s.status, s.step, s.message]),
      [
        ["LOG-01", "failed", "step 2", `${LATE}\n+ actual - expected`],
        ["LIFE-01", "passed", undefined, undefined],
        ["ENC-03", "skipped", undefined, undefined],
        ["untagged", "passed", undefined, undefined],
      ],
    );
    assert.equal(parsed.scenarios[0]!.durationMs, 2000);
  });

  test("a retried scenario counts by its last attempt", () => {
    const parsed = parseMessages(stream([{ req: "LOG-01", retried: [["FAILED"]], steps: ["PASSED"] }]));
    assert.deepEqual(
      parsed.scenarios.map((s) => s.status),
      ["passed"],
    );
  });

  test("a failed BeforeAll is the run's setup error; a truncated last line is ignored", () => {
    const text = stream([], { beforeAllFails: "the emulator did not start" });
    const parsed = parseMessages(`${text}{"testCaseStarted":{"id"`);
    assert.equal(parsed.setupError, "Error: the emulator did not start");
    assert.deepEqual(parsed.scenarios, []);
  });
});

describe("judgeProfile", () => {
  test("caught, with the cause named by a declared scenario; the control passed", () => {
    const verdict = judgeProfile(
      run(SLOW, [
        { req: "LOG-01", steps: ["FAILED"], message: LATE },
        {
          req: "ENC-02",
          steps: ["FAILED"],
          message: "command 1 reached the log group after 16.4 s, policy allows 5 s",
        },
        { req: "LIFE-01" },
      ]),
    );
    assert.equal(verdict.detected, true);
    assert.equal(verdict.causeNamed, true);
    assert.deepEqual(verdict.caughtBy, ["LOG-01", "ENC-02"]);
    assert.deepEqual(verdict.missed, []);
    assert.deepEqual(verdict.unexpected, []);
    assert.deepEqual(verdict.quote, { req: "LOG-01", message: LATE });
    assert.deepEqual(Object.fromEntries(Object.entries(verdict.cells).map(([req, c]) => [req, c.state])), {
      "LOG-01": "caught",
      "ENC-02": "caught",
      "LIFE-01": "passed",
    });
  });

  test("failing for another reason is detected but does not name the cause", () => {
    const verdict = judgeProfile(
      run(SLOW, [
        {
          req: "LOG-01",
          steps: ["FAILED"],
          message: "function timed out, ensure the promise resolves within 60000 milliseconds",
        },
        { req: "ENC-02" },
        { req: "LIFE-01" },
      ]),
    );
    assert.equal(verdict.detected, true);
    assert.equal(verdict.causeNamed, false);
    assert.equal(verdict.cells["LOG-01"]!.state, "caught-unnamed");
    assert.deepEqual(verdict.missed, ["ENC-02"]);
    assert.deepEqual(verdict.unnamedCauses, [String(SLOW.cause[0])]);
  });

  test("every cause pattern must be named by some failure", () => {
    const lax: ProfileExpectation = {
      name: "lax-preferences",
      summary: "",
      caughtBy: ["PREF-01", "PREF-04"],
      controls: [],
      cause: [/idle session timeout is 20 min/, /log streaming is off/],
    };
    const half = judgeProfile(
      run(lax, [
        {
          req: "PREF-01",
          steps: ["FAILED"],
          message: "idle session timeout is 20 min in SSM-SessionManagerRunShell",
        },
        { req: "PREF-04", steps: ["FAILED"], message: "something else" },
      ]),
    );
    assert.equal(half.causeNamed, false);
    assert.deepEqual(half.unnamedCauses, ["/log streaming is off/"]);
  });

  test("nothing failed: not detected, every declared scenario missed; a failing control is unexpected", () => {
    const verdict = judgeProfile(
      run(SLOW, [
        { req: "LOG-01" },
        { req: "ENC-02", steps: ["SKIPPED"] },
        { req: "LIFE-01", steps: ["FAILED"], message: LATE },
      ]),
    );
    assert.equal(verdict.detected, true, "a failing control is still a failure");
    assert.deepEqual(verdict.missed, ["LOG-01", "ENC-02"]);
    assert.deepEqual(verdict.unexpected, ["LIFE-01"]);
    assert.equal(verdict.cells["ENC-02"]!.state, "skipped");
    assert.equal(verdict.cells["LIFE-01"]!.state, "unexpected");

    const none = judgeProfile(run(SLOW, [{ req: "LOG-01" }, { req: "ENC-02" }, { req: "LIFE-01" }]));
    assert.equal(none.detected, false);
    assert.equal(none.causeNamed, false);
  });

  test("a run without a stream is an error, not a pass", () => {
    const verdict = judgeProfile({
      profile: SLOW,
      label: "slow-logs",
      exitCode: 2,
      durationMs: 5,
      error: "could not start",
    });
    assert.equal(verdict.detected, false);
    assert.equal(verdict.error, "could not start");
    assert.equal(verdict.cells["LOG-01"]!.state, "error");
  });
});

test("causeLine quotes the line that names the cause, with node's one-line diff when it has one", () => {
  assert.equal(causeLine("a\nthe cause here\nz", [/cause/]), "the cause here");
  assert.equal(
    causeLine("whoami in the session\n+ actual - expected\n\n+ 'root'\n- 'ssm-runas'", [/whoami/]),
    "whoami in the session (actual 'root', expected 'ssm-runas')",
  );
  assert.equal(causeLine("AssertionError [ERR_ASSERTION]: no match here", [/cause/]), "no match here");
  assert.equal(
    causeLine("still has escape codes: \"x\"\n+ actual - expected\n\n+ '\\x1B[1mx'\n- 'x'", [/escape/]),
    'still has escape codes: "x"',
  );
});

describe("judgeSelftest", () => {
  const clean = (scenarios: Scenario[]) => ({
    exitCode: 0,
    durationMs: 40_000,
    messages: parseMessages(stream(scenarios)),
  });
  const spec: Scenario[] = [
    { req: "LOG-01" },
    { req: "ENC-02" },
    { req: "LIFE-01" },
    { req: "PREF-01", tags: ["@audit"] },
  ];

  test("no gaps: every profile caught with its cause, every scenario catches one", () => {
    const slow = run(SLOW, [
      { req: "LOG-01", steps: ["FAILED"], message: LATE },
      { req: "ENC-02", steps: ["FAILED"], message: LATE },
      { req: "LIFE-01" },
    ]);
    const owner = run(
      {
        name: "wrong-owner",
        summary: "",
        caughtBy: ["LIFE-01", "PREF-01"],
        controls: [],
        cause: [/Owner of/],
      },
      [
        { req: "LIFE-01", steps: ["FAILED"], message: "Owner of s-1 is root, not the caller" },
        { req: "PREF-01", steps: ["FAILED"], message: "Owner of s-1 is root, not the caller" },
      ],
    );
    const verdict = judgeSelftest(clean(spec), [slow, owner], "full");
    assert.deepEqual(verdict.gaps, []);
    assert.equal(verdict.ok, true);
    assert.equal(verdict.clean.passed, 4);
    assert.deepEqual(
      verdict.scenarios.map((s) => [s.req, s.catches, s.audit]),
      [
        ["LOG-01", ["slow-logs"], false],
        ["ENC-02", ["slow-logs"], false],
        ["LIFE-01", ["wrong-owner"], false],
        ["PREF-01", ["wrong-owner"], true],
      ],
    );
  });

  test("gaps are listed: undetected profile, cause not named, uncaught scenario, unknown id, clean failure", () => {
    const undetected = run(
      {
        name: "no-idle-timeout",
        summary: "",
        caughtBy: ["IDLE-01"],
        controls: ["LIFE-01"],
        cause: [/still open/],
      },
      [{ req: "LIFE-01" }],
    );
    const unnamed = run(SLOW, [
      { req: "LOG-01", steps: ["FAILED"], message: "timed out" },
      { req: "ENC-02" },
      { req: "LIFE-01" },
    ]);
    const verdict = judgeSelftest(
      clean([...spec.slice(0, 3), { req: "PREF-01", steps: ["FAILED"], message: "idle 20 min" }]),
      [undetected, unnamed],
      "full",
    );
    assert.equal(verdict.ok, false);
    const errors = verdict.gaps
      .filter((g) => g.severity === "error")
      .map((g) => [g.kind, g.profile ?? g.req]);
    assert.deepEqual(errors, [
      ["clean-failure", "PREF-01"],
      ["undetected", "no-idle-timeout"],
      ["cause-not-named", "slow-logs"],
      ["unknown-scenario", "no-idle-timeout"],
      ["uncaught-scenario", "ENC-02"],
      ["uncaught-scenario", "LIFE-01"],
      ["uncaught-scenario", "PREF-01"],
    ]);
    const warnings = verdict.gaps.filter((g) => g.severity === "warning").map((g) => [g.kind, g.req]);
    assert.deepEqual(warnings, [
      ["missed", "IDLE-01"],
      ["missed", "ENC-02"],
    ]);
    // LOG-01 failed (without naming the cause): it still counts as catching slow-logs.
    assert.deepEqual(verdict.scenarios.find((s) => s.req === "LOG-01")?.catches, ["slow-logs"]);
  });

  test("subset mode judges the profiles run, not coverage; a clean run that did not start is an error", () => {
    const slow = run(SLOW, [
      { req: "LOG-01", steps: ["FAILED"], message: LATE },
      { req: "ENC-02", steps: ["FAILED"], message: LATE },
      { req: "LIFE-01" },
    ]);
    assert.deepEqual(judgeSelftest(clean(spec.slice(0, 3)), [slow], "subset").gaps, []);
    const broken = judgeSelftest({ exitCode: 2, durationMs: 1, error: "exited with 2" }, [slow], "subset");
    assert.deepEqual(
      broken.gaps.map((g) => g.kind),
      ["clean-error"],
    );
    assert.equal(broken.ok, false);
  });

  test("a profile whose catchers were all skipped here is untestable, listed but not a failure", () => {
    const runAs = run(
      {
        name: "run-as-ignored",
        summary: "",
        caughtBy: ["RUNAS-01"],
        controls: ["LIFE-01"],
        cause: [/whoami/],
      },
      [{ req: "RUNAS-01", steps: ["SKIPPED"] }, { req: "LIFE-01" }],
    );
    const slow = run(SLOW, [
      { req: "LOG-01", steps: ["FAILED"], message: LATE },
      { req: "ENC-02", steps: ["FAILED"], message: LATE },
      { req: "LIFE-01", steps: ["FAILED"], message: "Owner of s is x, not the caller" },
    ]);
    const verdict = judgeSelftest(
      clean([...spec.slice(0, 3), { req: "RUNAS-01", steps: ["SKIPPED"] }]),
      [runAs, slow],
      "full",
    );
    assert.equal(verdict.profiles[0]!.untestable, true);
    assert.deepEqual(
      verdict.gaps.map((g) => [g.severity, g.kind, g.profile ?? g.req]),
      [
        ["warning", "untestable", "run-as-ignored"],
        ["warning", "unexpected-failure", "slow-logs"],
        ["error", "uncaught-scenario", "LIFE-01"],
        ["warning", "uncaught-scenario", "RUNAS-01"],
      ],
    );
    assert.match(renderTerminal(verdict, { wallMs: 1, jobs: 1 }), /run-as-ignored +n\/a +- /);
  });

  test("the terminal and Markdown matrices show the cells, the quote and the gaps", () => {
    const slow = run(SLOW, [
      { req: "LOG-01", steps: ["FAILED"], message: LATE },
      { req: "ENC-02" },
      { req: "LIFE-01" },
    ]);
    const verdict = judgeSelftest(clean(spec.slice(0, 3)), [slow], "subset");
    const text = renderTerminal(verdict, { wallMs: 61_000, jobs: 3 });
    assert.match(text, /^LOG-01 +scenario LOG-01 +✓ +●$/m);
    assert.match(text, /^ENC-02 +scenario ENC-02 +✓ +○$/m);
    assert.match(text, /^LIFE-01 +scenario LIFE-01 +✓ +·$/m);
    assert.match(text, /slow-logs +yes +yes +LOG-01 .*LOG-01: command 3 reached the log group after 16\.2 s/);
    assert.match(text, /note ENC-02 is declared to catch slow-logs but passed/);
    assert.match(
      text,
      /PASS: 1 of 1 profiles detected with their cause named; total 1m01s \(3 runs at a time\)/,
    );
    const markdown = renderMarkdown(verdict, { wallMs: 61_000, jobs: 3, startedAt: "2026-01-01T00:00:00Z" });
    assert.match(markdown, /^\| LOG-01 \| scenario LOG-01 \| ✓ \| ● \|$/m);
    assert.match(
      markdown,
      /^\| 1 \| `slow-logs`: late logs \| yes \| yes \| LOG-01 \| 1\.0s \| LOG-01: command 3/m,
    );
    assert.match(markdown, /- \*\*warning\*\* \(missed\): ENC-02 is declared/);
  });
});
