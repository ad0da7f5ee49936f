import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  MessageType,
  PayloadType,
  ProtocolError,
  sha256,
} from "../../protocol";
import { loadVectors, payloadBytes, VECTOR_FILES } from "../support/vectors";

describe("frame codec: the worked example of spec section 4", () => {
  const expectedHex = [
    "00 00 00 74 69 6e 70 75 74 5f 73 74 72 65 61 6d",
    "5f 64 61 74 61 20 20 20 20 20 20 20 20 20 20 20",
    "20 20 20 20 00 00 00 01 00 00 01 8b cf e5 68 00",
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
    "88 99 aa bb cc dd ee ff 00 11 22 33 44 55 66 77",
    "d5 3c a1 ea 7d ce 87 c1 14 32 05 2a 85 50 ed 26",
    "15 cf 71 5c a8 43 c8 97 10 ed 83 32 5b 69 1c ba",
    "00 00 00 03 00 00 00 15 7b 22 63 6f 6c 73 22 3a",
    "38 30 2c 22 72 6f 77 73 22 3a 32 34 7d",
  ]
    .join(" ")
    .replace(/ /g, "");
  const frame: Frame = {
    messageType: MessageType.InputStreamData,
    schemaVersion: 1,
    createdDate: 1_700_000_000_000,
    sequenceNumber: 0,
    flags: 0,
    messageId: "00112233-4455-6677-8899-aabbccddeeff",
    payloadType: PayloadType.Size,
    payload: Buffer.from('{"cols":80,"rows":24}'),
  };

  test("encodes byte for byte", () => {
    const bytes = encodeFrame(frame);
    assert.equal(bytes.length, 141);
    assert.equal(bytes.toString("hex"), expectedHex);
  });

  test("decodes back to the same fields", () => {
    const decoded = decodeFrame(Buffer.from(expectedHex, "hex"));
    assert.equal(decoded.headerLength, 116);
    assert.equal(decoded.payloadLength, 21);
    assert.deepEqual(decoded.payloadDigest, sha256(frame.payload));
    const { headerLength: _h, payloadLength: _l, payloadDigest: _d, ...fields } = decoded;
    assert.deepEqual(fields, frame);
  });
});

describe("frame codec: golden vectors from the official plugin and agent", () => {
  for (const file of VECTOR_FILES) {
    const binaries = loadVectors(file).entries.filter((e) => e.kind === "binary");
    test(`${file}: ${binaries.length} frames decode strictly to the recorded fields and re-encode to the captured bytes`, () => {
      assert.ok(binaries.length > 0);
      for (const entry of binaries) {
        const where = `${file} entry ${entry.index} (${entry.producedBy})`;
        const expected = entry.decoded!;
        const wire = Buffer.from(entry.hex!, "hex");
        const decoded = decodeFrame(wire);
        assert.equal(decoded.headerLength, expected.headerLength, where);
        assert.equal(decoded.messageType, expected.messageType, where);
        assert.equal(decoded.schemaVersion, expected.schemaVersion, where);
        assert.equal(decoded.createdDate, expected.createdDate, where);
        assert.equal(decoded.sequenceNumber, expected.sequenceNumber, where);
        assert.equal(decoded.flags, expected.flags, where);
        assert.equal(decoded.messageId, expected.messageId, where);
        assert.equal(decoded.payloadDigest.toString("hex"), expected.payloadDigestHex, where);
        assert.equal(decoded.payloadType, expected.payloadType, where);
        assert.equal(decoded.payloadLength, expected.payloadLength, where);
        assert.deepEqual(decoded.payload, payloadBytes(expected), where);
        const reencoded = encodeFrame({ ...expected, payload: payloadBytes(expected) });
        assert.equal(reencoded.toString("hex"), entry.hex, where);
      }
    });
  }

  test("every acknowledge names the MessageId and sequence number of the frame it acknowledges", () => {
    // agent-gateway.json leaves out the relayed plugin frames its acks name: they are in the plugin files.
    const frames = VECTOR_FILES.flatMap((file) =>
      loadVectors(file)
        .entries.filter((e) => e.kind === "binary")
        .map((e) => decodeFrame(Buffer.from(e.hex!, "hex"))),
    );
    let checked = 0;
    for (const ack of frames.filter((f) => f.messageType === MessageType.Acknowledge)) {
      const content = JSON.parse(ack.payload.toString("utf8"));
      const target = frames.find((f) => f.messageId === content.AcknowledgedMessageId);
      assert.ok(target, `ack for unknown message ${content.AcknowledgedMessageId}`);
      assert.equal(content.AcknowledgedMessageType, target.messageType);
      assert.equal(content.AcknowledgedMessageSequenceNumber, target.sequenceNumber);
      assert.equal(ack.sequenceNumber, 0);
      assert.equal(ack.flags, 3);
      checked++;
    }
    assert.ok(checked >= 20, `only ${checked} acks checked`);
  });
});

describe("frame codec: malformed input", () => {
  const good = encodeFrame({
    messageType: MessageType.OutputStreamData,
    schemaVersion: 1,
    createdDate: 1_700_000_000_000,
    sequenceNumber: 7,
    flags: 0,
    messageId: "d33beda3-6d6d-49a6-b794-537a2625adfc",
    payloadType: PayloadType.Output,
    payload: Buffer.from("hello\r\n"),
  });

  const expectError = (bytes: Buffer, code: string, field: string, options = {}) => {
    assert.throws(
      () => decodeFrame(bytes, options),
      (error: unknown) => error instanceof ProtocolError && error.code === code && error.field === field,
    );
  };

  test("truncated header", () => expectError(good.subarray(0, 100), "truncated", "Frame"));
  test("header length pointing past the end", () => {
    const bad = Buffer.from(good);
    bad.writeUInt32BE(4000, 0);
    expectError(bad, "truncated", "HeaderLength");
  });
  test("header length too small", () => {
    const bad = Buffer.from(good);
    bad.writeUInt32BE(0, 0);
    expectError(bad, "bad-header-length", "HeaderLength");
  });
  test("oversized frame", () => expectError(good, "oversized", "Frame", { maxFrameBytes: 64 }));
  test("empty message type", () => {
    const bad = Buffer.from(good);
    bad.fill(0x20, 4, 36);
    expectError(bad, "bad-message-type", "MessageType");
  });
  test("zero created date", () => {
    const bad = Buffer.from(good);
    bad.fill(0, 40, 48);
    expectError(bad, "bad-created-date", "CreatedDate");
  });
  test("digest mismatch is rejected strictly and tolerated otherwise", () => {
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0x01;
    expectError(bad, "digest-mismatch", "PayloadDigest");
    assert.equal(decodeFrame(bad, { strict: false }).payload.toString(), "hello\r\x0b");
  });
  test("payload length disagreeing with the bytes present", () => {
    const bad = Buffer.concat([good, Buffer.from("x")]);
    expectError(bad, "payload-length-mismatch", "PayloadLength");
    assert.equal(decodeFrame(bad, { strict: false }).payload.length, 8);
  });
  test("NUL-padded message type is accepted (the JS client's habit)", () => {
    const padded = Buffer.from(good);
    padded.fill(0, 4, 36);
    padded.write("output_stream_data", 36 - "output_stream_data".length, "latin1");
    assert.equal(decodeFrame(padded).messageType, "output_stream_data");
  });
});

describe("frame codec: properties", () => {
  const frameArb = fc.record({
    messageType: fc.stringMatching(/^[a-z_]{1,32}$/),
    schemaVersion: fc.integer({ min: 0, max: 0xffffffff }),
    createdDate: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    sequenceNumber: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    flags: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    messageId: fc.uuid().map((u) => u.toLowerCase()),
    payloadType: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
  });

  test("decode(encode(m)) equals m", () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const { headerLength, payloadLength, payloadDigest, ...fields } = decodeFrame(encodeFrame(frame));
        assert.equal(headerLength, 116);
        assert.equal(payloadLength, frame.payload.length);
        assert.deepEqual(payloadDigest, sha256(frame.payload));
        assert.deepEqual(fields, { ...frame });
      }),
      { numRuns: 500 },
    );
  });

  test("arbitrary bytes decode to a frame or a ProtocolError, nothing else", () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      // Mutations of valid frames reach deeper into the decoder than random bytes do.
      fc
        .tuple(
          frameArb,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
          fc.nat(),
        )
        .map(([frame, flips, cut]) => {
          const bytes = encodeFrame(frame);
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          return bytes.subarray(0, bytes.length - (cut % 8));
        }),
    );
    fc.assert(
      fc.property(bytesArb, fc.boolean(), (bytes, strict) => {
        try {
          decodeFrame(bytes, { strict });
        } catch (error) {
          assert.ok(error instanceof ProtocolError, `unexpected ${String(error)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
