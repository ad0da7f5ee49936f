/**
 * `--target container --agent amazon` where the official agent cannot be had: the harness says why in one
 * line, runs on, and reports every scenario skipped with that reason (exit 0: nothing failed). Real, with or
 * without a Docker engine: without one that is the reason; with one, the image and the base it would be
 * built on are names that do not exist, so the reason is the missing base and nothing is built or fetched.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";

const ROOT = path.resolve(__dirname, "..");
const REASON =
  /^container target: the official amazon-ssm-agent cannot run here: (no Docker engine answers \(.*\)|no ssm-conformance\/amazon-agent:absent-in-test image, and no base image ssm-conformance\/no-such-base:absent-in-test to build it on .*); every scenario is skipped$/;

const reportDir = mkdtempSync(path.join(tmpdir(), "ssm-conformance-amazon-unavailable-"));
after(() => rmSync(reportDir, { recursive: true, force: true }));

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/ssm-conformance.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
}

test("no amazon-ssm-agent to be had: one line, every scenario skipped with the reason, exit 0", async () => {
  const run = await runCli(["--target", "container", "--agent", "amazon", "--report-dir", reportDir], {
    SSM_CONFORMANCE_AMAZON_AGENT_IMAGE: "ssm-conformance/amazon-agent:absent-in-test",
    SSM_CONFORMANCE_AGENT_BASE: "ssm-conformance/no-such-base:absent-in-test",
    SSM_CONFORMANCE_AMAZON_AGENT_URL: "http://127.0.0.1:9/amazon-ssm-agent.deb",
  });
  assert.equal(run.code, 0, run.err);
  const lines = run.err.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, run.err);
  const reason = lines[0]!;
  assert.match(reason, REASON);

  const counts = /scenarios {2}(\d+) passed, (\d+) failed, (\d+) skipped/.exec(run.out);
  assert.ok(counts, run.out);
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
