/**
 * Golden tests against the frames captured from the official plugin and agent (shared/vectors): our acks
 * name the same message as theirs with byte-identical payloads, and our numbering matches theirs.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type DecodedFrame,
  decodeFrame,
  MessageType,
  type PayloadType,
  ReliableStream,
  type StreamRole,
  VirtualClock,
} from "../../protocol";
import { loadVectors, payloadBytes, type VectorEntry } from "../support/vectors";
import { ackContent } from "./reliable-helpers";

const PLUGIN_FILES = ["plugin-shell-session.json", "plugin-resume.json", "plugin-handshake.json"] as const;

const binary = (entries: VectorEntry[]) => entries.filter((e) => e.kind === "binary" && e.decoded);
const isType = (e: VectorEntry, type: string) => e.decoded!.messageType === type;

/** Feeds `frames` to a fresh stream of `role`; returns the acks it wrote, by the MessageId they name. */
function acksFor(role: StreamRole, frames: VectorEntry[]): Map<string, DecodedFrame> {
  const acks = new Map<string, DecodedFrame>();
  const stream = new ReliableStream({
    role,
    clock: new VirtualClock(),
    send: (bytes) => {
      const frame = decodeFrame(bytes);
      acks.set(ackContent(frame).AcknowledgedMessageId, frame);
    },
    deliver: () => true,
  });
  for (const entry of frames)
    assert.equal(stream.receive(Buffer.from(entry.hex!, "hex")).kind, "stream-data");
  stream.close();
  return acks;
}

function assertSameAcks(ours: Map<string, DecodedFrame>, recorded: VectorEntry[]): void {
  assert.ok(recorded.length > 0);
  assert.equal(ours.size, recorded.length, "one ack per stream-data frame");
  for (const entry of recorded) {
    const theirs = entry.decoded!;
    const id = ackContent(decodeFrame(Buffer.from(entry.hex!, "hex"))).AcknowledgedMessageId;
    const mine = ours.get(id);
    assert.ok(mine, `no ack for ${id} (entry ${entry.index})`);
    assert.equal(mine.payload.toString("utf8"), theirs.payloadText, `entry ${entry.index}`);
    for (const field of [
      "headerLength",
      "messageType",
      "schemaVersion",
      "sequenceNumber",
      "flags",
      "payloadType",
      "payloadLength",
    ] as const) {
      assert.equal(mine[field], theirs[field], `entry ${entry.index}: ${field}`);
    }
  }
}

describe("golden: acks", () => {
  for (const file of PLUGIN_FILES) {
    const frames = binary(loadVectors(file).entries);

    test(`${file}: the client role acks the output it receives as the official plugin did`, () => {
      const output = frames.filter((e) => e.to === "plugin" && isType(e, MessageType.OutputStreamData));
      const pluginAcks = frames.filter(
        (e) => e.producedBy === "official-plugin" && isType(e, MessageType.Acknowledge),
      );
      assertSameAcks(acksFor("client", output), pluginAcks);
    });

    const agentAcks = frames.filter(
      (e) => e.producedBy === "official-agent" && isType(e, MessageType.Acknowledge),
    );
    if (agentAcks.length === 0) continue; // the handshake capture had no agent, only a fake
    test(`${file}: the agent role acks the plugin's input as the official agent did`, () => {
      const input = frames.filter(
        (e) => e.producedBy === "official-plugin" && isType(e, MessageType.InputStreamData),
      );
      assertSameAcks(acksFor("agent", input), agentAcks);
    });
  }
});

describe("golden: numbering, flags and acks of own messages", () => {
  for (const file of PLUGIN_FILES) {
    test(`${file}: replaying each side's stream data gives its sequence numbers and flags, across a resume`, () => {
      const entries = loadVectors(file).entries;
      const sides = {
        client: { type: MessageType.InputStreamData, from: "plugin" },
        agent: { type: MessageType.OutputStreamData, from: "agent" },
      } as const;
      for (const role of ["client", "agent"] as const) {
        const { type, from } = sides[role];
        const sent: DecodedFrame[] = [];
        const stream = new ReliableStream({
          role,
          clock: new VirtualClock(),
          send: (b) => sent.push(decodeFrame(b)),
          deliver: () => true,
        });
        const recorded: VectorEntry[] = [];
        let connected = false;
        for (const entry of entries) {
          if (entry.channel.endsWith("websocket upgrade")) {
            // A second upgrade is the reconnect after ResumeSession: same stream, new transport.
            if (connected) stream.reconnect((b) => sent.push(decodeFrame(b)));
            connected = true;
          }
          const d = entry.decoded;
          if (!d) continue;
          if (d.messageType === type && entry.from === from) {
            recorded.push(entry);
            stream.sendData(d.payloadType as PayloadType, payloadBytes(d));
          } else if (d.messageType === MessageType.Acknowledge && entry.to === from) {
            const r = stream.receive(Buffer.from(entry.hex!, "hex"));
            assert.deepEqual(r.kind === "acknowledge" && r.matched, true, `entry ${entry.index}`);
          }
        }
        if (recorded.length === 0) continue;
        assert.deepEqual(
          sent.map((f) => [f.messageType, f.sequenceNumber, f.flags, f.payloadType]),
          recorded.map((e) => [type, e.decoded!.sequenceNumber, e.decoded!.flags, e.decoded!.payloadType]),
          `${role} in ${file}`,
        );
        assert.equal(stream.unacked, 0, "the recorded acks cleared the outgoing buffer");
        stream.close();
      }
    });
  }
});
