/** The report's pure parts: percentiles, redaction, the stream reader, verdicts, merge, history, schema. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { complianceView } from "../../support/report/compliance";
import { buildConformance } from "../../support/report/conformance";
import {
  appendHistory,
  detectRegression,
  type HistoryEntry,
  historyEntry,
  median,
  readHistory,
  trendOf,
} from "../../support/report/history";
import { measure } from "../../support/report/latency";
import { percentiles } from "../../support/report/percentiles";
import { REDACTED, redact, redactDeep } from "../../support/report/redact";
import {
  ConformanceReportSchema,
  conformanceJsonSchema,
  type RequirementResult,
} from "../../support/report/schema";
import { mergeStreams, readStream } from "../../support/report/stream";
import { messageStream, metadata, mixedRun } from "./report-fixtures";

/** Built at run time so no literal that looks like an AWS access key id sits in the repository. */
const FAKE_KEY_PREFIX = ["AK", "IA"].join("");

const T0 = Date.parse("2026-01-01T00:00:00Z");
const mixed = () => readStream(messageStream(mixedRun("run-a", T0)));
const scratch = mkdtempSync(path.join(tmpdir(), "ssmc-report-units-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("percentiles", () => {
  it("p50, p90, p99, max and count of 1..100", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(percentiles(values), { count: 100, min: 1, p50: 50, p90: 90, p99: 99, max: 100 });
  });

  it("nothing measured: count 0 and no percentiles", () => {
    assert.deepEqual(percentiles([]), { count: 0, min: null, p50: null, p90: null, p99: null, max: null });
  });

  it("keeps signed values signed (early closes, trailing agent clocks)", () => {
    const result = percentiles([-40, -5, 0, 3, 12]);
    assert.equal(result.min, -40);
    assert.equal(result.p50, 0);
    assert.equal(result.max, 12);
    assert.deepEqual(percentiles([-9, -7, -3]), { count: 3, min: -9, p50: -7, p90: -3, p99: -3, max: -3 });
  });

  it("is within HdrHistogram's 0.1% above 2,048 and never above the maximum", () => {
    const values = [1385, 6184, 123_456, 98_765, 250_001];
    const result = percentiles(values);
    assert.equal(result.max, 250_001);
    assert.ok(result.p99! <= result.max!);
    assert.ok(Math.abs(result.p50! - 98_765) / 98_765 < 0.001, `p50 ${result.p50}`);
  });
});

describe("redact", () => {
  const secrets = {
    accessKey: `${FAKE_KEY_PREFIX}IOSFODNN7EXAMPLE`,
    tempKey: "ASIAQWERTYUIOPASDFGH",
    secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ",
    signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
  };

  it("masks credentials, tokens, signatures and URL query strings wherever they appear", () => {
    const text = [
      `key ${secrets.accessKey} and ${secrets.tempKey}`,
      `unlabelled secret ${secrets.secretKey} and token ${secrets.sessionToken}`,
      `Authorization: AWS4-HMAC-SHA256 Credential=${secrets.accessKey}/20260101/us-east-1/ssm/aws4_request, Signature=${secrets.signature}`,
      `X-Amz-Security-Token=${secrets.sessionToken}&X-Amz-Signature=${secrets.signature}`,
      `{"TokenValue":"abc.def.ghi","StreamUrl":"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s-1?role=publish_subscribe&cell-number=AAAA"}`,
    ].join("\n");
    const out = redact(text);
    for (const secret of [...Object.values(secrets), "abc.def.ghi", "cell-number=AAAA"]) {
      assert.ok(!out.includes(secret), `${secret} survived:\n${out}`);
    }
    assert.match(out, /wss:\/\/ssmmessages\.us-east-1\.amazonaws\.com\/v1\/data-channel\/s-1\?\[redacted\]/);
    assert.match(out, /"TokenValue":"\[redacted\]"/);
  });

  it("leaves ids, hashes, ARNs, markers and plain endpoints alone", () => {
    const text =
      "session tester-0123456789abcdef0 on i-0e5c1a2b3c4d5e6f7, policy sha256 " +
      `${"ab12".repeat(16)}, run 8895c004-f36a-4fc7-a52b-d180c0326235, arn:aws:iam::000000000000:user/tester, ` +
      "marker ssmc-9yatlv-0001, endpoint http://127.0.0.1:4566, /ssm-conformance/sessions/plain";
    assert.equal(redact(text), text);
  });

  it("redactDeep masks secret-named keys and every nested string", () => {
    const value = {
      credentials: { AccessKeyId: "whatever", SecretAccessKey: "plain-words", SessionToken: "x" },
      list: [`id ${secrets.accessKey}`, 3, null],
      measured: 12,
    };
    assert.deepEqual(redactDeep(value), {
      credentials: { AccessKeyId: REDACTED, SecretAccessKey: REDACTED, SessionToken: REDACTED },
      list: [`id ${REDACTED}`, 3, null],
      measured: 12,
    });
  });
});

describe("readStream", () => {
  const byName = (name: string) => mixed().scenarios.find((s) => s.name.startsWith(name))!;

  it("reads every scenario of the spec, run or not, with its tags and location", () => {
    const run = mixed();
    assert.equal(run.scenarios.length, 8);
    assert.deepEqual(run.runIds, ["run-a"]);
    assert.equal(run.startedAt, "2026-01-01T00:00:00.000Z");
    assert.equal(run.cucumberVersion, "12.9.0");
    assert.deepEqual(run.metadata, [metadata()]);
    assert.equal(byName("A session to a node").attempts.length, 0);
    assert.equal(byName("Each command").key, "features/fixture.feature:10");
  });

  it("takes the most severe step status, the failing step's message and the skip reason", () => {
    const idle = byName("An idle shell").attempts[0]!;
    assert.equal(idle.status, "failed");
    assert.deepEqual(idle.failure, {
      message: "idle timeout: the session closed after 3.10 s, later than 1.00 s + 1.00 s tolerance",
      assertion: true,
    });
    assert.equal(byName("Log events").attempts[0]!.failure?.assertion, false);
    const skipped = byName("A KMS").attempts[0]!;
    assert.equal(skipped.status, "skipped");
    assert.equal(skipped.skipReason, "skipped on the aws target: no KMS key the caller may use");
    assert.equal(skipped.failure, undefined);
    const undefinedStep = byName("Session logs are kept").attempts[0]!;
    assert.equal(undefinedStep.status, "undefined");
    assert.equal(
      undefinedStep.failure?.message,
      "undefined step: step 2 of Session logs are kept long enough",
    );
  });

  it("keeps every attempt of a retried scenario; the last decides", () => {
    const attempts = byName("A session is listed").attempts;
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.status]),
      [
        [0, "failed"],
        [1, "passed"],
      ],
    );
    assert.equal(attempts[1]!.evidence[0]!.kind, "session-status");
  });

  it("records evidence with its instant and the sessions a scenario started", () => {
    const attempt = byName("Each command").attempts[0]!;
    assert.equal(attempt.evidence.length, 4);
    assert.match(attempt.evidence[0]!.at, /^2026-01-01T00:00:00/);
    assert.deepEqual(attempt.sessionIds, ["tester-0123456789abcdef0"]);
    assert.equal(attempt.durationMs, 1000);
  });

  it("an attempt cut short (no testCaseFinished) failed", () => {
    const text = messageStream(mixedRun("run-a", T0));
    const cut = text
      .split("\n")
      .filter((line) => !line.includes('"testCaseFinished"'))
      .join("\n");
    const attempt = readStream(cut).scenarios[0]!.attempts[0]!;
    assert.equal(attempt.status, "failed");
    assert.equal(attempt.durationMs, null);
    assert.match(attempt.failure!.message, /did not finish/);
  });
});

describe("conformance", () => {
  const report = () => buildConformance(mixed(), new Date(T0 + 60_000), "9.9.9");
  const requirement = (id: string) => report().requirements.find((r) => r.id === id)!;

  it("is valid against its schema, and the committed JSON Schema is the schema's", () => {
    ConformanceReportSchema.parse(report());
    const committed = readFileSync(
      path.join(__dirname, "../../support/report/conformance.schema.json"),
      "utf8",
    );
    assert.deepEqual(
      JSON.parse(committed),
      JSON.parse(conformanceJsonSchema()),
      "conformance.schema.json is stale: regenerate it with\n" +
        'node -r ts-node/register/transpile-only -e \'require("fs").writeFileSync("support/report/conformance.schema.json", require("./support/report/schema").conformanceJsonSchema())\' ' +
        "&& npx biome format --write support/report/conformance.schema.json",
    );
  });

  it("judges each requirement: a check that did not hold fails, anything else unexpected errors", () => {
    const verdicts = Object.fromEntries(report().requirements.map((r) => [r.id, [r.verdict, r.reason]]));
    assert.deepEqual(verdicts, {
      "LOG-01": ["pass", null],
      "IDLE-01": [
        "fail",
        "idle timeout: the session closed after 3.10 s, later than 1.00 s + 1.00 s tolerance",
      ],
      "IDLE-02": ["pass", null],
      "ENC-03": ["skipped", "skipped on the aws target: no KMS key the caller may use"],
      "LIFE-01": ["pass", null],
      "LOG-02": ["error", "cannot read properties of undefined (reading 'arn')"],
      "PREF-06": ["error", "undefined step: step 2 of Session logs are kept long enough"],
      "LIFE-03": ["skipped", "not selected: the run's tag or name filter left it out"],
    });
    assert.equal(report().verdict, "fail");
    assert.deepEqual(report().counts.requirements, { pass: 3, fail: 1, error: 2, skipped: 2 });
    assert.deepEqual(report().counts.scenarios, {
      passed: 3,
      failed: 2,
      skipped: 1,
      undefined: 1,
      "not run": 1,
    });
  });

  it("states the worst measurement against the requirement, and keeps every attempt's evidence", () => {
    assert.deepEqual(requirement("LOG-01").checks, [
      { kind: "command-to-log", measured: 1300, required: 5000, unit: "ms", ok: true, samples: 3 },
    ]);
    assert.equal(requirement("IDLE-01").checks[0]!.ok, false);
    assert.equal(requirement("LOG-01").evidence.filter((e) => e.kind === "session-start").length, 1);
    const life = requirement("LIFE-01");
    assert.deepEqual(
      life.scenarios.map((s) => [s.status, s.attempts]),
      [["passed", 2]],
    );
    assert.deepEqual(
      life.evidence.map((e) => e.attempt),
      [1],
    );
  });

  it("maps tags to PCI DSS and NIST controls, and groups the verdicts by control", () => {
    assert.deepEqual(
      requirement("LOG-01").compliance.map((c) => `${c.framework} ${c.control}`),
      ["PCI DSS 10.2.1", "PCI DSS 10.3.3", "NIST SP 800-53 AU-12"],
    );
    const controls = Object.fromEntries(
      report().compliance.flatMap((f) => f.controls.map((c) => [`${f.framework} ${c.control}`, c.status])),
    );
    assert.equal(controls["PCI DSS 8.2.8"], "failed");
    assert.equal(controls["PCI DSS 10.2.1"], "met");
    assert.equal(controls["PCI DSS 10.2.2"], "failed");
    assert.equal(controls["NIST SP 800-53 SC-8"], "not tested");
    assert.deepEqual(
      report().compliance.map((f) => f.controls.map((c) => c.control)),
      [
        ["8.2.8", "10.2.1", "10.2.2", "10.3.3", "10.5.1"],
        ["AC-11", "AC-12", "AU-3", "AU-11", "AU-12", "SC-8"],
      ],
    );
  });

  it("a control with passed and skipped requirements is partial", () => {
    const req = (id: string, verdict: RequirementResult["verdict"]) =>
      ({
        id,
        verdict,
        compliance: [{ framework: "PCI DSS", version: "v4.0.1", control: "8.2.8", title: null }],
      }) as RequirementResult;
    const [pci] = complianceView([req("A", "pass"), req("B", "skipped")]);
    assert.equal(pci!.controls[0]!.status, "partial");
  });
});

describe("mergeStreams", () => {
  it("two shards make one run: every scenario from the shard that ran it", () => {
    const full = mixedRun("full", T0);
    const shard = (runId: string, startMs: number, keep: (i: number) => boolean) =>
      readStream(
        messageStream({
          ...full,
          runId,
          startMs,
          scenarios: full.scenarios.map((s, i) => (keep(i) ? s : { ...s, attempts: [] })),
        }),
      );
    const merged = mergeStreams([
      shard("shard-2", T0 + 5000, (i) => i % 2 === 1),
      shard("shard-1", T0, (i) => i % 2 === 0),
    ]);
    assert.deepEqual(merged.runIds, ["shard-2", "shard-1"]);
    assert.equal(merged.startedAt, "2026-01-01T00:00:00.000Z");
    assert.equal(merged.metadata.length, 2);
    const verdicts = (run: typeof merged) =>
      buildConformance(run, new Date(T0), "x").requirements.map((r) => [r.id, r.verdict]);
    const single = readStream(messageStream(full));
    // LIFE-03 ran in neither: skipped in both.
    assert.deepEqual(verdicts(merged), verdicts(single));
  });
});

describe("latency samples", () => {
  it("takes t1-t0, t2-t0 and t3-t0 per command, session start and the signed idle drift", () => {
    const { samples, commands, metrics } = measure(mixed());
    assert.deepEqual(samples.agentUploadDelay, [400, 350, -20]);
    assert.deepEqual(samples.commandToIngested, [900, 800, 700]);
    assert.deepEqual(samples.commandToObservable, [1200, 1100, 1300]);
    assert.deepEqual(samples.sessionStart, [180]);
    assert.deepEqual(samples.idleTimeoutAccuracy, [2100, -5]);
    assert.equal(commands.length, 3);
    assert.equal(commands[0]!.requirement, "LOG-01");
    const observable = metrics.find((m) => m.id === "commandToObservable")!;
    assert.deepEqual([observable.count, observable.p50, observable.max], [3, 1200, 1300]);
  });
});

describe("history", () => {
  const entry = (runId: string, p99: number | null, kind = "embedded"): HistoryEntry => ({
    ...historyEntry(buildConformance(mixed(), new Date(T0), "x"), measure(mixed()).metrics),
    runId,
    latency: { commandToObservable: { count: 1, p50: p99, p90: p99, p99, max: p99 } },
    target: { kind, region: "us-east-1", nodeIds: ["i-1"], agentVersion: null, timeScale: 60 },
  });

  it("records the run's verdict counts, pass rate and percentiles, without the caller's ARN", () => {
    const line = historyEntry(buildConformance(mixed(), new Date(T0), "x"), measure(mixed()).metrics);
    assert.equal(line.runId, "run-a");
    assert.equal(line.passRate, 3 / 6);
    assert.equal(line.latency.commandToObservable!.p99, 1300);
    assert.equal(line.accountId, "000000000000");
    assert.doesNotMatch(JSON.stringify(line), /arn:aws/);
  });

  it("notes a regression when p99 exceeds the median of the last 7 runs by more than 50%", () => {
    const earlier = [9000, 9000, 100, 100, 120, 80, 100, 90, 110].map((p99, i) => entry(`r${i}`, p99));
    assert.equal(median([100, 100, 120, 80, 100, 90, 110]), 100);
    assert.equal(detectRegression(entry("now", 150), earlier), null, "exactly +50% is not a regression");
    const regression = detectRegression(entry("now", 151), earlier);
    assert.ok(regression);
    assert.equal(regression.baselineMedian, 100);
    assert.equal(regression.baselineRuns, 7);
    assert.match(
      regression.message,
      /p99 command to observable is 151 ms, 51% above the median of the last 7 runs/,
    );
  });

  it("needs 3 comparable earlier runs: other targets and runs without samples do not count", () => {
    const earlier = [entry("a", 100), entry("b", 100), entry("c", 100, "aws"), entry("d", null)];
    assert.equal(detectRegression(entry("now", 1000), earlier), null);
    assert.ok(detectRegression(entry("now", 1000), [...earlier, entry("e", 100)]));
    assert.equal(detectRegression(entry("now", null), [...earlier, entry("e", 100)]), null);
  });

  it("charts the target's runs, this one last, and appends each run once", () => {
    const file = path.join(scratch, "history.jsonl");
    writeFileSync(file, "not json\n{}\n");
    const first = entry("one", 100);
    assert.equal(appendHistory(file, first, readHistory(file)), true);
    assert.equal(appendHistory(file, first, readHistory(file)), false);
    appendHistory(file, entry("other", 5, "aws"), readHistory(file));
    const known = readHistory(file);
    assert.deepEqual(
      known.map((e) => e.runId),
      ["one", "other"],
    );
    assert.deepEqual(
      trendOf(entry("two", 200), known).map((p) => [p.runId, p.p99]),
      [
        ["one", 100],
        ["two", 200],
      ],
    );
  });
});
