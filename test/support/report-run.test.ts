/**
 * Reports from real runs of the spec against the embedded target: what a run writes, that the same is
 * rebuilt from the saved messages.ndjson, and that a second run extends the history.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildReports } from "../../support/report/build";
import type { HistoryEntry } from "../../support/report/history";
import type { LatencyReport } from "../../support/report/latency";
import { type ConformanceReport, ConformanceReportSchema } from "../../support/report/schema";
import { cli, type Outcome, ROOT } from "./cli-process";
import { filesIn, readJson, withoutGeneratedAt } from "./report-helpers";

/** A lifecycle check, the latency scenario and an idle timeout: every kind of sample, in a few seconds. */
const TAGS = "@smoke or @req:LOG-01 or @req:IDLE-01";
const RAN = ["LIFE-01", "LOG-01", "IDLE-01"];
const REPORTS = ["conformance.json", "conformance.html", "conformance.md", "latency.json", "latency.html"];

const scratch = mkdtempSync(path.join(tmpdir(), "ssmc-report-run-"));
const first = path.join(scratch, "first");
const second = path.join(scratch, "second");
const history = path.join(scratch, "nightly/history.jsonl");
const runs: Outcome[] = [];

before(
  async () => {
    // One after the other: the second run's trend must see the first. The second only needs to exist.
    for (const [dir, tags] of [
      [first, TAGS],
      [second, "@smoke"],
    ]) {
      runs.push(await cli(["--tags", tags!, "--report-dir", dir!, "--history", history]));
    }
  },
  { timeout: 240_000 },
);
after(() => rmSync(scratch, { recursive: true, force: true }));

const conformance = (dir: string) => readJson<ConformanceReport>(path.join(dir, "conformance.json"));
const latency = (dir: string) => readJson<LatencyReport>(path.join(dir, "latency.json"));

describe("a run's reports", () => {
  it("are written and listed in the summary", () => {
    for (const run of runs) assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    for (const name of REPORTS) {
      assert.ok(runs[0]!.stdout.includes(path.join(first, name)), `the summary does not list ${name}`);
    }
    assert.ok(runs[0]!.stdout.includes(history), "the summary does not list the history");
  });

  it("conformance.json is valid and says where, as whom, against what and with what verdict", () => {
    const report = ConformanceReportSchema.parse(conformance(first));
    const { version } = readJson<{ version: string }>(path.join(ROOT, "package.json"));
    const policy = path.join(ROOT, "policies/pci-dss.yaml");
    assert.equal(report.verdict, "pass");
    assert.equal(report.run.target?.kind, "embedded");
    assert.equal(report.run.target?.timeScale, 60);
    assert.match(report.run.caller?.arn ?? "", /^arn:aws:iam::\d{12}:/);
    assert.match(report.run.caller?.accountId ?? "", /^\d{12}$/);
    assert.equal(report.run.harnessVersion, version);
    assert.equal(report.run.policy?.path, policy);
    assert.equal(report.run.policy?.sha256, createHash("sha256").update(readFileSync(policy)).digest("hex"));
    for (const requirement of report.requirements) {
      if (RAN.includes(requirement.id)) {
        assert.equal(requirement.verdict, "pass", requirement.id);
        assert.ok(requirement.scenarios[0]!.sessionIds.length > 0, `${requirement.id} lists no session`);
      } else {
        assert.equal(requirement.verdict, "skipped", requirement.id);
        assert.match(requirement.reason ?? "", /not selected/);
      }
    }
    const log = report.requirements.find((r) => r.id === "LOG-01")!;
    assert.equal(log.evidence.filter((e) => e.kind === "command-to-log").length, 5);
    assert.equal(log.evidence.filter((e) => e.kind === "session-start").length, 1);
    const controls = Object.fromEntries(
      report.compliance.flatMap((f) => f.controls.map((c) => [`${f.framework} ${c.control}`, c.status])),
    );
    assert.equal(
      controls["NIST SP 800-53 AC-11"],
      "partial",
      "IDLE-01 passed, the other idle checks did not run",
    );
    assert.equal(controls["NIST SP 800-53 AU-9"], "not tested");
  });

  it("latency.json has percentiles of every kind of sample", () => {
    const metrics = Object.fromEntries(latency(first).metrics.map((m) => [m.id, m]));
    assert.equal(metrics.commandToObservable!.count, 5);
    assert.equal(metrics.commandToIngested!.count, 5);
    assert.equal(metrics.agentUploadDelay!.count, 5);
    assert.equal(metrics.sessionStart!.count, 3);
    assert.equal(metrics.idleTimeoutAccuracy!.count, 1);
    const { p50, p90, p99, max } = metrics.commandToObservable!;
    assert.ok(p50! <= p90! && p90! <= p99! && p99! <= max!, `${p50} ${p90} ${p99} ${max}`);
  });

  it("a second run extends the history and the trend shows both", () => {
    const lines = readFileSync(history, "utf8").trim().split("\n");
    const entries = lines.map((line) => JSON.parse(line) as HistoryEntry);
    assert.equal(entries.length, 2);
    assert.deepEqual(
      entries.map((e) => e.runId),
      [conformance(first).run.ids[0], conformance(second).run.ids[0]],
    );
    assert.equal(latency(second).trend.length, 2);
    const trend = /<figure id="chart-trend">([\s\S]*?)<\/figure>/.exec(
      readFileSync(path.join(second, "latency.html"), "utf8"),
    )![1]!;
    const passRatePoints =
      /<g class="mark-symbol role-mark concat_1_layer_1_marks"[^>]*>([\s\S]*?)<\/g>/.exec(trend)!;
    assert.equal(passRatePoints[1]!.match(/<path /g)?.length, 2);
  });

  it("no file of the report directory holds a credential or token", () => {
    const leaks = [
      /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/,
      /X-Amz-(?:Signature|Security-Token|Credential)=(?!\[redacted\])/i,
      /AWS4-HMAC-SHA256 Credential=/,
      /"TokenValue"\s*:\s*"(?!\[redacted\])/,
    ];
    for (const [file, text] of filesIn(first)) {
      for (const leak of leaks) assert.doesNotMatch(text, leak, `${file} leaks ${leak}`);
    }
  });
});

describe("rebuilding from the saved messages.ndjson", () => {
  it("reproduces equivalent reports", async () => {
    const rebuilt = path.join(scratch, "rebuilt");
    const built = await buildReports({
      streams: [path.join(first, "messages.ndjson")],
      reportDir: rebuilt,
      historyFile: path.join(rebuilt, "history.jsonl"),
      appendHistory: true,
    });
    assert.equal(built.verdict, "pass");
    assert.deepEqual(withoutGeneratedAt(conformance(rebuilt)), withoutGeneratedAt(conformance(first)));
    const text = (dir: string) => readFileSync(path.join(dir, "conformance.md"), "utf8");
    assert.equal(text(rebuilt), text(first));
    const { trend: _a, ...rebuiltLatency } = withoutGeneratedAt(latency(rebuilt));
    const { trend: _b, ...firstLatency } = withoutGeneratedAt(latency(first));
    assert.deepEqual(rebuiltLatency, firstLatency);
  });
});
