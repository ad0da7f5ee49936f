/**
 * The LocalStack path of the container target. No registry is reachable on CI, so LocalStack itself cannot
 * run there; a stand-in image plays its part: it listens where the target tells LocalStack to
 * (GATEWAY_LISTEN on host networking), prints LocalStack's "Ready." line, and serves CloudWatch Logs (the
 * emulator's provider, from the agent image). That checks the plumbing: the host-networking LocalStack
 * container, the harness's logs client on LocalStack's endpoint, the agent in its container shipping there,
 * the report naming LocalStack, and the cleanup of both containers. And when LocalStack is required but
 * cannot be had, the target says so in one line and starts nothing.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { LogWatcher } from "../../support/logs/logWatcher";
import { SessionClient } from "../../support/session/sessionClient";
import {
  ContainerTargetError,
  containerOptionsFromEnv,
  DEFAULT_LOCALSTACK_IMAGE,
  ROLE_LABEL,
  startContainerTarget,
} from "../../support/targets/container";
import { containersOfRun, dockerUnavailable, imageExists } from "./helpers";

const STAND_IN = "ssm-conformance/localstack-stand-in:test";

const STAND_IN_SCRIPT = `#!/bin/sh
# LocalStack's part in tests: CloudWatch Logs on GATEWAY_LISTEN, and its "Ready." line once up.
port="\${GATEWAY_LISTEN##*:}"
node /opt/ssm-conformance/emulator/cli.js --port "$port" --log-level warn | while IFS= read -r line; do
  echo "$line"
  if [ "$line" = "Session Manager emulator ready" ]; then echo "Ready."; fi
done
`;

async function buildStandIn(agentImage: string): Promise<void> {
  const context = mkdtempSync(path.join(tmpdir(), "ssmc-localstack-stand-in-"));
  writeFileSync(path.join(context, "stand-in.sh"), STAND_IN_SCRIPT, { mode: 0o755 });
  writeFileSync(
    path.join(context, "Dockerfile"),
    [
      `FROM ${agentImage}`,
      "COPY stand-in.sh /usr/local/bin/localstack-stand-in",
      "HEALTHCHECK NONE",
      'ENTRYPOINT ["/usr/bin/tini", "-g", "--", "/usr/local/bin/localstack-stand-in"]',
      "",
    ].join("\n"),
  );
  const { getContainerRuntimeClient } = await import("testcontainers");
  const client = await getContainerRuntimeClient();
  await client.image.build(context, { t: STAND_IN, dockerfile: "Dockerfile", networkmode: "host" });
  assert.ok(await imageExists(STAND_IN), `could not build ${STAND_IN}`);
}

async function containersWithRole(): Promise<string[]> {
  const { getContainerRuntimeClient } = await import("testcontainers");
  const { dockerode } = (await getContainerRuntimeClient()).container;
  return (await dockerode.listContainers({ all: true, filters: { label: [ROLE_LABEL] } })).map((c) => c.Id);
}

describe("the container target's LocalStack path", async () => {
  const skip = await dockerUnavailable();
  const options = containerOptionsFromEnv();

  it("sends CloudWatch Logs to LocalStack's endpoint: the harness reads there, the agent ships there", {
    skip,
    timeout: 180_000,
  }, async () => {
    if (!(await imageExists(options.agentImage))) {
      // The stand-in is built on the agent image; a first start of the target builds that.
      await (await startContainerTarget({ ...options, logs: "agent" })).dispose();
    }
    await buildStandIn(options.agentImage);
    const lines: string[] = [];
    const target = await startContainerTarget({
      ...options,
      logs: "localstack",
      localstackImage: STAND_IN,
      log: (line) => lines.push(line),
    });
    let session: SessionClient | undefined;
    let watcher: LogWatcher | undefined;
    const runId = target.description.runId;
    try {
      const logsBackend = target.description.logsBackend;
      const endpoint =
        /^LocalStack \(ssm-conformance\/localstack-stand-in:test\) at (http:\/\/127\.0\.0\.1:\d+)$/.exec(
          logsBackend,
        )?.[1];
      assert.ok(endpoint, logsBackend);
      assert.ok(!lines.some((line) => /not available/.test(line)), lines.join("\n"));
      assert.equal((await containersOfRun(runId)).length, 2, "the agent and LocalStack, both labelled");

      const documentName = await target.createSessionDocument({
        cloudWatchLogGroupName: target.logGroups.plain,
        cloudWatchStreamingEnabled: true,
        cloudWatchEncryptionEnabled: false,
      });
      session = await SessionClient.start(
        { Target: target.nodeId, DocumentName: documentName },
        { ssm: target.clients.ssm },
      );
      watcher = new LogWatcher(target.clients.logs, {
        logGroupName: target.logGroups.plain,
        logStreamName: session.sessionId,
      }).start();
      const marker = `CONFORMANCE-${randomUUID()}`;
      session.send(`echo ${marker}\r`);
      const match = await watcher.waitForMarker(marker, 15_000);
      assert.equal(match.event.parsed?.sessionId, session.sessionId);

      // The fixtures and the events are on LocalStack's side; the agent container's own provider has none.
      const own = new CloudWatchLogsClient({
        endpoint: target.description.endpoint,
        region: target.description.region,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      const groups = await own.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: target.logGroups.plain }),
      );
      own.destroy();
      assert.deepEqual(groups.logGroups ?? [], []);
    } finally {
      await watcher?.stop();
      await session?.dispose();
      await target.dispose();
    }
    assert.deepEqual(await containersOfRun(runId), []);
  });

  it("LocalStack required but not to be had: one clear error, nothing left running", {
    skip,
    timeout: 120_000,
  }, async (t) => {
    if (await imageExists(DEFAULT_LOCALSTACK_IMAGE)) {
      t.skip(`${DEFAULT_LOCALSTACK_IMAGE} is here: this checks a machine without it`);
      return;
    }
    const before = await containersWithRole();
    const started = Date.now();
    await assert.rejects(
      startContainerTarget({
        ...options,
        logs: "localstack",
        localstackImage: DEFAULT_LOCALSTACK_IMAGE,
        pullTimeoutMs: 30_000,
        log: () => undefined,
      }),
      (error: unknown) =>
        error instanceof ContainerTargetError &&
        /^LocalStack \(localstack\/localstack:4\.14\.0\) is not available: /.test(error.message) &&
        !error.message.includes("\n"),
    );
    assert.ok(Date.now() - started < 60_000, "the pull is bounded");
    assert.deepEqual(await containersWithRole(), before);
  });
});
