/** The CLI's pure parts: argument parsing, the message tally, the summary, redaction. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCommand, UsageError } from "../../support/cli/args";
import { formatDuration, formatSummary } from "../../support/cli/summary";
import { type Envelope, Tally } from "../../support/cli/tally";
import { redact } from "../../support/report/redact";

/** Built at run time so no literal that looks like an AWS access key id sits in the repository. */
const FAKE_KEY_PREFIX = ["AK", "IA"].join("");

describe("parseCommand", () => {
  it("defaults to run on the embedded target", () => {
    const command = parseCommand([]);
    assert.equal(command.kind, "run");
    assert.deepEqual(command.kind === "run" && command.options, {
      target: "embedded",
      tags: undefined,
      name: undefined,
      regions: [],
      profile: undefined,
      instances: [],
      instanceTags: [],
      logGroups: [],
      shard: undefined,
      policyPath: undefined,
      reportDir: "reports",
      history: undefined,
      parallel: 1,
      timeScale: undefined,
      fault: undefined,
      tls: false,
      agent: undefined,
      dryRun: false,
      failFast: false,
    });
  });

  it("takes an explicit run command, repeatable flags and numbers", () => {
    const command = parseCommand([
      "run",
      "--target=aws",
      "--instance",
      "i-0123456789abcdef0",
      "--instance",
      "mi-0123456789abcdef0",
      "--instance-tag",
      "Env=qa",
      "--parallel",
      "3",
      "--fail-fast",
    ]);
    assert.ok(command.kind === "run");
    assert.deepEqual(command.options.instances, ["i-0123456789abcdef0", "mi-0123456789abcdef0"]);
    assert.deepEqual(command.options.instanceTags, ["Env=qa"]);
    assert.equal(command.options.parallel, 3);
    assert.equal(command.options.failFast, true);
  });

  it("--help and --version win over the other flags", () => {
    assert.equal(parseCommand(["--target", "aws", "--help"]).kind, "help");
    assert.equal(parseCommand(["-h"]).kind, "help");
    assert.equal(parseCommand(["--version"]).kind, "version");
  });

  it("--fault names a fault profile of the emulator, for local targets only", () => {
    const command = parseCommand(["--fault", "slow-logs:delayMs=20000"]);
    assert.ok(command.kind === "run");
    assert.equal(command.options.fault, "slow-logs:delayMs=20000");
    assert.throws(() => parseCommand(["--fault", "flaky"]), /--fault: unknown fault profile "flaky"/);
    assert.throws(() => parseCommand(["--fault", "slow-logs:x=1"]), /has no parameter "x"/);
    assert.throws(
      () => parseCommand(["--target", "aws", "--fault", "slow-logs"]),
      /--fault applies to local targets only/,
    );
  });

  it("--tls serves the embedded stack over TLS, and is refused for the other targets", () => {
    const command = parseCommand(["--tls"]);
    assert.ok(command.kind === "run");
    assert.equal(command.options.tls, true);
    for (const target of ["aws", "container"])
      assert.throws(
        () => parseCommand(["--target", target, "--tls"]),
        /--tls applies to --target embedded only/,
      );
  });

  it("--agent picks the container target's agent, for that target only", () => {
    const command = parseCommand(["--target", "container", "--agent", "amazon"]);
    assert.ok(command.kind === "run");
    assert.equal(command.options.agent, "amazon");
    assert.throws(() => parseCommand(["--agent", "amazon"]), /--agent applies to --target container only/);
    assert.throws(
      () => parseCommand(["--target", "container", "--agent", "ssm"]),
      /unknown agent 'ssm': use emulator or amazon/,
    );
    assert.throws(
      () => parseCommand(["--target", "container", "--agent", "amazon", "--parallel", "2"]),
      /--agent amazon runs one agent container \(it owns 127\.0\.0\.1:443\): use --parallel 1/,
    );
  });

  it("rejects a positional after run", () => {
    assert.throws(() => parseCommand(["run", "features/x.feature"]), UsageError);
  });
});

describe("Tally", () => {
  const envelopes = (...list: object[]) => list as Envelope[];
  const step = (testCaseStartedId: string, status: string) => ({
    testStepFinished: { testCaseStartedId, testStepResult: { status } },
  });

  it("counts each scenario once by its worst step, ignoring attempts that will be retried", () => {
    const tally = new Tally();
    const messages = envelopes(
      { pickle: { id: "p1", uri: "features/a.feature", location: { line: 3 }, name: "A" } },
      { testCase: { id: "c1", pickleId: "p1" } },
      { testCaseStarted: { id: "s1", testCaseId: "c1", attempt: 0 } },
      step("s1", "FAILED"),
      { testCaseFinished: { testCaseStartedId: "s1", willBeRetried: true } },
      { testCaseStarted: { id: "s2", testCaseId: "c1", attempt: 1 } },
      step("s2", "PASSED"),
      { testCaseFinished: { testCaseStartedId: "s2", willBeRetried: false } },
      { testCaseStarted: { id: "s3", testCaseId: "c1", attempt: 0 } },
      step("s3", "SKIPPED"),
      step("s3", "SKIPPED"),
      { testCaseFinished: { testCaseStartedId: "s3", willBeRetried: false } },
      { testCaseStarted: { id: "s4", testCaseId: "c1", attempt: 0 } },
      step("s4", "PASSED"),
      step("s4", "UNDEFINED"),
      { testCaseFinished: { testCaseStartedId: "s4", willBeRetried: false } },
    );
    for (const envelope of messages) tally.onMessage(envelope);
    assert.deepEqual(tally.counts, { passed: 1, failed: 1, skipped: 1 });
    assert.equal(tally.scenarios.length, 3);
    assert.deepEqual(tally.scenarios[0], { location: "features/a.feature:3", name: "A" });
    assert.equal(tally.setupFailure, undefined);
  });

  it("records why a BeforeAll hook failed, not an AfterAll", () => {
    const tally = new Tally();
    const hookFinished = (id: string, message: string) => ({
      testRunHookFinished: { testRunHookStartedId: id, result: { status: "FAILED", exception: { message } } },
    });
    const messages = envelopes(
      { hook: { id: "h1", type: "BEFORE_TEST_RUN" } },
      { hook: { id: "h2", type: "AFTER_TEST_RUN" } },
      { testRunHookStarted: { id: "r2", hookId: "h2" } },
      hookFinished("r2", "dispose failed"),
      { testRunHookStarted: { id: "r1", hookId: "h1" } },
      hookFinished("r1", "listen EADDRINUSE 127.0.0.1\n    at Server.listen"),
    );
    for (const envelope of messages) tally.onMessage(envelope);
    assert.equal(tally.setupFailure, "listen EADDRINUSE 127.0.0.1");
  });
});

describe("summary", () => {
  it("formats wall time", () => {
    assert.equal(formatDuration(1234), "1.2s");
    assert.equal(formatDuration(125_000), "2m05s");
    assert.equal(formatDuration(3_723_000), "1h02m03s");
  });

  it("lists the target, counts, reports and, on a dry run, the scenarios aligned", () => {
    const text = formatSummary({
      target: "embedded",
      counts: { passed: 2, failed: 1, skipped: 0 },
      wallMs: 1500,
      reports: ["/abs/cucumber.html", "/abs/junit.xml"],
      dryRun: true,
      interrupted: false,
      scenarios: [
        { location: "features/a.feature:3", name: "A" },
        { location: "features/bb.feature:12", name: "B" },
      ],
    });
    assert.match(text, /^ {2}features\/a\.feature:3 {4}A$/m);
    assert.match(text, /^ {2}features\/bb\.feature:12 {2}B$/m);
    assert.match(text, /^ {2}target {5}embedded$/m);
    assert.match(text, /^ {2}scenarios {2}2 passed, 1 failed, 0 skipped$/m);
    assert.match(text, /^ {2}wall time {2}1\.5s$/m);
    assert.match(text, /^ {2}reports {4}\/abs\/cucumber\.html\n {13}\/abs\/junit\.xml$/m);
  });
});

describe("redact", () => {
  it("masks access key ids and token, secret and signature values", () => {
    const text = redact(
      `${FAKE_KEY_PREFIX}ABCDEFGHIJKLMNOP and ASIAABCDEFGHIJKLMNOP; ` +
        "SessionToken=IQoJb3Jp, TokenValue: 'abc.def' " +
        'X-Amz-Signature=deadbeef {"secretAccessKey":"wJalr"}',
    );
    assert.doesNotMatch(text, /AKIAABCD|ASIAABCD|IQoJb3Jp|abc\.def|deadbeef|wJalr/);
    assert.match(text, /SessionToken=\[redacted\]/);
  });

  it("leaves ordinary reasons alone", () => {
    const reason = "listen EADDRINUSE: address already in use 127.0.0.1:4566";
    assert.equal(redact(reason), reason);
  });
});
