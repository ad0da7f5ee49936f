/**
 * The official amazon-ssm-agent's recorded side (../shared/vectors/agent-gateway.json) replayed against the
 * emulator's message gateway by a scripted fake agent, for an `externalNodes` node of the stack. The node
 * id is the recorded one (mi-0fa4e1c0ffee12345), so the agent's frames that name it go out unchanged.
 *
 * Replay rules:
 * - REST bodies (CreateControlChannel, CreateDataChannel): the recorded JSON bodies, SigV4-signed for
 *   `ssmmessages` with the recorded Content-Type, as the agent signs them.
 * - Open*Channel text frames: the recorded frames, key order kept, with this run's fresh TokenValue.
 * - Binary frames that name no session (the prompt output, the agent's acks): the recorded bytes exactly.
 * - Binary frames that name the recorded session (agent_session_state, agent_task_complete): the recorded
 *   envelope (MessageId, CreatedDate, flags, sequence number, PayloadType) and payload (key order kept)
 *   with the recorded SessionId replaced by this run's; digest and length follow.
 * - The plugin's frames relayed to the agent (left out of agent-gateway.json) come from
 *   plugin-shell-session.json and plugin-resume.json, recorded bytes exactly; a client socket plays them.
 *
 * The replay runs twice: over plain http/ws, and over https/wss with the stack's own CA (the only
 * transport the real agent speaks), REST calls on HTTP/1.1.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateDocumentCommand,
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  GetConnectionStatusCommand,
  type SessionStatus,
  SSMClient,
  StartSessionCommand,
  TargetNotConnected,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type WebSocket from "ws";
import { restRequest } from "../../emulator/agent/restRequest";
import { parseInteractiveShell } from "../../emulator/agent/task";
import { type StartedStack, startStack } from "../../emulator/stack";
import { sdkTrusting } from "../../emulator/tls/sdkTrust";
import { type DecodedFrame, decodeFrame, encodeFrame, MessageType } from "../../protocol";
import { ArrivalWaiters, openSocket, payloadJson } from "../support/replayPeer";
import {
  loadVectors,
  openFrame,
  payloadText,
  recordedBytes,
  recordedFrame,
  type VectorEntry,
} from "../support/vectors";

const AGENT_FILE = loadVectors("agent-gateway.json").entries;
const SHELL_FILE = loadVectors("plugin-shell-session.json").entries;
const RESUME_FILE = loadVectors("plugin-resume.json").entries;
const entry = (entries: VectorEntry[], i: number): VectorEntry => {
  const found = entries[i]!;
  assert.equal(found.index, i);
  return found;
};
const a = (i: number) => entry(AGENT_FILE, i);
const p = (i: number) => entry(SHELL_FILE, i);
const r = (i: number) => entry(RESUME_FILE, i);

/** The recorded managed node (a CustomIdentity of the official agent). */
const NODE = "mi-0fa4e1c0ffee12345";
const RECORDED_SESSION_A = "tester-32f3e55c3bd7a6ce8";
const RECORDED_SESSION_B = "tester-2ee8398311c22ef85";
/** One configured minute of idle timeout lasts 2 s. */
const TIME_SCALE = 30;
const IDLE_DOCUMENT = "Vectors-AgentIdleOneMinute";
const IDLE_TEXT = "Your session timed out due to inactivity and has been terminated.";
const WAIT_MS = 10_000;
/** How long "nothing more arrives" is watched for. */
const QUIET_MS = 300;

/** A recorded frame with the recorded session id replaced in its payload (see the header comment). */
function forSession(e: VectorEntry, recordedSessionId: string, sessionId: string): Buffer {
  const text = payloadText(e);
  assert.ok(text.includes(recordedSessionId), `entry ${e.index} names ${recordedSessionId}`);
  return encodeFrame({
    ...recordedFrame(e),
    payload: Buffer.from(text.split(recordedSessionId).join(sessionId)),
  });
}

/** The direct children of the XML root, as the Go agent's encoding/xml reads a 201 body. */
function xmlChildren(body: string): { root: string; children: Record<string, string> } {
  const match = /^(?:<\?xml[^>]*\?>)?<([A-Za-z]+)(?:\s[^>]*)?>(.*)<\/\1>$/s.exec(body.trim());
  assert.ok(match, `not one XML element: ${body}`);
  const children: Record<string, string> = {};
  let rest = match[2]!;
  while (rest.length > 0) {
    const child = /^<([A-Za-z]+)>([^<]*)<\/\1>/.exec(rest);
    assert.ok(child, `not a flat list of children: ${match[2]}`);
    children[child[1]!] = child[2]!;
    rest = rest.slice(child[0].length);
  }
  return { root: match[1]!, children };
}

/** Binary frames received on one socket, in order, with waiting. */
class Inbox {
  readonly frames: { frame: DecodedFrame; bytes: Buffer }[] = [];
  private readonly arrivals = new ArrivalWaiters();
  private taken = 0;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data, isBinary) => {
      if (!isBinary) return;
      const bytes = data as Buffer;
      this.frames.push({ frame: decodeFrame(bytes, { strict: true }), bytes });
      this.arrivals.wake();
    });
  }

  /** The first frame not taken yet; frames are taken in order. */
  next(what: string, timeoutMs = WAIT_MS): Promise<{ frame: DecodedFrame; bytes: Buffer }> {
    return this.arrivals.until(
      () => {
        const item = this.frames[this.taken];
        if (item) this.taken++;
        return item;
      },
      what,
      timeoutMs,
    );
  }

  /** The next frame must be `messageType`. */
  async expect(messageType: string, timeoutMs = WAIT_MS): Promise<{ frame: DecodedFrame; bytes: Buffer }> {
    const item = await this.next(messageType, timeoutMs);
    assert.equal(item.frame.messageType, messageType);
    return item;
  }

  /** Nothing more arrives for `ms`. */
  async quiet(ms = QUIET_MS): Promise<void> {
    const before = this.frames.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    assert.deepEqual(
      this.frames.slice(before).map((f) => f.frame.messageType),
      [],
      "unexpected frames",
    );
    assert.equal(this.taken, this.frames.length, "frames left unexamined");
  }
}

/** The official agent's side: signed REST calls and signed WebSocket upgrades, recorded frames. */
class FakeAgent {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(
    endpoint: string,
    region: string,
    credentials: { accessKeyId: string; secretAccessKey: string },
    /** The stack's CA over TLS. */
    private readonly ca: string | undefined,
  ) {
    this.base = new URL(endpoint);
    this.signer = new SignatureV4({
      service: "ssmmessages",
      region,
      credentials,
      sha256: Hash.bind(null, "sha256"),
    });
  }

  /** POST with the recorded body; SignedHeaders=content-type;host;x-amz-date as recorded. */
  async rest(request: VectorEntry, path = String(request.http!.path)) {
    assert.equal(request.http!.method, "POST");
    const signed = await this.signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        port: Number(this.base.port),
        path,
        headers: { host: this.base.host, "content-type": "application/json" },
        body: request.text!,
      }),
    );
    const response = await restRequest(new URL(path, this.base), {
      method: "POST",
      headers: signed.headers,
      body: request.text!,
      ca: this.ca,
      timeoutMs: WAIT_MS,
    });
    // HTTP/1.1 over TLS too: the gateway offers no h2 (real-agent-observations.md C2).
    assert.equal(response.httpVersion, "1.1");
    return { status: response.status, type: response.contentType, body: response.body };
  }

  /** A signed upgrade (SignedHeaders=host;x-amz-date) at the recorded path and query. */
  async dial(pathAndQuery: string): Promise<WebSocket> {
    const url = new URL(pathAndQuery, this.base);
    const signed = await this.signer.sign(
      new HttpRequest({
        method: "GET",
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        port: Number(this.base.port),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { host: this.base.host },
      }),
    );
    url.protocol = this.base.protocol === "https:" ? "wss:" : "ws:";
    return openSocket(url.toString(), { headers: signed.headers, ca: this.ca });
  }

  /** CreateDataChannel (recorded body) for a session, 201 + XML; returns the token. */
  async createDataChannel(sessionId: string): Promise<string> {
    const reply = await this.rest(a(5), `/v1/data-channel/${sessionId}`);
    assert.equal(reply.status, 201, reply.body);
    const xml = xmlChildren(reply.body);
    const recorded = xmlChildren(a(6).text!);
    assert.equal(xml.root, recorded.root);
    assert.deepEqual(Object.keys(xml.children).sort(), Object.keys(recorded.children).sort());
    assert.equal(xml.children.MessageSchemaVersion, "1.0");
    assert.ok(xml.children.TokenValue);
    return xml.children.TokenValue!;
  }

  /** The agent's data channel: CreateDataChannel, signed dial, recorded OpenDataChannel, Connected. */
  async openDataChannel(sessionId: string, recordedSessionId: string): Promise<Inbox> {
    const token = await this.createDataChannel(sessionId);
    const path = String(a(7).http!.path).replace(recordedSessionId, sessionId);
    const socket = await this.dial(path);
    const inbox = new Inbox(socket);
    assert.equal(JSON.parse(a(8).text!).ClientInstanceId, NODE);
    socket.send(openFrame(a(8), token));
    socket.send(forSession(a(9), RECORDED_SESSION_A, sessionId));
    return inbox;
  }
}

/** The interactive_shell the gateway pushes, compared with the recorded (fake-made) one. */
function assertInteractiveShell(
  frame: DecodedFrame,
  expected: { sessionId: string; documentName: string },
): Record<string, unknown> {
  const recorded = a(4).decoded!;
  assert.equal(frame.headerLength, 116);
  assert.equal(frame.schemaVersion, recorded.schemaVersion);
  assert.equal(frame.sequenceNumber, 0);
  assert.equal(frame.flags, 0);
  assert.equal(frame.payloadType, 0);
  assert.ok(Math.abs(frame.createdDate - Date.now()) < 60_000, "a real, non-zero CreatedDate");
  const outer = payloadJson(frame);
  const recordedOuter = JSON.parse(recorded.payloadText!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(outer).sort(), Object.keys(recordedOuter).sort());
  assert.equal(typeof outer.Content, "string", "Content is a JSON string, not an object");
  assert.equal(outer.SchemaVersion, 1);
  assert.equal(outer.TaskId, expected.sessionId);
  const inner = JSON.parse(outer.Content as string) as Record<string, unknown>;
  const recordedInner = JSON.parse(recordedOuter.Content as string) as Record<string, unknown>;
  assert.deepEqual(Object.keys(inner).sort(), Object.keys(recordedInner).sort());
  assert.equal(inner.SessionId, expected.sessionId);
  assert.equal(inner.DocumentName, expected.documentName);
  assert.deepEqual(inner.Parameters, {});
  assert.equal(inner.RunAsUser, "");
  assert.match(String(inner.SessionOwner), /^arn:aws:iam::\d{12}:user\//);
  const content = inner.DocumentContent as Record<string, unknown>;
  assert.equal(content.schemaVersion, "1.0");
  assert.equal(content.sessionType, "Standard_Stream");
  // Our own agent reads it too.
  assert.equal(parseInteractiveShell(frame.payload).sessionId, expected.sessionId);
  return content;
}

/** channel_closed to the agent: the recorded (fake-made) envelope and payload keys, this session's id. */
function assertChannelClosedToAgent(frame: DecodedFrame, sessionId: string): void {
  const recorded = a(15).decoded!;
  assert.equal(frame.messageType, "channel_closed");
  assert.equal(frame.sequenceNumber, recorded.sequenceNumber);
  assert.equal(frame.flags, recorded.flags);
  assert.equal(frame.payloadType, recorded.payloadType);
  const content = payloadJson(frame);
  assert.deepEqual(
    Object.keys(content).sort(),
    Object.keys(JSON.parse(recorded.payloadText!) as object).sort(),
  );
  assert.equal(content.SessionId, sessionId);
  assert.equal(content.DestinationId, NODE);
  assert.equal(content.MessageType, "channel_closed");
  assert.equal(content.SchemaVersion, 1);
}

/** agent_task_acknowledge: the recorded (fake-made) one, byte for byte in the payload, this session's id. */
function assertTaskAcknowledge(
  frame: DecodedFrame,
  recordedAck: VectorEntry,
  sessionId: string,
  recordedSessionId: string,
): void {
  const recorded = recordedAck.decoded!;
  assert.equal(frame.messageType, "agent_task_acknowledge");
  assert.equal(frame.sequenceNumber, recorded.sequenceNumber);
  assert.equal(frame.flags, recorded.flags);
  assert.equal(frame.payloadType, recorded.payloadType);
  assert.equal(
    frame.payload.toString("utf8"),
    payloadText(recordedAck).split(recordedSessionId).join(sessionId),
  );
}

for (const transport of ["ws", "wss"] as const) {
  describe(`golden vectors: the official agent's side (agent-gateway.json) against the gateway over ${transport}`, () => {
    let stack: StartedStack;
    let ssm: SSMClient;
    let agent: FakeAgent;
    let control: Inbox;

    const node = async () => {
      const out = await ssm.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [NODE] }] }),
      );
      assert.equal(out.InstanceInformationList?.length, 1);
      return out.InstanceInformationList![0]!;
    };
    const connection = async () => (await ssm.send(new GetConnectionStatusCommand({ Target: NODE }))).Status;
    const until = async (probe: () => Promise<boolean>, what: string) => {
      const deadline = Date.now() + WAIT_MS;
      while (!(await probe())) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const session = async (sessionId: string) => {
      for (const State of ["Active", "History"] as const) {
        const out = await ssm.send(
          new DescribeSessionsCommand({ State, Filters: [{ key: "SessionId", value: sessionId }] }),
        );
        if (out.Sessions?.[0]) return out.Sessions[0];
      }
      assert.fail(`no session ${sessionId}`);
    };
    const statusIs = (sessionId: string, status: SessionStatus) =>
      until(async () => (await session(sessionId)).Status === status, `${sessionId} ${status}`);
    /** The client side: StreamUrl, recorded plugin OpenDataChannel with the fresh token. */
    const attachClient = async (
      started: { StreamUrl?: string; TokenValue?: string },
      open: VectorEntry,
    ): Promise<Inbox> => {
      assert.ok(started.StreamUrl?.startsWith(`${transport}://`), started.StreamUrl);
      const socket = await openSocket(started.StreamUrl!, { headers: {}, ca: stack.tls?.caPem });
      const inbox = new Inbox(socket);
      socket.send(openFrame(open, started.TokenValue!));
      return inbox;
    };

    before(async () => {
      stack = await startStack({
        nodes: [],
        externalNodes: [NODE],
        timeScale: TIME_SCALE,
        tls: transport === "wss",
      });
      ssm = new SSMClient({
        endpoint: stack.endpoint,
        region: stack.region,
        credentials: stack.credentials,
        maxAttempts: 1,
        ...sdkTrusting(stack.tls?.caPem),
      });
      agent = new FakeAgent(stack.endpoint, stack.region, stack.credentials, stack.tls?.caPem);
      await ssm.send(
        new CreateDocumentCommand({
          Name: IDLE_DOCUMENT,
          DocumentType: "Session",
          Content: JSON.stringify({
            schemaVersion: "1.0",
            description: "Idle timeout of one minute (2 s at time scale 30)",
            sessionType: "Standard_Stream",
            inputs: { idleSessionTimeout: "1" },
          }),
        }),
      );
    });
    after(async () => {
      control?.socket.terminate();
      ssm.destroy();
      await stack.stop();
    });

    test("control channel: CreateControlChannel 201 XML, signed upgrade, OpenControlChannel makes the node Online", async () => {
      assert.deepEqual(stack.externalNodeIds, [NODE]);
      assert.equal((await node()).PingStatus, "ConnectionLost");
      assert.equal(await connection(), "notconnected");
      await assert.rejects(ssm.send(new StartSessionCommand({ Target: NODE })), TargetNotConnected);

      const reply = await agent.rest(a(0));
      assert.equal(reply.status, 201, reply.body);
      assert.equal(reply.type, "application/xml");
      const xml = xmlChildren(reply.body);
      const recorded = xmlChildren(a(1).text!);
      assert.equal(xml.root, recorded.root);
      assert.deepEqual(Object.keys(xml.children), Object.keys(recorded.children));
      assert.equal(xml.children.MessageSchemaVersion, "1.0");
      assert.ok(xml.children.TokenValue);

      assert.equal(a(2).http!.path, `/v1/control-channel/${NODE}?role=subscribe&stream=input`);
      const socket = await agent.dial(String(a(2).http!.path));
      control = new Inbox(socket);
      socket.send(openFrame(a(3), xml.children.TokenValue!));
      await until(async () => (await node()).PingStatus === "Online", "the node Online");
      assert.equal((await node()).AgentVersion, JSON.parse(a(3).text!).AgentVersion);
      assert.equal(await connection(), "connected");
      // The gateway sends nothing in answer to OpenControlChannel (no control_channel_ready for 3.3.1142.0).
      await control.quiet();
    });

    test("session A (idle timeout): interactive_shell, data channels, relay, channel_closed on both channels, task complete and its resend", async () => {
      const started = await ssm.send(new StartSessionCommand({ Target: NODE, DocumentName: IDLE_DOCUMENT }));
      const sessionId = started.SessionId!;
      const shell = await control.expect(MessageType.InteractiveShell);
      const content = assertInteractiveShell(shell.frame, { sessionId, documentName: IDLE_DOCUMENT });
      assert.equal((content.inputs as Record<string, unknown>).idleSessionTimeout, "1");

      // The plugin attaches first (as in the recordings), then the agent opens its data channel and reports
      // Connected: consumed by the gateway, so the first frame the client sees is the prompt.
      const client = await attachClient(started, p(1));
      const agentData = await agent.openDataChannel(sessionId, RECORDED_SESSION_A);
      agentData.socket.send(recordedBytes(a(10)));
      const prompt = await client.expect(MessageType.OutputStreamData);
      assert.deepEqual(prompt.bytes, recordedBytes(a(10)), "relayed byte for byte");
      await statusIs(sessionId, "Connected");

      // Relay both ways, byte for byte: plugin ack and Size to the agent, the agent's acks and output back.
      const relayToAgent = async (e: VectorEntry) => {
        client.socket.send(recordedBytes(e));
        assert.deepEqual((await agentData.expect(e.decoded!.messageType)).bytes, recordedBytes(e));
      };
      const relayToClient = async (e: VectorEntry) => {
        agentData.socket.send(recordedBytes(e));
        assert.deepEqual((await client.expect(e.decoded!.messageType)).bytes, recordedBytes(e));
      };
      await relayToAgent(p(3));
      await relayToAgent(p(4));
      await relayToClient(a(11));
      await relayToAgent(p(6));
      const lastInputAt = Date.now();
      await relayToClient(a(12));
      await relayToClient(a(13));
      await relayToAgent(p(9));
      await relayToClient(a(14));
      await relayToAgent(p(11));

      // Idle: the client gets the idle text; the agent gets channel_closed on its data and control channels.
      const closed = await client.expect(MessageType.ChannelClosed, WAIT_MS + 60_000 / TIME_SCALE);
      const idleAfterMs = Date.now() - lastInputAt;
      assert.ok(idleAfterMs >= 60_000 / TIME_SCALE - 100, `closed ${idleAfterMs} ms after the last input`);
      assert.equal(payloadJson(closed.frame).Output, IDLE_TEXT);
      assert.equal(payloadJson(closed.frame).SessionId, sessionId);
      assertChannelClosedToAgent((await agentData.expect(MessageType.ChannelClosed)).frame, sessionId);
      assertChannelClosedToAgent((await control.expect(MessageType.ChannelClosed)).frame, sessionId);
      const ended = stack.internals.sessions.get(sessionId)!;
      assert.equal(ended.status, "Terminated");
      assert.equal(ended.endCause, "idle-timeout");
      const endDate = ended.endDate;

      // The agent closes its data socket (no close frame) and reports; RetryNumber 1 and the RetryNumber 2
      // resend (same MessageId) are each acknowledged, echoing that MessageId; nothing ends twice.
      agentData.socket.terminate();
      assert.equal(a(17).decoded!.messageId, a(18).decoded!.messageId);
      for (const complete of [a(17), a(18)]) {
        control.socket.send(forSession(complete, RECORDED_SESSION_A, sessionId));
        const ack = await control.expect(MessageType.AgentTaskAcknowledge);
        assert.equal(payloadJson(ack.frame).MessageId, complete.decoded!.messageId);
        assertTaskAcknowledge(ack.frame, a(19), sessionId, RECORDED_SESSION_A);
      }
      await control.quiet();
      await client.quiet();
      assert.equal(ended.status, "Terminated");
      assert.equal(ended.endCause, "idle-timeout");
      assert.equal(ended.endDate, endDate);
      assert.equal((await session(sessionId)).Status, "Terminated");

      // The session is over for the service: the agent's reconnect stops on this text.
      const refused = await agent.rest(a(5), `/v1/data-channel/${sessionId}`);
      assert.notEqual(refused.status, 201);
      assert.match(refused.body, /Session is already terminated/);
    });

    test("session B (normal exit): pause without a client, Terminating, task complete, empty channel_closed Output", async () => {
      const started = await ssm.send(new StartSessionCommand({ Target: NODE }));
      const sessionId = started.SessionId!;
      const shell = await control.expect(MessageType.InteractiveShell);
      const content = assertInteractiveShell(shell.frame, {
        sessionId,
        documentName: "SSM-SessionManagerRunShell",
      });
      // The default document has the recorded shape: the same inputs, with booleans as JSON booleans.
      const recordedContent = JSON.parse(JSON.parse(a(4).decoded!.payloadText!).Content).DocumentContent;
      assert.deepEqual(Object.keys(content).sort(), Object.keys(recordedContent).sort());
      const inputs = content.inputs as Record<string, unknown>;
      assert.deepEqual(Object.keys(inputs).sort(), Object.keys(recordedContent.inputs).sort());
      for (const [key, value] of Object.entries(recordedContent.inputs as Record<string, unknown>))
        assert.equal(typeof inputs[key], typeof value, `inputs.${key}`);

      // The agent is first this time: the gateway pauses it until a client is attached.
      const agentData = await agent.openDataChannel(sessionId, RECORDED_SESSION_A);
      await agentData.expect(MessageType.PausePublication);
      const client = await attachClient(started, r(1));
      await agentData.expect(MessageType.StartPublication);
      await statusIs(sessionId, "Connected");

      // Normal exit: Terminating (consumed), the data socket closed, then agent_task_complete.
      agentData.socket.send(forSession(a(20), RECORDED_SESSION_B, sessionId));
      await statusIs(sessionId, "Terminating");
      agentData.socket.terminate();
      control.socket.send(forSession(a(21), RECORDED_SESSION_B, sessionId));
      const ack = await control.expect(MessageType.AgentTaskAcknowledge);
      assert.equal(payloadJson(ack.frame).MessageId, a(21).decoded!.messageId);
      assertTaskAcknowledge(ack.frame, a(22), sessionId, RECORDED_SESSION_B);

      const closed = await client.expect(MessageType.ChannelClosed);
      assert.equal(payloadJson(closed.frame).Output, "");
      assert.equal(payloadJson(closed.frame).SessionId, sessionId);
      await statusIs(sessionId, "Terminated");
      assert.equal(stack.internals.sessions.get(sessionId)!.endCause, "shell-exit");
      // The agent ended it: no channel_closed goes back to the agent.
      await control.quiet();
      await client.quiet();
    });

    test("session C (TerminateSession): channel_closed reaches the agent on both channels", async () => {
      const started = await ssm.send(new StartSessionCommand({ Target: NODE }));
      const sessionId = started.SessionId!;
      await control.expect(MessageType.InteractiveShell);
      const client = await attachClient(started, p(1));
      const agentData = await agent.openDataChannel(sessionId, RECORDED_SESSION_A);
      await statusIs(sessionId, "Connected");

      await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));
      const closed = await client.expect(MessageType.ChannelClosed);
      assert.equal(payloadJson(closed.frame).SessionId, sessionId);
      assert.equal(payloadJson(closed.frame).Output, "");
      assertChannelClosedToAgent((await agentData.expect(MessageType.ChannelClosed)).frame, sessionId);
      assertChannelClosedToAgent((await control.expect(MessageType.ChannelClosed)).frame, sessionId);
      await statusIs(sessionId, "Terminated");

      // The cancelled agent reports Success with an empty Output (real-agent-observations.md #21), acked.
      agentData.socket.terminate();
      control.socket.send(forSession(a(17), RECORDED_SESSION_A, sessionId));
      const ack = await control.expect(MessageType.AgentTaskAcknowledge);
      assert.equal(payloadJson(ack.frame).MessageId, a(17).decoded!.messageId);
      assert.equal(stack.internals.sessions.get(sessionId)!.endCause, "terminate-api");
      await control.quiet();
    });

    test("control channel closed: the node is ConnectionLost", async () => {
      control.socket.terminate();
      await until(async () => (await node()).PingStatus === "ConnectionLost", "the node ConnectionLost");
      assert.equal(await connection(), "notconnected");
      await assert.rejects(ssm.send(new StartSessionCommand({ Target: NODE })), TargetNotConnected);
    });
  });
}
