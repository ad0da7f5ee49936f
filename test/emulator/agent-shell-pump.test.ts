import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { Utf8Chunker } from "../../emulator/agent/shell/chunker";
import { OutputPump } from "../../emulator/agent/shell/outputPump";
import { runeLength } from "../../emulator/agent/shell/utf8";

/** Feeds `input` to a chunker in reads of the given sizes (each capped at readSize). */
function chunkAll(input: Buffer, readSizes: number[], max = 1024) {
  const chunker = new Utf8Chunker(max);
  const chunks: Buffer[] = [];
  let pos = 0;
  for (let k = 0; pos < input.length; k++) {
    const size = Math.min(chunker.readSize, readSizes[k % readSizes.length]!, input.length - pos);
    chunks.push(chunker.next(input.subarray(pos, pos + size)));
    pos += size;
  }
  return { chunks, pending: chunker.pending };
}

/** Offsets where Go's decoder starts a rune (or an undecodable byte) in the whole input. */
function tokenBoundaries(input: Buffer): Set<number> {
  const starts = new Set<number>([input.length]);
  for (let i = 0; i < input.length; i += runeLength(input, i) || 1) starts.add(i);
  return starts;
}

const byteStream = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }).map((s) => Buffer.from(s, "utf8")),
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      fc.constantFrom(
        Buffer.from("€"),
        Buffer.from("😀"),
        Buffer.from([0xe2, 0x82]),
        Buffer.from([0xf0, 0x9f]),
      ),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts));

describe("Utf8Chunker", () => {
  it("never exceeds the chunk size, never splits a character, loses nothing", () => {
    fc.assert(
      fc.property(
        byteStream,
        fc.array(fc.integer({ min: 1, max: 1100 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(4, 7, 1024),
        (input, readSizes, max) => {
          const { chunks, pending } = chunkAll(input, readSizes, max);
          const boundaries = tokenBoundaries(input);
          let offset = 0;
          for (const chunk of chunks) {
            assert.ok(chunk.length <= max, `chunk of ${chunk.length} bytes`);
            offset += chunk.length;
            assert.ok(boundaries.has(offset), `chunk ends inside a character at ${offset}`);
          }
          assert.ok(pending.length <= 3);
          assert.deepEqual(Buffer.concat([...chunks, pending]), input);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("carries an incomplete character to the next chunk", () => {
    const chunker = new Utf8Chunker();
    assert.deepEqual(chunker.next(Buffer.from([0x61, 0xe2, 0x82])), Buffer.from("a"));
    assert.equal(chunker.readSize, 1022);
    assert.deepEqual(chunker.next(Buffer.from([0xac, 0x62])), Buffer.from("€b"));
  });

  it("passes an invalid byte through unless it is within the last 3 bytes", () => {
    const chunker = new Utf8Chunker();
    assert.deepEqual(
      chunker.next(Buffer.from([0xff, 0x61, 0x62, 0x63, 0xff])),
      Buffer.from([0xff, 0x61, 0x62, 0x63]),
    );
    assert.deepEqual(chunker.pending, Buffer.from([0xff]));
  });
});

function flowControl() {
  const calls: string[] = [];
  return { calls, source: { pause: () => calls.push("pause"), resume: () => calls.push("resume") } };
}

describe("OutputPump", () => {
  it("delivers nothing during the initial delay", async () => {
    const start = Date.now();
    let firstAt = 0;
    const pump = new OutputPump({
      onChunk: () => {
        firstAt ||= Date.now();
      },
      source: flowControl().source,
      initialDelayMs: 300,
    });
    pump.push(Buffer.from("prompt$ "));
    pump.end();
    await pump.done;
    assert.ok(firstAt - start >= 295, `first chunk after ${firstAt - start} ms`);
  });

  it("sleeps 1 ms between chunks when faithful", async () => {
    const chunks: Buffer[] = [];
    const pump = new OutputPump({
      onChunk: (c) => chunks.push(c),
      source: flowControl().source,
      initialDelayMs: 0,
    });
    pump.push(Buffer.alloc(30 * 1024, 0x61));
    pump.end();
    const start = Date.now();
    await pump.done;
    assert.equal(chunks.length, 30);
    assert.ok(Date.now() - start >= 29, `30 chunks in ${Date.now() - start} ms`);
  });

  it("stops delivery while paused, pauses the producer past the read-ahead, and loses nothing", async () => {
    const chunks: Buffer[] = [];
    const { calls, source } = flowControl();
    const pump = new OutputPump({
      onChunk: (c) => chunks.push(c),
      source,
      initialDelayMs: 0,
      pacing: "unpaced",
      readAheadBytes: 8192,
    });
    pump.pause();
    // Ends in ASCII: up to 3 undecodable bytes at the very end stay behind, as in the agent.
    const input = Buffer.concat([
      Buffer.from(Array.from({ length: 19_997 }, (_, i) => i % 251)),
      Buffer.from("END"),
    ]);
    pump.push(input.subarray(0, 10_000));
    await sleep(30);
    assert.equal(chunks.length, 0);
    assert.deepEqual(calls, ["pause"]);
    pump.resume();
    pump.push(input.subarray(10_000));
    pump.end();
    await pump.done;
    assert.deepEqual(calls, ["pause", "resume"]);
    assert.deepEqual(Buffer.concat(chunks), input);
  });

  it("drops undelivered output at stop()", async () => {
    const chunks: Buffer[] = [];
    const pump = new OutputPump({
      onChunk: (c) => chunks.push(c),
      source: flowControl().source,
      initialDelayMs: 5000,
    });
    pump.push(Buffer.from("lost"));
    pump.stop();
    await pump.done;
    assert.equal(chunks.length, 0);
  });
});
