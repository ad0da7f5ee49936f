/**
 * `--target container --agent amazon` where the official agent cannot be had: the harness says why in one
 * line, runs on, and reports every scenario skipped with that reason (exit 0: nothing failed). Real, with or
 * without a Docker engine: without one that is the reason; with one, the image and the base it would be
 * built on are names that do not exist, so the reason is the missing base and nothing is built or fetched.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { cli } from "./support/cli-process";

const REASON =
  /^container target: the official amazon-ssm-agent cannot run here: (no Docker engine answers \(.*\)|no ssm-conformance\/amazon-agent:absent-in-test image, and no base image ssm-conformance\/no-such-base:absent-in-test to build it on .*); every scenario is skipped$/;

const reportDir = mkdtempSync(path.join(tmpdir(), "ssm-conformance-amazon-unavailable-"));
after(() => rmSync(reportDir, { recursive: true, force: true }));

test("no amazon-ssm-agent to be had: one line, every scenario skipped with the reason, exit 0", async () => {
  const run = await cli(["--target", "container", "--agent", "amazon", "--report-dir", reportDir], {
    env: {
      ...process.env,
      SSM_CONFORMANCE_AMAZON_AGENT_IMAGE: "ssm-conformance/amazon-agent:absent-in-test",
      SSM_CONFORMANCE_AGENT_BASE: "ssm-conformance/no-such-base:absent-in-test",
      SSM_CONFORMANCE_AMAZON_AGENT_URL: "http://127.0.0.1:9/amazon-ssm-agent.deb",
    },
  });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, run.stderr);
  const reason = lines[0]!;
  assert.match(reason, REASON);

  const counts = /scenarios {2}(\d+) passed, (\d+) failed, (\d+) skipped/.exec(run.stdout);
  assert.ok(counts, run.stdout);
  assert.deepEqual([counts[1], counts[2]], ["0", "0"]);
  const skipped = Number(counts[3]);
  assert.ok(skipped > 0);

  const report = JSON.parse(readFileSync(path.join(reportDir, "conformance.json"), "utf8"));
  assert.deepEqual(report.counts.scenarios, { skipped });
  assert.equal(report.run.target.kind, "container");
  assert.match(report.run.target.agentVersion, /not available: /);

  // Each scenario carries the reason in the message stream (the reports' per-scenario text).
  const logged = readFileSync(path.join(reportDir, "messages.ndjson"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { attachment?: { body: string } })
    .filter((message) => message.attachment?.body === `skipped: ${reason}`);
  assert.equal(logged.length, skipped);
});
