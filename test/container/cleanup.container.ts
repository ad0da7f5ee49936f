/**
 * Nothing is left running after an interrupted run: Ctrl-C (the harness ends its sessions, skips the rest
 * and disposes the target), and SIGKILL (the detached reaper removes the run's containers, since
 * testcontainers' own reaper image cannot be pulled without a registry).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { containersOfRun, dockerUnavailable, startCli, waitUntilGone } from "./helpers";

function reportDir(): string {
  return mkdtempSync(path.join(tmpdir(), "ssmc-container-cleanup-"));
}

/** Starts a run of long scenarios and resolves once its containers are up and a scenario is under way. */
async function runningRun() {
  const run = startCli([
    "--target",
    "container",
    "--tags",
    "@idle or @max-duration",
    "--report-dir",
    reportDir(),
  ]);
  const runId = await run.runId;
  assert.ok((await containersOfRun(runId)).length > 0, "the run's containers carry its label");
  // The first scenario has started its session (the progress formatter prints a dot per step).
  const deadline = Date.now() + 30_000;
  while (!/\./.test(run.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return { run, runId };
}

describe("an interrupted container run", async () => {
  const skip = await dockerUnavailable();

  it("Ctrl-C: sessions end, the run stops with 130, and no container is left", {
    skip,
    timeout: 180_000,
  }, async () => {
    const { run, runId } = await runningRun();
    run.child.kill("SIGINT");
    const code = await run.exited;
    assert.equal(code, 130, run.stderr().slice(-2000));
    assert.match(run.stderr(), /SIGINT: ending open sessions/);
    // dispose() stopped them before the harness exited: nothing to wait for.
    assert.deepEqual(await containersOfRun(runId), []);
  });

  it("SIGKILL: the reaper removes the run's containers", { skip, timeout: 180_000 }, async () => {
    const { run, runId } = await runningRun();
    run.child.kill("SIGKILL");
    await run.exited;
    assert.deepEqual(await waitUntilGone(runId, 30_000), [], `containers of run ${runId} left behind`);
  });
});
