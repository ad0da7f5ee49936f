/**
 * The whole spec on --target container: every scenario passes (Run As for real: the agent runs as root in
 * its container, shells as ssm-user or ssm-runas), the report names the logs backend that served the run,
 * and no container of the run is left afterwards.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_LOCALSTACK_IMAGE } from "../../support/targets/container";
import { containersOfRun, dockerUnavailable, imageExists, readConformance, startCli } from "./helpers";

describe("the spec on the container target", async () => {
  const skip = await dockerUnavailable();

  it("passes every scenario, Run As included, and leaves no container behind", {
    skip,
    timeout: 20 * 60_000,
  }, async () => {
    const reportDir = mkdtempSync(path.join(tmpdir(), "ssmc-container-spec-"));
    const run = startCli(["--target", "container", "--report-dir", reportDir]);
    const code = await run.exited;
    assert.equal(code, 0, `exit ${code}\n${run.stdout().slice(-3000)}\n${run.stderr().slice(-3000)}`);
    const runId = await run.runId;

    const { target, verdicts, counts } = readConformance(reportDir);
    assert.equal(target.kind, "container");
    const localstack =
      (await imageExists(process.env["SSM_CONFORMANCE_LOCALSTACK_IMAGE"] || DEFAULT_LOCALSTACK_IMAGE)) &&
      process.env["SSM_CONFORMANCE_CONTAINER_LOGS"] !== "agent";
    assert.match(
      target.logsBackend,
      localstack ? /^LocalStack / : /^the agent container's own CloudWatch Logs provider/,
    );
    if (!localstack) {
      // The run said why, in one line, before it started.
      const said = run
        .stderr()
        .split("\n")
        .filter((line) => /LocalStack .* is not available/.test(line));
      assert.equal(said.length, 1, run.stderr());
    }
    assert.equal(
      verdicts["RUNAS-01"],
      "pass",
      "the Run As scenario runs (and passes) on the container target",
    );
    assert.deepEqual(
      { fail: counts["fail"], error: counts["error"], skipped: counts["skipped"] },
      { fail: 0, error: 0, skipped: 0 },
    );
    assert.deepEqual(await containersOfRun(runId), [], `containers of run ${runId} left behind`);
  });
});
