/**
 * The gateway relay across a client drop and resume: agent output the client never acknowledged (written to
 * the socket that died, or dropped while no client was attached) is replayed at once to the client that
 * attaches next, so recovery does not depend on the agent's one-message-per-round-trip resend scheduler.
 * Regression for the nothing-lost stall (test/reliability/nothing-lost.test.ts). Fake sockets, no timers.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, test } from "node:test";
import type WebSocket from "ws";
import { TimeScale } from "../../emulator/clock";
import { createLogger } from "../../emulator/logger";
import { OutputReplay } from "../../emulator/messages/outputReplay";
import { SessionRelay } from "../../emulator/messages/sessionRelay";
import type { SessionRecord } from "../../emulator/sessions/session";
import {
  ackFrame,
  DEFAULT_MAX_FRAME_BYTES,
  decodeFrame,
  encodeFrame,
  Flags,
  MessageType,
  PayloadType,
  streamDataFrame,
} from "../../protocol";

/** The part of a ws socket the relay uses; `sent` records every frame written to it. */
class FakeSocket extends EventEmitter {
  readonly sent: Buffer[] = [];
  bufferedAmount = 0;
  send(data: Buffer): void {
    this.sent.push(data);
  }
  terminate(): void {
    this.emit("close");
  }
  frames() {
    return this.sent.map((data) => decodeFrame(data));
  }
  /** Sequence numbers of the output_stream_data frames written to this socket. */
  outputSeqs(): number[] {
    return this.frames()
      .filter((f) => f.messageType === MessageType.OutputStreamData)
      .map((f) => f.sequenceNumber);
  }
}

const asWs = (socket: FakeSocket) => socket as unknown as WebSocket;
const output = (seq: number) =>
  encodeFrame(
    streamDataFrame(
      MessageType.OutputStreamData,
      seq,
      PayloadType.Output,
      Buffer.from(`line ${seq}\r\n`),
      Flags.None,
    ),
  );
const ackOf = (data: Buffer) => encodeFrame(ackFrame(decodeFrame(data)));

function relay(): SessionRelay {
  const session = {
    sessionId: "tester-0123456789abcdef0",
    preferences: { idleSessionTimeoutMinutes: 20, maxSessionDurationMinutes: null },
    lastActivityAt: 0,
  } as unknown as SessionRecord;
  const none = () => undefined;
  return new SessionRelay(
    session,
    new TimeScale(),
    { acksResetIdle: false, pauseAgentWithoutClient: true, maxFrameBytes: DEFAULT_MAX_FRAME_BYTES },
    { onIdleTimeout: none, onMaxDuration: none, onAgentSessionState: none, onClientDetached: none },
    createLogger("error"),
  );
}

describe("session relay: resume replays unacknowledged agent output", () => {
  test("output lost with the dropped client, or dropped while none was attached, goes to the next client in order", () => {
    const r = relay();
    const agent = new FakeSocket();
    const first = new FakeSocket();
    r.attachAgent(asWs(agent));
    r.attachClient(asWs(first));
    const frames = [0, 1, 2, 3, 4, 5].map(output);
    for (const data of frames.slice(0, 5)) agent.emit("message", data, true);
    assert.deepEqual(first.outputSeqs(), [0, 1, 2, 3, 4]);
    // The client read and acked 0 and 1; 2-4 were still in flight when its connection dropped.
    first.emit("message", ackOf(frames[0]!), true);
    first.emit("message", ackOf(frames[1]!), true);
    first.emit("close");
    // Output the agent sent before the pause_publication reached it.
    agent.emit("message", frames[5], true);

    const second = new FakeSocket();
    r.attachClient(asWs(second));
    assert.deepEqual(second.outputSeqs(), [2, 3, 4, 5], "replayed at once, in order, acked ones excluded");
    assert.deepEqual(
      agent.frames().map((f) => f.messageType),
      [
        ...["pause_publication", "start_publication"], // no client yet, then the first one
        ...["acknowledge", "acknowledge"],
        ...["pause_publication", "start_publication"], // the drop, then the resume
      ],
    );

    // What the new client acks is not replayed again; new output flows as before.
    for (const data of frames.slice(2)) second.emit("message", ackOf(data), true);
    agent.emit("message", output(6), true);
    second.emit("close");
    const third = new FakeSocket();
    r.attachClient(asWs(third));
    assert.deepEqual(third.outputSeqs(), [6]);
    r.close(0);
  });

  test("a client replacing one whose close was not seen yet gets the replay too", () => {
    const r = relay();
    const agent = new FakeSocket();
    const first = new FakeSocket();
    r.attachAgent(asWs(agent));
    r.attachClient(asWs(first));
    agent.emit("message", output(0), true);
    const second = new FakeSocket();
    r.attachClient(asWs(second));
    assert.deepEqual(second.outputSeqs(), [0]);
    r.close(0);
  });
});

describe("OutputReplay", () => {
  test("keeps each sequence number once, replays in sequence order, and forgets the oldest past its bound", () => {
    const replay = new OutputReplay(30);
    const data = (n: number) => Buffer.alloc(10, n);
    replay.keep(1, data(1));
    replay.keep(0, data(0)); // a resend of a message whose ack was lost
    replay.keep(1, data(9));
    assert.deepEqual(replay.pending(), [data(0), data(1)]);
    replay.keep(2, data(2));
    replay.keep(3, data(3));
    assert.deepEqual(replay.pending(), [data(0), data(2), data(3)], "1, kept first, was forgotten first");
  });

  test("only acks of output_stream_data count", () => {
    const replay = new OutputReplay();
    replay.keep(0, output(0));
    const inputAck = ackFrame({
      messageType: MessageType.InputStreamData,
      messageId: "m",
      sequenceNumber: 0,
    });
    replay.acknowledged(inputAck);
    assert.equal(replay.size, 1);
    replay.acknowledged(decodeFrame(ackOf(output(0))));
    assert.equal(replay.size, 0);
  });
});
