/**
 * Session logging to CloudWatch Logs as the agent does it (spec 13): streamed JSON events, the refusal when
 * encryption is required but the group is not encrypted, and the plain-text upload at the end.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CreateLogGroupCommand, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { StartSessionCommand } from "@aws-sdk/client-ssm";
import WebSocket from "ws";
import { ChannelClosed, clientOpenDataChannel, decodeFrame, MessageType, parsePayload } from "../../protocol";
import { SessionClosedError } from "../../support/session/sessionClient";
import {
  createSessionDocument,
  describeSession,
  parseSessionEvent,
  startTestStack,
  streamEvents,
  type TestStack,
  unique,
  waitUntil,
} from "./stack-support";

const ENCRYPTION_REFUSAL =
  "We couldn't start the session because encryption is not set up on the selected CloudWatch Logs log group. Either encrypt the log group or choose an option to enable logging without encryption.";
/** The brief's bound on "command to observable" for a streamed command. */
const STREAM_LATENCY_BOUND_MS = 3_000;

describe("stack: session logging", { concurrency: true }, () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack();
  });
  after(async () => {
    await t?.stop();
  });

  const newGroup = async () => {
    const name = unique("/stack/sessions");
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    return name;
  };

  test("streaming: a command and its output reach the session's stream as a well-formed event within 3 s", async (ctx) => {
    const group = await newGroup();
    const document = await createSessionDocument(t.ssm, {
      cloudWatchLogGroupName: group,
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: false,
    });
    const target = t.stack.nodeIds[0]!;
    const client = await t.open({ Target: target, DocumentName: document });
    const whoami = (await client.run("whoami")).output.trim();
    assert.match(whoami, /^[a-z_][a-z0-9_-]*$/, `whoami printed a user name, got ${JSON.stringify(whoami)}`);

    const marker = unique("streamed");
    const commandLine = `echo ${marker}`;
    const { sentAt } = await client.run(commandLine);
    // Poll the stream as a watcher would until both the command line and its output are there.
    const found = await waitUntil(
      async () => {
        const events = await streamEvents(t.logs, group, client.sessionId);
        const parsed = events.map((e) => ({ raw: e, event: parseSessionEvent(e.message ?? "") }));
        const command = parsed.find((p) => p.event.sessionData.some((l) => l.includes(commandLine)));
        const output = parsed.find((p) => p.event.sessionData.includes(marker));
        return command && output ? { command, output, seenAt: Date.now() } : undefined;
      },
      STREAM_LATENCY_BOUND_MS + 2_000,
      `"${commandLine}" and its output in stream ${group}/${client.sessionId}`,
      25,
    );
    const latency = found.seenAt - sentAt;
    ctx.diagnostic(`command to observable in FilterLogEvents: ${latency} ms`);
    assert.ok(
      latency <= STREAM_LATENCY_BOUND_MS,
      `command to observable in the log stream took ${latency} ms, expected <= ${STREAM_LATENCY_BOUND_MS} ms`,
    );

    for (const { raw, event } of [found.command, found.output]) {
      assert.equal(raw.logStreamName, client.sessionId, "the log stream is named after the session id");
      assert.deepEqual(
        Object.keys(event),
        [
          "eventVersion",
          "eventTime",
          "awsRegion",
          "target",
          "userIdentity",
          "runAsUser",
          "sessionId",
          "sessionData",
        ],
        "the event's keys, in the agent's order",
      );
      assert.equal(event.eventVersion, "1.0");
      assert.match(
        event.eventTime,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
        "eventTime is RFC 3339 to the second",
      );
      const eventTime = Date.parse(event.eventTime);
      assert.ok(
        Math.abs(eventTime - sentAt) < 5_000,
        `eventTime ${event.eventTime} is close to when the command was sent (${new Date(sentAt).toISOString()})`,
      );
      assert.equal(event.awsRegion, t.stack.region);
      assert.deepEqual(event.target, { id: target });
      assert.deepEqual(event.userIdentity, { arn: t.callerArn });
      assert.equal(event.runAsUser, whoami, "runAsUser is what whoami prints in the shell");
      assert.equal(event.sessionId, client.sessionId);
      assert.ok(
        event.sessionData.every((line) => !line.includes("\r") && !line.includes("\x1b")),
        `sessionData lines carry no CR and no escape sequences: ${JSON.stringify(event.sessionData)}`,
      );
    }
  });

  test("encryption required on a group without a KMS key: the session is refused with the agent's message", async () => {
    const group = await newGroup();
    const document = await createSessionDocument(t.ssm, {
      cloudWatchLogGroupName: group,
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: true,
    });
    // SessionClient.start rejects when the session closes before its first output.
    const error = await t.open({ Target: t.stack.nodeIds[1]!, DocumentName: document }).then(
      (client) => assert.fail(`the session started (${client.sessionId}); it should have been refused`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SessionClosedError, `expected a SessionClosedError, got ${String(error)}`);
    assert.equal(error.closedBy.kind, "channel_closed");
    assert.equal(error.closedBy.output, ENCRYPTION_REFUSAL, "channel_closed Output is the agent's text");

    const session = await waitUntil(
      () => describeSession(t.ssm, error.sessionId, "History"),
      2_000,
      `session ${error.sessionId} in DescribeSessions(History)`,
    );
    assert.equal(session.Status, "Failed");
    assert.ok(session.EndDate instanceof Date, "EndDate is set");
  });

  test("a client that connects after the refusal still gets the channel_closed with the agent's message", async () => {
    const group = await newGroup();
    const document = await createSessionDocument(t.ssm, {
      cloudWatchLogGroupName: group,
      cloudWatchStreamingEnabled: false,
      cloudWatchEncryptionEnabled: true,
    });
    const started = await t.ssm.send(
      new StartSessionCommand({ Target: t.stack.nodeIds[0]!, DocumentName: document }),
    );
    await waitUntil(
      async () =>
        (await describeSession(t.ssm, started.SessionId!, "History"))?.Status === "Failed" ? true : undefined,
      3_000,
      `session ${started.SessionId} to fail before any client connected`,
    );
    // A slow client (a plugin process starting up) opens the data channel only now.
    const socket = new WebSocket(started.StreamUrl!, { perMessageDeflate: false });
    const frames: Buffer[] = [];
    socket.on("message", (data, isBinary) => {
      if (isBinary) frames.push(data as Buffer);
    });
    const closedWith = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    socket.send(clientOpenDataChannel({ token: started.TokenValue! }));
    const code = await Promise.race([
      closedWith,
      new Promise((resolve) => setTimeout(resolve, 3_000, "still open")),
    ]);
    socket.terminate();
    assert.equal(code, 1000, "the gateway closes the socket normally after telling the client");
    const closed = frames.map((f) => decodeFrame(f)).find((f) => f.messageType === MessageType.ChannelClosed);
    assert.ok(closed, `a channel_closed frame arrived (got ${frames.length} binary frames)`);
    const payload = parsePayload(ChannelClosed, closed.payload, "channel_closed");
    assert.equal(payload.Output, ENCRYPTION_REFUSAL);
    assert.equal(payload.SessionId, started.SessionId);
  });

  test("streaming off: nothing is logged while the session runs; the transcript arrives as plain text at the end", async () => {
    const group = await newGroup();
    const document = await createSessionDocument(t.ssm, {
      cloudWatchLogGroupName: group,
      cloudWatchStreamingEnabled: false,
      cloudWatchEncryptionEnabled: false,
    });
    const client = await t.open({ Target: t.stack.nodeIds[0]!, DocumentName: document });
    const marker = unique("uploaded");
    await client.run(`echo ${marker}`);

    // Watch the group for longer than the agent's 1 s upload ticker: no stream may appear.
    const watchUntil = Date.now() + 1_500;
    while (Date.now() < watchUntil) {
      const streams = await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
      assert.deepEqual(
        streams.logStreams?.map((s) => s.logStreamName) ?? [],
        [],
        "no log stream while the session runs with streaming off",
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    client.send("exit\r");
    const closed = await client.closed;
    assert.equal(closed.kind, "channel_closed");
    assert.equal(closed.output, "", "a normal shell exit closes with an empty Output");

    const text = await waitUntil(
      async () => {
        const events = await streamEvents(t.logs, group, client.sessionId);
        const joined = events.map((e) => e.message ?? "").join("\n");
        return joined.includes(`\n${marker}\n`) || joined.startsWith(`${marker}\n`) ? joined : undefined;
      },
      5_000,
      `the uploaded transcript with ${marker} in ${group}/${client.sessionId}`,
    );
    assert.ok(!text.trimStart().startsWith("{"), `the upload is plain text, not JSON: ${text.slice(0, 120)}`);
    assert.ok(text.includes(`echo ${marker}`), "the transcript has the command line");
    assert.ok(!text.includes("\r\n"), "CRLF is normalised to LF");
    const session = await describeSession(t.ssm, client.sessionId, "History");
    assert.equal(session?.Status, "Terminated", "a session whose shell exited is Terminated");
  });
});
