/**
 * The binary AgentMessage/ClientMessage frame (session-manager-spec.md section 4): encode and decode.
 * Pure functions over Buffers; the only dependency is node:crypto for the SHA-256 payload digest.
 */
import crypto, { randomUUID } from "node:crypto";
import { Layout, SCHEMA_VERSION } from "./constants";
import { ProtocolError } from "./errors";

/** One frame as the application sees it. */
export interface Frame {
  messageType: string;
  schemaVersion: number;
  /** Unix epoch milliseconds; never 0 on the wire. */
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  /** Lower-case hyphenated UUID. */
  messageId: string;
  payloadType: number;
  payload: Buffer;
}

/** A decoded frame with the header fields that encoding derives (kept for inspection and golden tests). */
export interface DecodedFrame extends Frame {
  headerLength: number;
  payloadLength: number;
  payloadDigest: Buffer;
}

export interface DecodeOptions {
  /**
   * Strict decoding, as the official plugin does: the SHA-256 of a non-empty payload must equal
   * PayloadDigest and PayloadLength must equal the bytes present. The real service is tolerant of client
   * frames (section 4, "Validation on receipt"): it checks neither and takes the rest of the frame as payload.
   */
  strict?: boolean;
  /** Frames larger than this are refused before any parsing. */
  maxFrameBytes?: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const MESSAGE_ID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const TWO_POW_32 = 2 ** 32;

/** One-shot `crypto.hash` (Node >= 20.12) is about twice as fast as createHash for 1 KiB payloads. */
export const sha256: (payload: Uint8Array) => Buffer =
  typeof crypto.hash === "function"
    ? (payload) => crypto.hash("sha256", payload, "buffer")
    : (payload) => crypto.createHash("sha256").update(payload).digest();

/** A frame with the usual defaults: schema 1, now, a random MessageId. */
export function makeFrame(
  fields: Pick<Frame, "messageType" | "sequenceNumber" | "flags" | "payloadType" | "payload"> &
    Partial<Frame>,
): Frame {
  return {
    schemaVersion: SCHEMA_VERSION,
    createdDate: Date.now(),
    messageId: randomUUID(),
    ...fields,
  };
}

export function encodeFrame(frame: Frame): Buffer {
  const { payload } = frame;
  const out = Buffer.allocUnsafe(Layout.PayloadOffset + payload.length);
  out.writeUInt32BE(Layout.HeaderLength, Layout.HeaderLengthOffset);
  writeMessageType(out, frame.messageType);
  out.writeUInt32BE(frame.schemaVersion, Layout.SchemaVersionOffset);
  writeUint64(out, frame.createdDate, Layout.CreatedDateOffset, "CreatedDate");
  writeInt64(out, frame.sequenceNumber, Layout.SequenceNumberOffset);
  writeUint64(out, frame.flags, Layout.FlagsOffset, "Flags");
  writeMessageId(out, frame.messageId);
  sha256(payload).copy(out, Layout.PayloadDigestOffset);
  out.writeUInt32BE(frame.payloadType, Layout.PayloadTypeOffset);
  out.writeUInt32BE(payload.length, Layout.PayloadLengthOffset);
  out.set(payload, Layout.PayloadOffset);
  return out;
}

export function decodeFrame(bytes: Uint8Array, options: DecodeOptions = {}): DecodedFrame {
  const strict = options.strict ?? true;
  const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > max) {
    throw new ProtocolError("oversized", "Frame", 0, `${buf.length} bytes exceeds the ${max}-byte limit`);
  }
  if (buf.length < Layout.PayloadOffset) {
    throw new ProtocolError(
      "truncated",
      "Frame",
      buf.length,
      `${buf.length} bytes is shorter than the 120-byte header`,
    );
  }
  const headerLength = buf.readUInt32BE(Layout.HeaderLengthOffset);
  // Readers locate the payload at HeaderLength + 4 and do not assume 116; anything shorter cannot hold the header.
  if (headerLength < Layout.HeaderLength) {
    throw new ProtocolError("bad-header-length", "HeaderLength", 0, `${headerLength}, expected 116`);
  }
  const payloadStart = headerLength + 4;
  if (payloadStart > buf.length) {
    throw new ProtocolError(
      "truncated",
      "HeaderLength",
      0,
      `${headerLength} points past the end of a ${buf.length}-byte frame`,
    );
  }
  const messageType = readMessageType(buf);
  const createdDate = readUint64(buf, Layout.CreatedDateOffset, "CreatedDate");
  if (createdDate === 0) {
    throw new ProtocolError("bad-created-date", "CreatedDate", Layout.CreatedDateOffset, "must be non-zero");
  }
  const payloadLength = buf.readUInt32BE(Layout.PayloadLengthOffset);
  const payload = buf.subarray(payloadStart);
  const payloadDigest = buf.subarray(
    Layout.PayloadDigestOffset,
    Layout.PayloadDigestOffset + Layout.PayloadDigestLength,
  );
  if (strict) {
    if (payloadLength !== payload.length) {
      throw new ProtocolError(
        "payload-length-mismatch",
        "PayloadLength",
        Layout.PayloadLengthOffset,
        `says ${payloadLength} bytes but ${payload.length} follow`,
      );
    }
    if (payload.length > 0 && !sha256(payload).equals(payloadDigest)) {
      throw new ProtocolError(
        "digest-mismatch",
        "PayloadDigest",
        Layout.PayloadDigestOffset,
        "payload hash is not valid",
      );
    }
  }
  return {
    headerLength,
    messageType,
    schemaVersion: buf.readUInt32BE(Layout.SchemaVersionOffset),
    createdDate,
    sequenceNumber: readInt64(buf, Layout.SequenceNumberOffset),
    flags: readUint64(buf, Layout.FlagsOffset, "Flags"),
    messageId: readMessageId(buf),
    // Views into the received bytes, not copies: callers own `bytes` once they hand it over.
    payloadDigest,
    payloadType: buf.readUInt32BE(Layout.PayloadTypeOffset),
    payloadLength,
    payload,
  };
}

function writeMessageType(out: Buffer, messageType: string): void {
  if (
    messageType.length === 0 ||
    messageType.length > Layout.MessageTypeLength ||
    !/^[\x21-\x7e]+$/.test(messageType)
  ) {
    throw new ProtocolError(
      "bad-message-type",
      "MessageType",
      Layout.MessageTypeOffset,
      `cannot encode ${JSON.stringify(messageType)}`,
    );
  }
  out.fill(0x20, Layout.MessageTypeOffset, Layout.MessageTypeOffset + Layout.MessageTypeLength);
  out.write(messageType, Layout.MessageTypeOffset, "latin1");
}

function readMessageType(buf: Buffer): string {
  // Writers pad with spaces; readers also accept NULs (the JS client left-pads with NULs).
  const raw = buf.toString(
    "latin1",
    Layout.MessageTypeOffset,
    Layout.MessageTypeOffset + Layout.MessageTypeLength,
  );
  const name = raw.replace(/^[\0\s]+|[\0\s]+$/g, "");
  if (name.length === 0 || !/^[\x21-\x7e]+$/.test(name)) {
    throw new ProtocolError(
      "bad-message-type",
      "MessageType",
      Layout.MessageTypeOffset,
      `not a printable ASCII name: ${JSON.stringify(raw)}`,
    );
  }
  return name;
}

/** MessageId is stored with its two 8-byte halves swapped: the UUID's last 8 bytes come first. */
function writeMessageId(out: Buffer, messageId: string): void {
  if (!MESSAGE_ID_PATTERN.test(messageId)) {
    throw new ProtocolError(
      "bad-message-id",
      "MessageId",
      Layout.MessageIdOffset,
      `not a UUID: ${JSON.stringify(messageId)}`,
    );
  }
  const hex = messageId.replace(/-/g, "");
  out.write(hex.slice(16), Layout.MessageIdOffset, "hex");
  out.write(hex.slice(0, 16), Layout.MessageIdOffset + 8, "hex");
}

function readMessageId(buf: Buffer): string {
  const o = Layout.MessageIdOffset;
  const hex = buf.toString("hex", o + 8, o + 16) + buf.toString("hex", o, o + 8);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readUint64(buf: Buffer, offset: number, field: string): number {
  const value = buf.readUInt32BE(offset) * TWO_POW_32 + buf.readUInt32BE(offset + 4);
  if (!Number.isSafeInteger(value)) {
    throw new ProtocolError("bad-integer", field, offset, "exceeds 2^53 - 1");
  }
  return value;
}

function readInt64(buf: Buffer, offset: number): number {
  const value = buf.readInt32BE(offset) * TWO_POW_32 + buf.readUInt32BE(offset + 4);
  if (!Number.isSafeInteger(value)) {
    throw new ProtocolError("bad-integer", "SequenceNumber", offset, "exceeds the safe integer range");
  }
  return value;
}

function writeUint64(out: Buffer, value: number, offset: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError("bad-integer", field, offset, `cannot encode ${value} as uint64`);
  }
  out.writeUInt32BE(Math.floor(value / TWO_POW_32), offset);
  out.writeUInt32BE(value % TWO_POW_32, offset + 4);
}

function writeInt64(out: Buffer, value: number, offset: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new ProtocolError("bad-integer", "SequenceNumber", offset, `cannot encode ${value} as int64`);
  }
  // Two's complement over two 32-bit halves avoids a BigInt per frame.
  const high = Math.floor(value / TWO_POW_32);
  out.writeInt32BE(high, offset);
  out.writeUInt32BE(value - high * TWO_POW_32, offset + 4);
}
