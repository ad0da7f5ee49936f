/**
 * Property tests: an agent-role and a client-role ReliableStream joined by a simulated link that drops,
 * duplicates, delays and reorders frames, all on virtual time.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type GiveUpInfo,
  Layout,
  MessageType,
  PayloadType,
  ReliableStream,
  VirtualClock,
} from "../../protocol";
import { prng } from "../support/prng";

interface LinkParams {
  /** Seeds the link's random choices (fast-check picks it, so failures replay). */
  seed: number;
  lossRate: number;
  dupRate: number;
  /** Each copy of a frame is delayed by 0..maxDelayMs: copies overtake each other, which reorders. */
  maxDelayMs: number;
  /** Probability that a handler answers "not ready". */
  notReadyRate: number;
}

interface Message {
  gapMs: number;
  payloadType: PayloadType;
}

const linkParams = fc.record({
  seed: fc.integer(),
  lossRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  dupRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  maxDelayMs: fc.integer({ min: 0, max: 600 }),
  notReadyRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
});

const messages = (payloadTypes: PayloadType[]) =>
  fc.array(
    fc.record({ gapMs: fc.integer({ min: 0, max: 300 }), payloadType: fc.constantFrom(...payloadTypes) }),
    { maxLength: 25 },
  );

/** Agent output includes the payload types the client acks before processing. */
const agentMessages = messages([
  PayloadType.Output,
  PayloadType.HandshakeRequest,
  PayloadType.EncChallengeRequest,
  PayloadType.HandshakeComplete,
  PayloadType.ExitCode,
]);
const clientMessages = messages([PayloadType.Output, PayloadType.Size, PayloadType.HandshakeResponse]);

function isAck(bytes: Buffer): boolean {
  const name = MessageType.Acknowledge;
  return bytes.toString("latin1", Layout.MessageTypeOffset, Layout.MessageTypeOffset + name.length) === name;
}

interface Simulation {
  clock: VirtualClock;
  agent: ReliableStream;
  client: ReliableStream;
  /** Payloads each side's handler accepted, in order. */
  agentGot: string[];
  clientGot: string[];
  giveUps: GiveUpInfo[];
}

function simulate(
  params: LinkParams,
  options: { clientReacks: boolean; lossyClientAcks: boolean },
): Simulation {
  const random = prng(params.seed);
  const clock = new VirtualClock();
  const agentGot: string[] = [];
  const clientGot: string[] = [];
  const giveUps: GiveUpInfo[] = [];
  const peers = new Map<"agent" | "client", ReliableStream>();
  const link =
    (to: "agent" | "client", lossy: (bytes: Buffer) => boolean) =>
    (bytes: Buffer): void => {
      const copies = random() < params.dupRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        if (lossy(bytes) && random() < params.lossRate) continue;
        const delay = Math.floor(random() * (params.maxDelayMs + 1));
        clock.setTimeout(() => peers.get(to)!.receive(bytes), delay);
      }
    };
  const handler = (got: string[]) => (frame: { payload: Buffer }) => {
    if (random() < params.notReadyRate) return false;
    got.push(frame.payload.toString());
    return true;
  };
  const agent = new ReliableStream({
    role: "agent",
    clock,
    send: link("client", () => true),
    deliver: handler(agentGot),
  });
  const client = new ReliableStream({
    role: "client",
    clock,
    send: link("agent", (bytes) => options.lossyClientAcks || !isAck(bytes)),
    deliver: handler(clientGot),
    onGiveUp: (info) => giveUps.push(info),
    reackDuplicates: options.clientReacks,
  });
  peers.set("agent", agent).set("client", client);
  return { clock, agent, client, agentGot, clientGot, giveUps };
}

/** Schedules the sends; returns the payloads in send order. */
function schedule(clock: VirtualClock, stream: ReliableStream, plan: Message[], prefix: string): string[] {
  let at = 0;
  return plan.map((m, i) => {
    const payload = `${prefix}${i}`;
    at += m.gapMs;
    clock.setTimeout(() => stream.sendData(m.payloadType, Buffer.from(payload)), at);
    return payload;
  });
}

/** Advances virtual time in scheduler-sized steps until `done` or `limitMs`. */
function runUntil(clock: VirtualClock, done: () => boolean, limitMs: number): void {
  for (let t = 0; t < limitMs && !done(); t += 100) clock.advance(100);
}

function checkExactlyOnceInOrder(
  params: LinkParams,
  plan: { agent: Message[]; client: Message[] },
  options: { clientReacks: boolean; lossyClientAcks: boolean },
): void {
  const sim = simulate(params, options);
  const agentSent = schedule(sim.clock, sim.agent, plan.agent, "a");
  const clientSent = schedule(sim.clock, sim.client, plan.client, "c");
  const done = () =>
    sim.clientGot.length >= agentSent.length &&
    sim.agentGot.length >= clientSent.length &&
    sim.agent.nextSequenceNumber === agentSent.length &&
    sim.client.nextSequenceNumber === clientSent.length &&
    sim.agent.unacked === 0 &&
    sim.client.unacked === 0;
  runUntil(sim.clock, done, 600_000);
  assert.deepEqual(sim.clientGot, agentSent, "agent -> client: every message once, in order");
  assert.deepEqual(sim.agentGot, clientSent, "client -> agent: every message once, in order");
  assert.equal(sim.agent.unacked, 0);
  assert.equal(sim.client.unacked, 0);
  assert.deepEqual(sim.giveUps, []);
  sim.agent.close();
  sim.client.close();
}

describe("ReliableStream over a lossy, duplicating, reordering link", () => {
  const plans = fc.record({ agent: agentMessages, client: clientMessages });

  test("role defaults: exactly once and in order both ways (plugin acks delayed or duplicated, never lost)", () => {
    // The plugin never re-acks a duplicate, and the agent only ever resends its oldest unacked message:
    // a lost plugin ack would pin that message at the head forever (see the test below).
    fc.assert(
      fc.property(linkParams, plans, (params, plan) =>
        checkExactlyOnceInOrder(params, plan, { clientReacks: false, lossyClientAcks: false }),
      ),
      { numRuns: 300 },
    );
  });

  test("with a re-acking client every frame may be lost: still exactly once and in order both ways", () => {
    fc.assert(
      fc.property(linkParams, plans, (params, plan) =>
        checkExactlyOnceInOrder(params, plan, { clientReacks: true, lossyClientAcks: true }),
      ),
      { numRuns: 300 },
    );
  });

  test("role defaults: one lost plugin ack pins the agent's oldest message, and a later loss is never repaired", () => {
    const clock = new VirtualClock();
    const toClient: Buffer[] = [];
    const toAgent: Buffer[] = [];
    const clientGot: string[] = [];
    const agent = new ReliableStream({
      role: "agent",
      clock,
      send: (b) => toClient.push(b),
      deliver: () => true,
    });
    const client = new ReliableStream({
      role: "client",
      clock,
      send: (b) => toAgent.push(b),
      deliver: (f) => clientGot.push(f.payload.toString()) > 0,
    });
    for (const p of ["a", "b", "c"]) agent.sendData(PayloadType.Output, Buffer.from(p));
    client.receive(toClient[0]!); // delivered; its ack is lost
    client.receive(toClient[2]!); // ahead: acked and stored; "b" (seq 1) was lost
    agent.receive(toAgent[1]!);
    toAgent.length = 0;
    toClient.length = 0;
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      for (const b of toClient.splice(0)) client.receive(b);
      for (const b of toAgent.splice(0)) agent.receive(b);
    }
    assert.deepEqual(clientGot, ["a"]);
    assert.equal(agent.unacked, 2, "seq 0 is resent forever and ignored; seq 1 is never resent");
    assert.ok(agent.stats.resent > 20);
    agent.close();
    client.close();
  });
});

describe("ReliableStream with the link cut", () => {
  test("the client gives up on its oldest unacked message after maxResends and reports it once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 99 }),
        (before, after, maxResends, phaseMs) => {
          const clock = new VirtualClock();
          const giveUps: Array<GiveUpInfo & { at: number }> = [];
          let cut = false;
          let sentAfterGiveUp = 0;
          let agent: ReliableStream | undefined;
          const client = new ReliableStream({
            role: "client",
            clock,
            send: (b) => {
              if (giveUps.length > 0) sentAfterGiveUp++;
              if (!cut) clock.setTimeout(() => agent!.receive(b), 20);
            },
            deliver: () => true,
            maxResends,
            onGiveUp: (info) => giveUps.push({ ...info, at: clock.now() }),
          });
          agent = new ReliableStream({
            role: "agent",
            clock,
            send: (b) => !cut && clock.setTimeout(() => client.receive(b), 20),
            deliver: () => true,
          });
          for (let i = 0; i < before; i++) client.sendData(PayloadType.Output, Buffer.from(`b${i}`));
          clock.advance(1000);
          assert.equal(client.unacked, 0);
          cut = true;
          clock.advance(phaseMs);
          const sentAt = clock.now();
          const rto = client.rto.rto;
          for (let i = 0; i < after; i++) client.sendData(PayloadType.Output, Buffer.from(`a${i}`));
          clock.advance(rto + (maxResends + 3) * 100);
          assert.equal(giveUps.length, 1);
          const [giveUp] = giveUps;
          assert.equal(giveUp!.sequenceNumber, before, "the oldest unacked message");
          assert.equal(giveUp!.resends, maxResends);
          assert.equal(client.stats.resent, maxResends);
          // First resend on the first tick more than one RTO after the send, then one per 100 ms tick.
          const elapsed = giveUp!.at - sentAt;
          assert.ok(
            elapsed > rto + maxResends * 100 && elapsed <= rto + (maxResends + 1) * 100,
            `${elapsed}`,
          );
          clock.advance(10_000);
          assert.equal(giveUps.length, 1, "reported once");
          assert.equal(sentAfterGiveUp, 0, "no resends after giving up");
          client.close();
          agent.close();
        },
      ),
      { numRuns: 100 },
    );
  });

  test("the agent never gives up and keeps resending", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), (count) => {
        const clock = new VirtualClock();
        let giveUps = 0;
        const agent = new ReliableStream({
          role: "agent",
          clock,
          send: () => {},
          deliver: () => true,
          onGiveUp: () => giveUps++,
        });
        for (let i = 0; i < count; i++) agent.sendData(PayloadType.Output, Buffer.from(`m${i}`));
        clock.advance(600_000);
        assert.equal(giveUps, 0);
        assert.equal(agent.stats.resent, 2000);
        agent.close();
      }),
      { numRuns: 5 },
    );
  });
});
