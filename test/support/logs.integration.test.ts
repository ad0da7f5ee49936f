/** LogWatcher against the embedded emulator: a real session streams its commands to CloudWatch Logs. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateDocumentCommand, SSMClient } from "@aws-sdk/client-ssm";
import { type StartedStack, startStack } from "../../emulator/stack";
import { LogWatcher, measureLatency } from "../../support/logs/logWatcher";
import { SessionClient } from "../../support/session/sessionClient";

const LOG_GROUP = "/ssm-conformance/logs-watcher";
const DOCUMENT = "LogWatcher-Streaming";

describe("LogWatcher on the emulator", () => {
  let stack: StartedStack;
  let ssm: SSMClient;
  let logs: CloudWatchLogsClient;
  let session: SessionClient | undefined;
  let watcher: LogWatcher | undefined;

  before(async () => {
    stack = await startStack({ timeScale: 60 });
    const config = { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials };
    ssm = new SSMClient(config);
    logs = new CloudWatchLogsClient(config);
    await logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
    await ssm.send(
      new CreateDocumentCommand({
        Name: DOCUMENT,
        DocumentType: "Session",
        DocumentFormat: "JSON",
        Content: JSON.stringify({
          schemaVersion: "1.0",
          sessionType: "Standard_Stream",
          inputs: {
            cloudWatchLogGroupName: LOG_GROUP,
            cloudWatchStreamingEnabled: true,
            cloudWatchEncryptionEnabled: false,
            idleSessionTimeout: "20",
          },
        }),
      }),
    );
  });

  after(async () => {
    await watcher?.stop();
    await session?.dispose();
    ssm?.destroy();
    logs?.destroy();
    await stack?.stop();
  });

  it("sees a typed command in the session's stream within 5 s, with t0 <= t1 <= t2 <= t3", async () => {
    session = await SessionClient.start({ Target: stack.nodeIds[0], DocumentName: DOCUMENT }, { ssm });
    watcher = new LogWatcher(logs, { logGroupName: LOG_GROUP, logStreamName: session.sessionId }).start();
    const marker = `CONFORMANCE-${randomUUID()}`;
    const t0 = session.send(`echo ${marker}\r`);
    const match = await watcher.waitForMarker(marker, 10_000);

    assert.equal(match.event.format, "json");
    assert.deepEqual(match.event.problems, undefined);
    assert.equal(match.event.parsed?.sessionId, session.sessionId);
    assert.match(match.line, new RegExp(`echo ${marker}$`));
    assert.ok(
      t0 <= match.t1 && match.t1 <= match.t2 && match.t2 <= match.t3,
      JSON.stringify({ t0, ...match }),
    );
    assert.ok(measureLatency(t0, match).commandToObservable < 5_000);
  });
});
