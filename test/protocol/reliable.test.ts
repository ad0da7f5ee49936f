import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  channelClosedFrame,
  decodeFrame as decode,
  encodeFrame,
  type Frame,
  type GiveUpInfo,
  INITIAL_RTO_STATE,
  MessageType,
  makeFrame,
  PayloadType,
  PLUGIN_MAX_RESENDS,
  ProtocolError,
  ReliableStream,
  streamTimeoutReason,
  updateRto,
  VirtualClock,
} from "../../protocol";
import { ackContent, ackedSeqs, dataSeqs, endpoint, peerAck, peerData } from "./reliable-helpers";

const text = (s: string) => Buffer.from(s);

describe("ReliableStream: numbering and flags (spec 7.4)", () => {
  test("agent role: output_stream_data from 0, SYN on seq 0 only", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("agent", clock);
    assert.deepEqual(
      [0, 1, 2].map(() => stream.sendData(PayloadType.Output, text("x"))),
      [0, 1, 2],
    );
    assert.deepEqual(
      sent.map((f) => [f.messageType, f.sequenceNumber, f.flags, f.payloadType]),
      [
        ["output_stream_data", 0, 1, 1],
        ["output_stream_data", 1, 0, 1],
        ["output_stream_data", 2, 0, 1],
      ],
    );
    assert.equal(stream.nextSequenceNumber, 3);
    assert.equal(sent[0]!.createdDate, clock.now());
  });

  test("client role: input_stream_data from 0, flags always 0", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("client", clock);
    stream.sendData(PayloadType.Size, text('{"cols":80,"rows":24}'));
    stream.sendData(PayloadType.Output, text("ls\r"));
    assert.deepEqual(
      sent.map((f) => [f.messageType, f.sequenceNumber, f.flags, f.payloadType]),
      [
        ["input_stream_data", 0, 0, 3],
        ["input_stream_data", 1, 0, 1],
      ],
    );
  });
});

describe("ReliableStream: acknowledgements of own messages", () => {
  test("an ack removes exactly the message with that sequence number", () => {
    const clock = new VirtualClock();
    const { stream } = endpoint("agent", clock);
    for (let i = 0; i < 3; i++) stream.sendData(PayloadType.Output, text(`m${i}`));
    assert.deepEqual(stream.receive(peerAck("agent", 1, clock)), {
      kind: "acknowledge",
      sequenceNumber: 1,
      matched: true,
    });
    assert.equal(stream.unacked, 2);
    assert.equal(stream.receive(peerAck("agent", 1, clock)).kind, "acknowledge");
    assert.deepEqual(stream.receive(peerAck("agent", 7, clock)), {
      kind: "acknowledge",
      sequenceNumber: 7,
      matched: false,
    });
    assert.equal(stream.unacked, 2);
    assert.equal(stream.stats.acked, 1);
  });

  test("RTO math matches hand-computed values (alpha 1/8, beta 1/4, G 10 ms, cap 1 s)", () => {
    assert.deepEqual(INITIAL_RTO_STATE, { rtt: 100, rttvar: 0, rto: 200 });
    // R=50: RTTVAR = 0.25*|100-50| = 12.5; RTT = 87.5 + 6.25 = 93.75; RTO = 93.75 + max(10, 50).
    const s1 = updateRto(INITIAL_RTO_STATE, 50);
    assert.deepEqual(s1, { rtt: 93.75, rttvar: 12.5, rto: 143.75 });
    // R=300: RTTVAR = 9.375 + 0.25*206.25 = 60.9375; RTT = 82.03125 + 37.5 = 119.53125; RTO = RTT + 243.75.
    const s2 = updateRto(s1, 300);
    assert.deepEqual(s2, { rtt: 119.53125, rttvar: 60.9375, rto: 363.28125 });
    // A sample equal to RTT with no variation: the clock granularity is the floor of the margin.
    assert.equal(updateRto({ rtt: 100, rttvar: 0, rto: 200 }, 100).rto, 110);
    assert.equal(updateRto(s2, 5000).rto, 1000);
  });

  test("the stream samples RTT from the ack time minus the message's last send time", () => {
    const clock = new VirtualClock();
    const { stream } = endpoint("agent", clock);
    stream.sendData(PayloadType.Output, text("a"));
    clock.advance(50);
    stream.receive(peerAck("agent", 0, clock));
    assert.equal(stream.rto.rto, 143.75);
    stream.sendData(PayloadType.Output, text("b"));
    clock.advance(100); // below the RTO of 143.75, so no resend moves lastSent
    stream.receive(peerAck("agent", 1, clock));
    // R=100: RTTVAR = 9.375 + 0.25*6.25 = 10.9375; RTT = 82.03125 + 12.5 = 94.53125; RTO = RTT + 43.75.
    assert.deepEqual(stream.rto, { rtt: 94.53125, rttvar: 10.9375, rto: 138.28125 });
  });

  test("agent policy samples from the last resend; plugin policy from the first send", () => {
    for (const [role, expected] of [
      ["agent", { rtt: 106.25, rttvar: 12.5, rto: 156.25 }], // resent at +300, acked at +450: R = 150
      ["client", { rtt: 143.75, rttvar: 87.5, rto: 493.75 }], // first sent at 0, acked at +450: R = 450
    ] as const) {
      const clock = new VirtualClock();
      const { stream } = endpoint(role, clock);
      stream.sendData(PayloadType.Output, text("a"));
      clock.advance(450);
      stream.receive(peerAck(role, 0, clock));
      assert.deepEqual(stream.rto, expected, role);
    }
  });
});

describe("ReliableStream: resend scheduler", () => {
  test("agent policy: the oldest is resent once its RTO has passed, then after another RTO", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("agent", clock);
    const t0 = clock.now();
    stream.sendData(PayloadType.Output, text("a"));
    stream.sendData(PayloadType.Output, text("b"));
    const times: number[] = [];
    const seen = sent.length;
    // Ticks every 100 ms from construction; "now - lastSent > 200" first holds at +300, then +600, +900.
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      while (times.length < sent.length - seen) times.push(clock.now() - t0);
    }
    assert.deepEqual(times, [300, 600, 900]);
    assert.deepEqual(dataSeqs(sent.slice(seen)), [0, 0, 0], "only the oldest is ever resent");
    assert.equal(stream.stats.resent, 3);
  });

  test("plugin policy: once the RTO has passed the oldest is resent on every 100 ms tick", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("client", clock);
    stream.sendData(PayloadType.Output, text("a"));
    clock.advance(1000);
    assert.equal(stream.stats.resent, 8); // +300, +400, ..., +1000
    stream.receive(peerAck("client", 0, clock));
    clock.advance(1000);
    assert.equal(sent.length, 9);
  });

  test("resendPolicy can be chosen independently of the role", () => {
    const clock = new VirtualClock();
    const { stream } = endpoint("client", clock, { resendPolicy: "agent" });
    stream.sendData(PayloadType.Output, text("a"));
    clock.advance(1000);
    assert.equal(stream.stats.resent, 3);
  });
});

describe("ReliableStream: incoming stream data", () => {
  test("in order: delivered, then acked with the frame's type, MessageId and seq; expected advances", () => {
    const clock = new VirtualClock();
    const ep = endpoint("agent", clock);
    const frame = peerData("agent", 0, "ls\r", clock);
    const result = ep.stream.receive(frame);
    assert.equal(result.kind, "stream-data");
    assert.deepEqual(ep.delivered, ["ls\r"]);
    assert.equal(ep.stream.expectedSequenceNumber, 1);
    const ack = ep.sent[0]!;
    assert.deepEqual(
      [ack.messageType, ack.sequenceNumber, ack.flags, ack.payloadType],
      ["acknowledge", 0, 3, 0],
    );
    assert.deepEqual(ackContent(ack), {
      AcknowledgedMessageType: "input_stream_data",
      AcknowledgedMessageId: (result as { frame: Frame }).frame.messageId,
      AcknowledgedMessageSequenceNumber: 0,
      IsSequentialMessage: true,
    });
  });

  test("duplicates: the agent role re-acks, the client role ignores without ack", () => {
    for (const [role, reacks] of [
      ["agent", true],
      ["client", false],
    ] as const) {
      const clock = new VirtualClock();
      const ep = endpoint(role, clock);
      const frame = peerData(role, 0, "a", clock);
      ep.stream.receive(frame);
      ep.stream.receive(frame);
      assert.deepEqual(ep.delivered, ["a"], role);
      assert.deepEqual(ackedSeqs(ep.sent), reacks ? [0, 0] : [0], role);
      assert.equal(ep.stream.stats.duplicates, 1);
    }
    const clock = new VirtualClock();
    const ep = endpoint("client", clock, { reackDuplicates: true });
    const frame = peerData("client", 0, "a", clock);
    ep.stream.receive(frame);
    ep.stream.receive(frame);
    assert.deepEqual(ackedSeqs(ep.sent), [0, 0], "reackDuplicates overrides the role default");
  });

  test("handler not ready: no ack, expected unchanged; the resent frame is delivered later", () => {
    for (const role of ["agent", "client"] as const) {
      const clock = new VirtualClock();
      const ep = endpoint(role, clock);
      ep.ready = false;
      const frame = peerData(role, 0, "a", clock);
      ep.stream.receive(frame);
      assert.deepEqual(ep.sent, [], role);
      assert.equal(ep.stream.expectedSequenceNumber, 0);
      assert.equal(ep.stream.stats.notReady, 1);
      ep.ready = true;
      ep.stream.receive(frame); // the peer's resend
      assert.deepEqual(ep.delivered, ["a"]);
      assert.deepEqual(ackedSeqs(ep.sent), [0]);
      assert.equal(ep.stream.expectedSequenceNumber, 1);
    }
  });

  test("a throwing handler counts as not ready and is logged", () => {
    const clock = new VirtualClock();
    const warnings: string[] = [];
    const stream = new ReliableStream({
      role: "agent",
      clock,
      send: () => {},
      deliver: () => {
        throw new Error("pty not started");
      },
      logger: { debug: () => {}, warn: (m) => warnings.push(m) },
    });
    stream.receive(peerData("agent", 0, "a", clock));
    assert.equal(stream.expectedSequenceNumber, 0);
    assert.equal(stream.stats.acksSent, 0);
    assert.match(warnings[0]!, /pty not started/);
  });

  test("out of order: ahead messages are acked and stored, then delivered in order", () => {
    const clock = new VirtualClock();
    const ep = endpoint("client", clock);
    ep.stream.receive(peerData("client", 2, "c", clock));
    ep.stream.receive(peerData("client", 1, "b", clock));
    assert.deepEqual(ep.delivered, []);
    assert.deepEqual(ackedSeqs(ep.sent), [2, 1]);
    ep.stream.receive(peerData("client", 0, "a", clock));
    assert.deepEqual(ep.delivered, ["a", "b", "c"]);
    assert.deepEqual(ackedSeqs(ep.sent), [2, 1, 0]);
    assert.equal(ep.stream.expectedSequenceNumber, 3);
    assert.equal(ep.stream.stats.outOfOrder, 2);
  });

  test("a full incoming buffer neither acks nor stores ahead messages", () => {
    const clock = new VirtualClock();
    const ep = endpoint("agent", clock, { incomingCapacity: 1 });
    ep.stream.receive(peerData("agent", 1, "b", clock));
    ep.stream.receive(peerData("agent", 2, "c", clock));
    assert.deepEqual(ackedSeqs(ep.sent), [1]);
    ep.stream.receive(peerData("agent", 0, "a", clock));
    assert.deepEqual(ep.delivered, ["a", "b"]);
    assert.equal(ep.stream.expectedSequenceNumber, 2);
  });

  test("an in-order message the handler refuses is not stored: it waits for the peer's resend", () => {
    const clock = new VirtualClock();
    const ep = endpoint("agent", clock);
    ep.stream.receive(peerData("agent", 1, "b", clock));
    ep.ready = false;
    ep.stream.receive(peerData("agent", 0, "a", clock));
    ep.ready = true;
    clock.advance(1000);
    assert.deepEqual(ep.delivered, []);
    assert.deepEqual(ackedSeqs(ep.sent), [1]);
    ep.stream.receive(peerData("agent", 0, "a", clock));
    assert.deepEqual(ep.delivered, ["a", "b"]);
    assert.deepEqual(ackedSeqs(ep.sent), [1, 0]);
  });

  test("a stored successor refused while draining is retried by the scheduler", () => {
    const clock = new VirtualClock();
    let refuse = new Set(["b"]);
    const delivered: string[] = [];
    const stream = new ReliableStream({
      role: "agent",
      clock,
      send: () => {},
      deliver: (frame) => {
        const payload = frame.payload.toString();
        if (refuse.has(payload)) return false;
        delivered.push(payload);
        return true;
      },
    });
    stream.receive(peerData("agent", 1, "b", clock));
    stream.receive(peerData("agent", 2, "c", clock));
    stream.receive(peerData("agent", 0, "a", clock));
    assert.deepEqual(delivered, ["a"]);
    assert.equal(stream.expectedSequenceNumber, 1);
    refuse = new Set();
    clock.advance(100);
    assert.deepEqual(delivered, ["a", "b", "c"]);
    assert.equal(stream.expectedSequenceNumber, 3);
  });

  test("client role: handshake payloads are acked before processing, others only after acceptance", () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    let ready = true;
    const stream = new ReliableStream({
      role: "client",
      clock,
      send: () => order.push("ack"),
      deliver: (frame) => {
        order.push(`deliver ${frame.payloadType}`);
        return ready;
      },
    });
    stream.receive(peerData("client", 0, "{}", clock, PayloadType.HandshakeRequest));
    stream.receive(peerData("client", 1, "{}", clock, PayloadType.EncChallengeRequest));
    stream.receive(peerData("client", 2, "{}", clock, PayloadType.HandshakeComplete));
    stream.receive(peerData("client", 3, "$ ", clock, PayloadType.Output));
    assert.deepEqual(order, ["ack", "deliver 5", "ack", "deliver 8", "ack", "deliver 7", "deliver 1", "ack"]);

    // An ack-first message the handler refuses has been acked (no resend will come): it is kept and retried.
    order.length = 0;
    ready = false;
    stream.receive(peerData("client", 4, "{}", clock, PayloadType.HandshakeComplete));
    assert.deepEqual(order, ["ack", "deliver 7"]);
    ready = true;
    clock.advance(100);
    assert.deepEqual(order, ["ack", "deliver 7", "deliver 7"]);
    assert.equal(stream.expectedSequenceNumber, 5);
  });

  test("the agent role processes before acking every payload type, handshake included", () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    const stream = new ReliableStream({
      role: "agent",
      clock,
      send: () => order.push("ack"),
      deliver: () => {
        order.push("deliver");
        return true;
      },
    });
    stream.receive(peerData("agent", 0, "{}", clock, PayloadType.HandshakeResponse));
    assert.deepEqual(order, ["deliver", "ack"]);
  });

  test("an asynchronous handler is awaited: later frames wait, order and acks are preserved", async () => {
    const clock = new VirtualClock();
    const acks: number[] = [];
    const delivered: string[] = [];
    const gates: Array<(ok: boolean) => void> = [];
    const stream = new ReliableStream({
      role: "agent",
      clock,
      send: (bytes) => acks.push(...ackedSeqs([decode(bytes)])),
      deliver: (frame) =>
        new Promise<boolean>((resolve) => {
          gates.push((ok) => {
            if (ok) delivered.push(frame.payload.toString());
            resolve(ok);
          });
        }),
    });
    stream.receive(peerData("agent", 0, "a", clock));
    stream.receive(peerData("agent", 1, "b", clock));
    assert.equal(gates.length, 1, "the second frame waits for the first delivery");
    gates.shift()!(false); // not ready
    await settle();
    assert.deepEqual(acks, [1], "0 refused: no ack; 1 is ahead of expected 0: acked and stored");
    assert.equal(gates.length, 0);
    stream.receive(peerData("agent", 0, "a", clock));
    gates.shift()!(true);
    await settle();
    gates.shift()!(true);
    await stream.whenIdle();
    assert.deepEqual(delivered, ["a", "b"]);
    assert.deepEqual(acks, [1, 0]);
    assert.equal(stream.expectedSequenceNumber, 2);
  });
});

describe("ReliableStream: pause_publication / start_publication", () => {
  const publication = (type: string, clock: VirtualClock) =>
    encodeFrame(control(type, Buffer.alloc(0), clock));

  test("agent role: paused messages are numbered and buffered but neither sent nor resent", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("agent", clock);
    stream.sendData(PayloadType.Output, text("a"));
    const paused = stream.receive(publication(MessageType.PausePublication, clock));
    assert.deepEqual(paused.kind === "publication" && paused.paused, true);
    assert.equal(stream.sendData(PayloadType.Output, text("b")), 1);
    clock.advance(2000);
    assert.deepEqual(dataSeqs(sent), [0], "nothing sent or resent while paused");
    assert.equal(stream.unacked, 2);

    stream.receive(publication(MessageType.StartPublication, clock));
    stream.sendData(PayloadType.Output, text("c"));
    assert.deepEqual(dataSeqs(sent), [0, 2]);
    clock.advance(100);
    assert.deepEqual(dataSeqs(sent), [0, 2, 0], "held messages go out through the scheduler, oldest first");
    stream.receive(peerAck("agent", 0, clock));
    clock.advance(100);
    assert.deepEqual(dataSeqs(sent), [0, 2, 0, 1]);
  });

  test("agent role: receiving input_stream_data or an acknowledge clears the pause", () => {
    for (const clear of ["data", "ack"] as const) {
      const clock = new VirtualClock();
      const { stream, sent } = endpoint("agent", clock);
      stream.receive(publication(MessageType.PausePublication, clock));
      assert.equal(stream.paused, true);
      stream.receive(clear === "data" ? peerData("agent", 0, "x", clock) : peerAck("agent", 9, clock));
      assert.equal(stream.paused, false, clear);
      stream.sendData(PayloadType.Output, text("a"));
      assert.deepEqual(dataSeqs(sent.filter((f) => f.messageType !== "acknowledge")), [0]);
    }
  });

  test("client role: both are no-ops", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("client", clock);
    const result = stream.receive(publication(MessageType.PausePublication, clock));
    assert.deepEqual(result.kind === "publication" && result.paused, false);
    stream.sendData(PayloadType.Output, text("a"));
    assert.equal(sent.length, 1);
  });
});

describe("ReliableStream: bounded outgoing buffer", () => {
  test("agent role: when full, a new message is sent once and never resent", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("agent", clock, { outgoingCapacity: 2 });
    for (const m of ["a", "b", "c"]) stream.sendData(PayloadType.Output, text(m));
    assert.deepEqual(dataSeqs(sent), [0, 1, 2]);
    assert.equal(stream.unacked, 2);
    assert.equal(stream.stats.overflowed, 1);
    stream.receive(peerAck("agent", 0, clock));
    stream.receive(peerAck("agent", 1, clock));
    clock.advance(5000);
    assert.deepEqual(dataSeqs(sent), [0, 1, 2], "seq 2 was never buffered");
  });

  test("client role: when full, the oldest is evicted", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("client", clock, { outgoingCapacity: 2 });
    for (const m of ["a", "b", "c"]) stream.sendData(PayloadType.Output, text(m));
    assert.equal(stream.unacked, 2);
    assert.equal(stream.stats.overflowed, 1);
    clock.advance(300);
    assert.deepEqual(dataSeqs(sent), [0, 1, 2, 1], "the oldest left is seq 1");
  });

  test("default capacities: 100 000 (agent) and 10 000 (client)", () => {
    const clock = new VirtualClock();
    for (const [role, capacity] of [
      ["agent", 100_000],
      ["client", 10_000],
    ] as const) {
      const stream = new ReliableStream({ role, clock, send: () => {}, deliver: () => true });
      for (let i = 0; i <= capacity; i++) stream.sendData(PayloadType.Output, text("x"));
      assert.equal(stream.unacked, capacity, role);
      assert.equal(stream.stats.overflowed, 1, role);
      stream.close();
    }
  });
});

describe("ReliableStream: giving up", () => {
  test("client role gives up after maxResends and reports once", () => {
    const clock = new VirtualClock();
    const reports: GiveUpInfo[] = [];
    const { stream, sent } = endpoint("client", clock, { maxResends: 5, onGiveUp: (i) => reports.push(i) });
    stream.sendData(PayloadType.Output, text("a"));
    clock.advance(799); // resends at +300..+700
    assert.equal(stream.stats.resent, 5);
    assert.deepEqual(reports, []);
    clock.advance(1);
    assert.deepEqual(reports, [{ sequenceNumber: 0, resends: 5 }]);
    clock.advance(10_000);
    assert.equal(reports.length, 1);
    assert.equal(sent.length, 6, "nothing is resent after giving up");
    assert.equal(
      streamTimeoutReason("s-1"),
      "Terminating session s-1 as the stream data was not processed before timeout.",
    );
  });

  test("client role default: 3000 resends, about five minutes", () => {
    const clock = new VirtualClock();
    const reports: GiveUpInfo[] = [];
    const { stream } = endpoint("client", clock, { onGiveUp: (i) => reports.push(i) });
    stream.sendData(PayloadType.Output, text("a"));
    clock.advance(300_299); // 3000th resend at +300 200
    assert.equal(stream.stats.resent, PLUGIN_MAX_RESENDS);
    assert.equal(reports.length, 0);
    clock.advance(1);
    assert.deepEqual(reports, [{ sequenceNumber: 0, resends: 3000 }]);
  });

  test("agent role never gives up", () => {
    const clock = new VirtualClock();
    const reports: GiveUpInfo[] = [];
    const { stream } = endpoint("agent", clock, { onGiveUp: (i) => reports.push(i) });
    stream.sendData(PayloadType.Output, text("a"));
    clock.advance(1_200_000);
    assert.deepEqual(reports, []);
    assert.equal(stream.stats.resent, 4000); // every 300 ms on virtual time
  });
});

describe("ReliableStream: reconnect, drain, close", () => {
  test("reconnect keeps numbering, resends what is unacked on the new transport and clears a pause", () => {
    const clock = new VirtualClock();
    const first: Frame[] = [];
    const second: Frame[] = [];
    const stream = new ReliableStream({
      role: "agent",
      clock,
      send: (b) => first.push(decode(b)),
      deliver: () => true,
    });
    for (const m of ["a", "b", "c"]) stream.sendData(PayloadType.Output, text(m));
    stream.receive(peerAck("agent", 1, clock));
    stream.receive(peerData("agent", 0, "in", clock));
    stream.receive(encodeFrame(control(MessageType.PausePublication, Buffer.alloc(0), clock)));
    stream.reconnect((b) => second.push(decode(b)));
    assert.equal(stream.paused, false);
    assert.deepEqual(dataSeqs(second), [0, 2]);
    assert.equal(stream.sendData(PayloadType.Output, text("d")), 3);
    assert.deepEqual(dataSeqs(second), [0, 2, 3]);
    assert.equal(second.at(-1)!.flags, 0, "no SYN after a reconnect");
    stream.receive(peerData("agent", 1, "in2", clock));
    assert.deepEqual(ackedSeqs(second), [1], "the incoming side keeps its expected number too");
    assert.equal(first.length, 4);
  });

  test("a failing transport is logged; the message stays buffered and is resent", () => {
    const clock = new VirtualClock();
    const warnings: string[] = [];
    let up = false;
    let delivered = 0;
    const stream = new ReliableStream({
      role: "agent",
      clock,
      send: () => {
        if (!up) throw new Error("Connection is closed");
        delivered++;
      },
      deliver: () => true,
      logger: { debug: () => {}, warn: (m) => warnings.push(m) },
    });
    stream.sendData(PayloadType.Output, text("a"));
    assert.match(warnings[0]!, /Connection is closed/);
    up = true;
    clock.advance(300);
    assert.equal(delivered, 1);
  });

  test("drain resolves true when everything is acked, false after the timeout (default 2 s)", async () => {
    const clock = new VirtualClock();
    const { stream } = endpoint("agent", clock);
    assert.equal(await stream.drain(), true, "empty: at once");
    stream.sendData(PayloadType.Output, text("a"));
    const acked = stream.drain();
    clock.advance(50);
    stream.receive(peerAck("agent", 0, clock));
    assert.equal(await acked, true);

    stream.sendData(PayloadType.Output, text("b"));
    let result: boolean | undefined;
    void stream.drain().then((r) => {
      result = r;
    });
    clock.advance(1999);
    await settle();
    assert.equal(result, undefined);
    clock.advance(1);
    await settle();
    assert.equal(result, false);
  });

  test("close stops the scheduler, settles drains and refuses further use", async () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("agent", clock);
    stream.sendData(PayloadType.Output, text("a"));
    const pending = stream.drain(10_000);
    stream.close();
    assert.equal(await pending, false);
    assert.equal(clock.pending, 0);
    clock.advance(5000);
    assert.equal(sent.length, 1);
    assert.deepEqual(stream.receive(peerAck("agent", 0, clock)), { kind: "closed" });
    assert.throws(() => stream.sendData(PayloadType.Output, text("b")), /after close/);
  });
});

describe("ReliableStream: frames left to the owner and invalid frames", () => {
  test("channel_closed, agent_session_state and the wrong stream direction come back as 'other'", () => {
    const clock = new VirtualClock();
    const { stream, sent } = endpoint("client", clock);
    const closed = encodeFrame(channelClosedFrame({ destinationId: "i-1", sessionId: "s", output: "" }));
    const result = stream.receive(closed);
    assert.equal(result.kind, "other");
    assert.equal(result.kind === "other" && result.frame.messageType, "channel_closed");
    assert.equal(stream.receive(peerData("agent", 0, "x", clock)).kind, "other");
    assert.deepEqual(sent, []);
  });

  test("malformed bytes are reported as 'invalid' with the ProtocolError, never thrown", () => {
    const clock = new VirtualClock();
    const warnings: string[] = [];
    const logger = { debug: () => {}, warn: (m: string) => warnings.push(m) };
    const client = endpoint("client", clock, { logger }).stream;
    const garbage = client.receive(Buffer.from("not a frame"));
    assert.equal(garbage.kind, "invalid");
    assert.ok(garbage.kind === "invalid" && garbage.error instanceof ProtocolError);
    assert.equal(warnings.length, 1);

    const badAck = encodeFrame(control(MessageType.Acknowledge, text("{oops"), clock));
    const r = client.receive(badAck);
    assert.equal(r.kind === "invalid" && r.error.code, "bad-payload");
  });

  test("digest check: the client role decodes strictly, the agent role tolerantly (spec 4)", () => {
    const clock = new VirtualClock();
    for (const [role, kind] of [
      ["client", "invalid"],
      ["agent", "stream-data"],
    ] as const) {
      const bytes = peerData(role, 0, "abc", clock);
      bytes[80] = (bytes[80] ?? 0) ^ 0xff; // corrupt PayloadDigest
      const r = endpoint(role, clock).stream.receive(bytes);
      assert.equal(r.kind, kind, role);
      if (r.kind === "invalid") assert.equal(r.error.code, "digest-mismatch");
    }
  });

  test("a decoded Frame object is accepted as well as bytes", () => {
    const clock = new VirtualClock();
    const ep = endpoint("agent", clock);
    ep.stream.receive(decode(peerData("agent", 0, "obj", clock)));
    assert.deepEqual(ep.delivered, ["obj"]);
  });
});

/** An unsequenced frame (publication control, acknowledge) with the given payload. */
function control(messageType: string, payload: Buffer, clock: VirtualClock): Frame {
  return makeFrame({
    messageType,
    sequenceNumber: 0,
    flags: 0,
    payloadType: 0,
    payload,
    createdDate: clock.now(),
  });
}

/** Lets pending promise callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
