/**
 * `ssm-conformance report` on two synthetic shards of one run: they are merged into one set of reports,
 * and the secrets they carry (in attachments, error messages, names and run metadata) reach no file of
 * the report directory and nothing the command prints.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConformanceReport } from "../../support/report/schema";
import { cli, type Outcome } from "./cli-process";
import { type FixtureRun, messageStream, metadata, mixedRun } from "./report-fixtures";
import { filesIn, readJson } from "./report-helpers";

/** Built at run time so no literal that looks like an AWS access key id sits in the repository. */
const FAKE_KEY_PREFIX = ["AK", "IA"].join("");

const scratch = mkdtempSync(path.join(tmpdir(), "ssmc-report-command-"));
const reportDir = path.join(scratch, "reports");
const T0 = Date.parse("2026-02-01T00:00:00Z");

const SECRETS = {
  accessKeyId: `${FAKE_KEY_PREFIX}ZZZZFAKE0SECRET1`,
  secretKey: "zZ9fakeSecretKeyForRedactionTest0000000Q",
  sessionToken: "IQoJb3JpZ2luX2VjFAKEfakeFAKEsessionTOKENvalue0000",
  tokenValue: "fake-token-value-7f3c9a",
  streamQuery: "role=publish_subscribe&cell-number=FAKECELL42",
  signature: "fa4e51gnature00ff",
};

/** The mixed run, with a secret wherever one could slip in. */
function runWithSecrets(): FixtureRun {
  const base = metadata();
  const run = mixedRun("full", T0, {
    ...base,
    target: {
      ...base.target,
      endpoint: `https://ssm.example.com/?X-Amz-Security-Token=${SECRETS.sessionToken}`,
      agentVersion: `3.3.0 (key ${SECRETS.accessKeyId})`,
    },
  });
  const [log, idle, , , , identity] = run.scenarios;
  log!.name = `Each command reaches the log group (TokenValue=${SECRETS.tokenValue})`;
  log!.attempts[0]!.evidence!.push({
    kind: "stream-url",
    measured: `wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s-1?${SECRETS.streamQuery}`,
    ok: true,
    details: {
      SecretAccessKey: SECRETS.secretKey,
      headers: `Authorization: AWS4-HMAC-SHA256 Credential=${SECRETS.accessKeyId}/x, Signature=${SECRETS.signature}`,
      presigned: `https://logs.example.com/?X-Amz-Signature=${SECRETS.signature}&X-Amz-Credential=${SECRETS.accessKeyId}`,
    },
  });
  idle!.attempts[0]!.error = {
    type: "AssertionError",
    message: `closed early; aws_secret_access_key=${SECRETS.secretKey} SessionToken: ${SECRETS.sessionToken}`,
  };
  identity!.attempts[0]!.error = {
    type: "Error",
    message: `the data channel closed (TokenValue: ${SECRETS.tokenValue})`,
  };
  return run;
}

/** A shard: the run with only some scenarios executed; written outside the report directory. */
function shard(full: FixtureRun, runId: string, offsetMs: number, keep: (i: number) => boolean): string {
  const file = path.join(scratch, `${runId}.ndjson`);
  const scenarios = full.scenarios.map((s, i) => (keep(i) ? s : { ...s, attempts: [] }));
  writeFileSync(file, messageStream({ ...full, runId, startMs: T0 + offsetMs, scenarios }));
  return file;
}

let outcome: Outcome;

before(
  async () => {
    const full = runWithSecrets();
    const shards = [shard(full, "shard-1", 0, (i) => i < 4), shard(full, "shard-2", 60_000, (i) => i >= 4)];
    outcome = await cli(["report", ...shards, "--report-dir", reportDir]);
  },
  { timeout: 90_000 },
);
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("report", () => {
  it("merges the shards of one run; the exit status follows the verdict", () => {
    assert.equal(outcome.status, 1, `the verdict is fail:\n${outcome.stdout}\n${outcome.stderr}`);
    assert.match(outcome.stdout, /streams {4}2 message streams \(merged\)\n {2}verdict {4}fail/);
    const report = readJson<ConformanceReport>(path.join(reportDir, "conformance.json"));
    assert.deepEqual(report.run.ids, ["shard-1", "shard-2"]);
    assert.equal(report.run.startedAt, "2026-02-01T00:00:00.000Z");
    assert.deepEqual(report.counts.requirements, { pass: 3, fail: 1, error: 2, skipped: 2 });
    const verdict = (id: string) => report.requirements.find((r) => r.id === id)?.verdict;
    assert.equal(verdict("IDLE-01"), "fail", "from shard 1");
    assert.equal(verdict("LIFE-01"), "pass", "from shard 2");
  });

  it("writes no secret into any report file, nor prints one", () => {
    const files = filesIn(reportDir);
    assert.deepEqual(files.map(([file]) => path.basename(file)).sort(), [
      "conformance.html",
      "conformance.json",
      "conformance.md",
      "history.jsonl",
      "latency.html",
      "latency.json",
    ]);
    for (const [file, text] of [...files, ["the command's output", `${outcome.stdout}${outcome.stderr}`]]) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        assert.ok(!text!.includes(secret), `${path.basename(file!)} holds the ${name}`);
      }
    }
    assert.match(files.find(([file]) => file.endsWith("conformance.json"))![1], /\[redacted\]/);
  });
});
