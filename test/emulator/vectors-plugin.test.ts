/**
 * The official session-manager-plugin's recorded frames (../shared/vectors/plugin-shell-session.json and
 * plugin-resume.json) replayed against the emulator, which must answer as the official agent did.
 *
 * Who plays the agent: the stack's built-in agent (a real shell in a PTY behind the real control and data
 * channels). A scripted fake agent would only echo back what the test scripts, so it would test the relay
 * and nothing else; the built-in agent makes the replay check the whole service side at once (gateway,
 * agent, reliable stream, shell): the prompt as output seq 0 with SYN, an ack for every recorded plugin
 * input naming its MessageId and sequence number, the echo, the numbering after ResumeSession, and the
 * channel_closed at the end. The gateway's own side against the official agent's frames is replayed in
 * vectors-agent.test.ts.
 *
 * How the plugin's frames are replayed:
 * - OpenDataChannel: the recorded text frame, key order kept, with this session's fresh TokenValue.
 * - input_stream_data (Size, keystrokes): the recorded bytes exactly, with the plugin's MessageIds,
 *   sequence numbers and CreatedDates.
 * - acknowledge of agent output: the recorded acks name the official agent's output MessageIds, which our
 *   agent does not produce. Each ack is replayed with its recorded envelope (MessageId, CreatedDate, flags,
 *   PayloadType) and its recorded payload (key order kept), with AcknowledgedMessageId and
 *   AcknowledgedMessageSequenceNumber substituted by those of the output frame we actually received; the
 *   k-th output frame gets the k-th recorded ack. Fed the official agent's own frame, the substitution gives
 *   back the recorded bytes exactly (checked below).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateDocumentCommand,
  DescribeSessionsCommand,
  DoesNotExistException,
  ResumeSessionCommand,
  type SessionStatus,
  SSMClient,
  StartSessionCommand,
} from "@aws-sdk/client-ssm";
import WebSocket from "ws";
import { type StartedStack, startStack } from "../../emulator/stack";
import { type DecodedFrame, decodeFrame, encodeFrame, type Frame, MessageType } from "../../protocol";
import { ArrivalWaiters, openSocket, payloadJson } from "../support/replayPeer";
import {
  loadVectors,
  openFrame,
  payloadText,
  recordedBytes,
  recordedFrame,
  type VectorEntry,
} from "../support/vectors";

const NODE = "i-0e5c1a2b3c4d5e6f7";
/** One configured minute lasts 4 s: long enough for a shell to start, short enough to wait for. */
const TIME_SCALE = 15;
const IDLE_DOCUMENT = "Vectors-IdleOneMinute";
/** What `sh` prints as its prompt: `# ` for root (as in the recordings), `$ ` otherwise. */
const PROMPT = /^[^\r\n]{0,40}[#$>%] $/;
const WAIT_MS = 10_000;

/** A recorded plugin ack, re-aimed at the output frame we received (see the header comment). */
function substitutedAck(template: VectorEntry, acked: Pick<Frame, "messageId" | "sequenceNumber">): Buffer {
  const content = JSON.parse(payloadText(template)) as Record<string, unknown>;
  content.AcknowledgedMessageId = acked.messageId;
  content.AcknowledgedMessageSequenceNumber = acked.sequenceNumber;
  return encodeFrame({ ...recordedFrame(template), payload: Buffer.from(JSON.stringify(content)) });
}

/**
 * The plugin's side of the data channel, replaying recorded frames. It records every binary frame the
 * service sends, acknowledges each new output frame with the next recorded ack (a resent output frame is
 * acknowledged again and not counted twice) and lets the test wait for frames.
 */
class ReplayClient {
  readonly received: DecodedFrame[] = [];
  /** Output frames by sequence number, first copy only. */
  readonly outputs = new Map<number, DecodedFrame>();
  private socket!: WebSocket;
  private acksSent = 0;
  private readonly arrivals = new ArrivalWaiters();

  constructor(private readonly ackTemplates: VectorEntry[]) {}

  async connect(streamUrl: string, openText: string): Promise<void> {
    // The plugin's upgrade carries no auth headers and no extensions.
    const socket = await openSocket(streamUrl);
    socket.on("message", (data, isBinary) => {
      if (isBinary && this.socket === socket) this.receive(data as Buffer);
    });
    this.socket = socket;
    socket.send(openText);
  }

  send(bytes: Buffer): void {
    this.socket.send(bytes);
  }

  sendRecorded(entry: VectorEntry): void {
    assert.equal(entry.producedBy, "official-plugin");
    this.send(recordedBytes(entry));
  }

  /** Drops the connection as the fake did to the plugin: TCP close, no close frame. */
  drop(): void {
    this.socket.terminate();
  }

  get closed(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.socket.once("close", () => resolve()));
  }

  /** Resolves with the first received frame matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (f: DecodedFrame) => boolean, what: string, timeoutMs = WAIT_MS): Promise<DecodedFrame> {
    return this.arrivals.until(() => this.received.find(match), what, timeoutMs);
  }

  /** The service's acknowledge of one of our input frames. */
  ackOf(input: VectorEntry): Promise<DecodedFrame> {
    const id = input.decoded!.messageId;
    return this.waitFor(
      (f) => f.messageType === MessageType.Acknowledge && payloadJson(f).AcknowledgedMessageId === id,
      `the acknowledge of ${input.decoded!.messageType} seq ${input.decoded!.sequenceNumber}`,
    );
  }

  /** Output text of consecutive sequence numbers from `fromSeq` on. */
  outputText(fromSeq: number): string {
    let text = "";
    for (let seq = fromSeq; this.outputs.has(seq); seq++)
      text += this.outputs.get(seq)!.payload.toString("utf8");
    return text;
  }

  /** Waits until the output from `fromSeq` on equals `expected` (or cannot become it any more). */
  async waitForOutput(fromSeq: number, expected: string): Promise<void> {
    await this.arrivals
      .until(
        () => {
          const text = this.outputText(fromSeq);
          return text.length >= expected.length ? true : undefined;
        },
        `output ${JSON.stringify(expected)} from seq ${fromSeq}`,
        WAIT_MS,
      )
      .catch((error: Error) => {
        throw new Error(`${error.message}; got ${JSON.stringify(this.outputText(fromSeq))}`);
      });
    assert.equal(this.outputText(fromSeq), expected);
  }

  get lastOutputSeq(): number {
    return Math.max(-1, ...this.outputs.keys());
  }

  private receive(data: Buffer): void {
    // The plugin decodes strictly: digest and length must be right.
    const frame = decodeFrame(data, { strict: true });
    this.received.push(frame);
    if (frame.messageType === MessageType.OutputStreamData) {
      if (!this.outputs.has(frame.sequenceNumber)) this.outputs.set(frame.sequenceNumber, frame);
      const template = this.ackTemplates[Math.min(this.acksSent, this.ackTemplates.length - 1)]!;
      this.acksSent++;
      this.send(substitutedAck(template, frame));
    }
    this.arrivals.wake();
  }
}

/** The agent's ack of a recorded plugin input: envelope and payload bytes as the official agent's. */
function assertAckLikeRecorded(actual: DecodedFrame, recordedAck: VectorEntry, input: VectorEntry): void {
  const r = recordedAck.decoded!;
  assert.equal(recordedAck.producedBy, "official-agent");
  assert.equal(actual.messageType, r.messageType);
  assert.equal(actual.schemaVersion, r.schemaVersion);
  assert.equal(actual.sequenceNumber, 0);
  assert.equal(actual.flags, 3);
  assert.equal(actual.payloadType, 0);
  // {"AcknowledgedMessageType":"input_stream_data","AcknowledgedMessageId":<the plugin's>,
  //  "AcknowledgedMessageSequenceNumber":<n>,"IsSequentialMessage":true}: the same bytes as the agent's.
  assert.equal(actual.payload.toString("utf8"), payloadText(recordedAck));
  const content = payloadJson(actual);
  assert.equal(content.AcknowledgedMessageId, input.decoded!.messageId);
  assert.equal(content.AcknowledgedMessageSequenceNumber, input.decoded!.sequenceNumber);
}

/** The first output: what the official agent sent as seq 0 (flags 1 = SYN, PayloadType 1), a prompt. */
function assertPromptLikeRecorded(actual: DecodedFrame, recorded: VectorEntry): string {
  const r = recorded.decoded!;
  assert.equal(recorded.producedBy, "official-agent");
  assert.equal(payloadText(recorded), "# ");
  assert.equal(actual.messageType, r.messageType);
  assert.equal(actual.schemaVersion, r.schemaVersion);
  assert.equal(actual.sequenceNumber, 0);
  assert.equal(actual.flags, 1);
  assert.equal(actual.payloadType, 1);
  const prompt = actual.payload.toString("utf8");
  assert.match(prompt, PROMPT);
  return prompt;
}

/** Later output: flags 0, PayloadType 1, consecutive sequence numbers. */
function assertLaterOutputs(client: ReplayClient, fromSeq: number): void {
  for (let seq = fromSeq; client.outputs.has(seq); seq++) {
    const frame = client.outputs.get(seq)!;
    assert.equal(frame.flags, 0, `output seq ${seq} flags`);
    assert.equal(frame.payloadType, 1, `output seq ${seq} PayloadType`);
  }
  assert.equal(Math.max(...client.outputs.keys()), client.outputs.size - 1, "output numbering has gaps");
}

/** channel_closed as the plugin gets it: the recorded (fake-made) frame's envelope and payload keys. */
function assertChannelClosed(
  actual: DecodedFrame,
  recorded: VectorEntry,
  expected: { sessionId: string; output: string },
): void {
  const r = recorded.decoded!;
  assert.equal(actual.messageType, "channel_closed");
  assert.equal(actual.sequenceNumber, r.sequenceNumber);
  assert.equal(actual.flags, r.flags);
  assert.equal(actual.payloadType, r.payloadType);
  const content = JSON.parse(actual.payload.toString("utf8")) as Record<string, unknown>;
  const recordedContent = JSON.parse(payloadText(recorded)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(content).sort(), Object.keys(recordedContent).sort());
  assert.equal(content.MessageType, "channel_closed");
  assert.equal(content.SchemaVersion, 1);
  assert.equal(content.SessionId, expected.sessionId);
  assert.equal(content.DestinationId, NODE);
  assert.equal(content.Output, expected.output);
  assert.match(String(content.MessageId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.ok(!Number.isNaN(Date.parse(String(content.CreatedDate))), "CreatedDate is an ISO-8601 instant");
}

/** Every frame the client got is one the plugin expects: no agent_session_state, no publication frames. */
function assertOnlyClientFrames(client: ReplayClient): void {
  const allowed = new Set<string>([
    MessageType.OutputStreamData,
    MessageType.Acknowledge,
    MessageType.ChannelClosed,
  ]);
  for (const frame of client.received) assert.ok(allowed.has(frame.messageType), frame.messageType);
}

describe("golden vectors: the official plugin's frames replayed against the emulator", () => {
  let stack: StartedStack;
  let ssm: SSMClient;

  const status = async (sessionId: string): Promise<SessionStatus | undefined> => {
    for (const state of ["Active", "History"] as const) {
      const out = await ssm.send(
        new DescribeSessionsCommand({ State: state, Filters: [{ key: "SessionId", value: sessionId }] }),
      );
      if (out.Sessions?.[0]) return out.Sessions[0].Status;
    }
    return undefined;
  };
  const waitForStatus = async (sessionId: string, wanted: SessionStatus): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    let last: SessionStatus | undefined;
    while (Date.now() < deadline) {
      last = await status(sessionId);
      if (last === wanted) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail(`session ${sessionId} is ${last}, not ${wanted}`);
  };

  before(async () => {
    stack = await startStack({ nodes: [NODE], timeScale: TIME_SCALE });
    ssm = new SSMClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: stack.credentials,
      maxAttempts: 1,
    });
    await ssm.send(
      new CreateDocumentCommand({
        Name: IDLE_DOCUMENT,
        DocumentType: "Session",
        DocumentFormat: "JSON",
        Content: JSON.stringify({
          schemaVersion: "1.0",
          description: "Idle timeout of one minute (4 s at time scale 15)",
          sessionType: "Standard_Stream",
          inputs: { idleSessionTimeout: "1", cloudWatchLogGroupName: "" },
        }),
      }),
    );
  });
  after(async () => {
    ssm.destroy();
    await stack.stop();
  });

  test("the ack substitution gives back the recorded bytes when fed the official agent's frames", () => {
    for (const file of ["plugin-shell-session.json", "plugin-resume.json"] as const) {
      const entries = loadVectors(file).entries;
      const outputs = entries.filter((e) => e.decoded?.messageType === MessageType.OutputStreamData);
      const acks = entries.filter(
        (e) => e.producedBy === "official-plugin" && e.decoded?.messageType === MessageType.Acknowledge,
      );
      assert.equal(acks.length, outputs.length, file);
      acks.forEach((ack, k) => {
        assert.equal(substitutedAck(ack, outputs[k]!.decoded!).toString("hex"), ack.hex, `${file} #${k}`);
      });
    }
  });

  test("plugin-shell-session.json: prompt, acks of Size and keystrokes, echo, idle channel_closed", async () => {
    const entries = loadVectors("plugin-shell-session.json").entries;
    const e = (i: number) => {
      const entry = entries[i]!;
      assert.equal(entry.index, i);
      return entry;
    };
    const started = await ssm.send(new StartSessionCommand({ Target: NODE, DocumentName: IDLE_DOCUMENT }));
    const sessionId = started.SessionId!;
    const client = new ReplayClient([e(3), e(9), e(11)]);
    await client.connect(started.StreamUrl!, openFrame(e(1), started.TokenValue!));

    // The prompt comes first: seq 0, flags 1 (SYN), PayloadType 1. The client acks it (recorded ack #3).
    const first = await client.waitFor((f) => f.messageType === MessageType.OutputStreamData, "the prompt");
    assert.equal(client.received[0], first, "the first frame the plugin gets is the prompt");
    const prompt = assertPromptLikeRecorded(first, e(2));
    await waitForStatus(sessionId, "Connected");

    // Size (input seq 0, PayloadType 3), then the keystrokes `echo hi\n` (input seq 1): each acked as the
    // official agent did, naming the plugin's MessageId and sequence number.
    client.sendRecorded(e(4));
    assertAckLikeRecorded(await client.ackOf(e(4)), e(5), e(4));
    client.sendRecorded(e(6));
    const lastInputAt = Date.now();
    assertAckLikeRecorded(await client.ackOf(e(6)), e(7), e(6));

    // The echo: the official agent sent `echo hi\r\n` (seq 1) and `hi\r\n# ` (seq 2); our chunking may differ,
    // the bytes and the numbering may not.
    assert.equal(payloadText(e(8)) + payloadText(e(10)), "echo hi\r\nhi\r\n# ");
    await client.waitForOutput(1, `echo hi\r\nhi\r\n${prompt}`);
    assertLaterOutputs(client, 1);

    // The recording ends with the (fake-made) idle channel_closed; ours comes one configured minute after
    // the last input, with the idle text the plugin printed.
    const closed = await client.waitFor(
      (f) => f.messageType === MessageType.ChannelClosed,
      "channel_closed",
      WAIT_MS + 60_000 / TIME_SCALE,
    );
    const idleAfterMs = Date.now() - lastInputAt;
    assertChannelClosed(closed, e(12), {
      sessionId,
      output: "Your session timed out due to inactivity and has been terminated.",
    });
    assert.equal(
      JSON.parse(payloadText(e(12))).Output,
      "Your session timed out due to inactivity and has been terminated.",
    );
    const idleMs = 60_000 / TIME_SCALE;
    assert.ok(
      idleAfterMs >= idleMs - 100 && idleAfterMs < idleMs + 2_000,
      `idle close after ${idleAfterMs} ms`,
    );
    await client.closed;
    assert.equal(client.received.filter((f) => f.messageType === MessageType.ChannelClosed).length, 1);
    assertOnlyClientFrames(client);
    assert.equal(await status(sessionId), "Terminated");
  });

  test("plugin-resume.json: ResumeSession, second OpenDataChannel, continued numbering, exit", async () => {
    const entries = loadVectors("plugin-resume.json").entries;
    const e = (i: number) => {
      const entry = entries[i]!;
      assert.equal(entry.index, i);
      return entry;
    };
    const started = await ssm.send(new StartSessionCommand({ Target: NODE }));
    const sessionId = started.SessionId!;
    const client = new ReplayClient([e(3), e(9), e(11), e(19), e(23)]);
    await client.connect(started.StreamUrl!, openFrame(e(1), started.TokenValue!));

    const prompt = assertPromptLikeRecorded(
      await client.waitFor((f) => f.messageType === MessageType.OutputStreamData, "the prompt"),
      e(2),
    );
    client.sendRecorded(e(4));
    assertAckLikeRecorded(await client.ackOf(e(4)), e(5), e(4));
    client.sendRecorded(e(6));
    assertAckLikeRecorded(await client.ackOf(e(6)), e(7), e(6));
    await client.waitForOutput(1, `echo hi\r\nhi\r\n${prompt}`);
    const lastSeqBeforeDrop = client.lastOutputSeq;

    // The fake closed the plugin's socket without a close frame; here the client drops it the same way,
    // once its acks are out (an ack lost with the socket would only make the agent resend that output).
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.drop();
    await waitForStatus(sessionId, "Disconnected");

    // ResumeSession: the recorded request body; a fresh token and the same StreamUrl, as the fake answered.
    assert.deepEqual(JSON.parse(e(12).text!), { SessionId: "tester-2ee8398311c22ef85" });
    const resumed = await ssm.send(new ResumeSessionCommand({ SessionId: sessionId }));
    const recordedReply = JSON.parse(e(13).text!) as Record<string, unknown>;
    const { $metadata: _m, ...reply } = resumed;
    assert.deepEqual(Object.keys(reply).sort(), Object.keys(recordedReply).sort());
    assert.equal(resumed.SessionId, sessionId);
    assert.equal(resumed.StreamUrl, started.StreamUrl);
    assert.ok(resumed.TokenValue && resumed.TokenValue !== started.TokenValue);

    // The second OpenDataChannel: new token, the same ClientId.
    assert.equal(JSON.parse(e(15).text!).ClientId, JSON.parse(e(1).text!).ClientId);
    await client.connect(resumed.StreamUrl!, openFrame(e(15), resumed.TokenValue!));
    await waitForStatus(sessionId, "Connected");

    // Input numbering continues at 2 and output numbering where it stopped: no new handshake, no reset.
    assert.equal(e(16).decoded!.sequenceNumber, 2);
    client.sendRecorded(e(16));
    assertAckLikeRecorded(await client.ackOf(e(16)), e(18), e(16));
    assert.equal(payloadText(e(17)), "echo again\r\nagain\r\n# ");
    await client.waitForOutput(lastSeqBeforeDrop + 1, `echo again\r\nagain\r\n${prompt}`);

    const beforeExit = client.lastOutputSeq;
    client.sendRecorded(e(20));
    assertAckLikeRecorded(await client.ackOf(e(20)), e(21), e(20));
    await client.waitForOutput(beforeExit + 1, "exit\r\n");
    assertLaterOutputs(client, 1);

    // Normal exit: channel_closed with an empty Output (the plugin then prints its own "Exiting session").
    const closed = await client.waitFor((f) => f.messageType === MessageType.ChannelClosed, "channel_closed");
    assertChannelClosed(closed, e(24), { sessionId, output: "" });
    await client.closed;
    assertOnlyClientFrames(client);
    assert.equal(await status(sessionId), "Terminated");

    // A terminated session resumes without a token (the plugin prints "timed out" and exits 0); an unknown
    // one is DoesNotExistException.
    const again = await ssm.send(new ResumeSessionCommand({ SessionId: sessionId }));
    assert.equal(again.SessionId, sessionId);
    assert.equal(again.TokenValue, undefined);
    assert.equal(again.StreamUrl, undefined);
    await assert.rejects(
      ssm.send(new ResumeSessionCommand({ SessionId: "tester-0123456789abcdef0" })),
      DoesNotExistException,
    );
  });
});
