/**
 * Frame codec throughput: encode and decode of 1 KiB output frames, digest included, on one core.
 * Baselines measured in the same run: the bare SHA-256 of the payload, and decoding without digest checks,
 * so the share of the digest in the cost is visible.
 */
import { randomBytes } from "node:crypto";
import { decodeFrame, encodeFrame, MessageType, makeFrame, PayloadType, sha256 } from "../protocol";
import { type BenchResult, opsPerSecond } from "./result";

const PAYLOAD_BYTES = 1024;

export async function run(): Promise<BenchResult> {
  const frame = makeFrame({
    messageType: MessageType.OutputStreamData,
    sequenceNumber: 42,
    flags: 0,
    payloadType: PayloadType.Output,
    payload: randomBytes(PAYLOAD_BYTES),
  });
  const wire = encodeFrame(frame);
  const frameMb = wire.length / 1e6;

  const cases: Array<[string, () => void]> = [
    ["sha256 of the payload (baseline)", () => sha256(frame.payload)],
    ["encode", () => encodeFrame(frame)],
    ["decode strict (digest checked)", () => decodeFrame(wire)],
    ["decode tolerant (no digest check)", () => decodeFrame(wire, { strict: false })],
    ["encode + strict decode round trip", () => decodeFrame(encodeFrame(frame))],
  ];
  const rates = new Map<string, number>();
  const rows = cases.map(([name, op]) => {
    const rate = opsPerSecond(op);
    rates.set(name, rate);
    return { case: name, "frames/s": Math.round(rate), "MB/s": Number((rate * frameMb).toFixed(1)) };
  });
  const roundTrip = rates.get("encode + strict decode round trip")!;
  const digest = rates.get("sha256 of the payload (baseline)")!;
  // A round trip hashes the payload twice (encode and strict decode).
  const digestShare = (2 / digest / (1 / roundTrip)) * 100;
  return {
    rows,
    notes: [
      `round trips/s: ${Math.round(roundTrip)} (target >= 150000): ${roundTrip >= 150_000 ? "met" : "NOT met"}`,
      `the two SHA-256 digests are about ${digestShare.toFixed(0)}% of a round trip's time`,
    ],
  };
}
