/**
 * The self-test, on a representative subset: one fault profile per layer of the emulator (the relay's
 * timers and activity, the SSM API, the agent, the log pipeline, the account seed), each run against the spec as a
 * child of the harness CLI, plus the clean emulator on the same scenarios. Every profile must be caught
 * with its cause named, and the clean run must pass. The full matrix is `npm run selftest` (.ci/run).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { faultProfile } from "../emulator/faults";
import { runSelftest } from "../support/selftest/main";

const SUBSET = [
  "late-idle-timeout", // the relay: its timers
  "resize-not-activity", // the relay: what counts as activity
  "accept-unknown-target", // the SSM API
  "no-encryption-check", // the agent's preferences
  "reorder-events", // the log pipeline
  "lax-preferences", // the account seed
];

test("the self-test catches one profile per layer, each with its cause named", {
  timeout: 300_000,
}, async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "ssmc-selftest-"));
  t.after(() => rmSync(reportDir, { recursive: true, force: true }));
  const { verdict, text } = await runSelftest(
    {
      profiles: SUBSET.map((name) => faultProfile(name)!),
      mode: "subset",
      jobs: 3,
      reportDir,
      timeoutMs: 240_000,
    },
    (line) => t.diagnostic(line),
  );
  for (const line of text.trimEnd().split("\n")) t.diagnostic(line);
  assert.equal(verdict.clean.error, undefined, "the clean run produced a verdict");
  assert.equal(verdict.clean.failed, 0, "every scenario passes on the clean emulator");
  assert.ok(
    verdict.clean.passed >= 8,
    `the clean run covered the subset's scenarios (${verdict.clean.passed})`,
  );
  for (const p of verdict.profiles) {
    assert.equal(p.error, undefined, `${p.name} ran`);
    assert.ok(p.detected, `${p.name} is detected`);
    assert.ok(p.causeNamed, `${p.name}: the failure names the cause (${p.unnamedCauses.join(", ")})`);
    assert.deepEqual(p.missed, [], `${p.name}: every declared scenario caught it`);
  }
  assert.deepEqual(
    verdict.gaps.filter((g) => g.severity === "error"),
    [],
  );
  assert.equal(verdict.ok, true);
  const json = JSON.parse(readFileSync(path.join(reportDir, "selftest.json"), "utf8"));
  assert.equal(json.ok, true);
  assert.equal(json.mode, "subset");
  assert.deepEqual(
    json.profiles.map((p: { name: string }) => p.name),
    SUBSET,
  );
  assert.ok(existsSync(path.join(reportDir, "selftest.md")));
  assert.ok(existsSync(path.join(reportDir, "selftest", "reorder-events", "messages.ndjson")));
});
