import { runeLength } from "./utf8";

/** Longest UTF-8 sequence; an undecodable byte closer than this to the end may just be incomplete. */
const UTF_MAX = 4;

/**
 * Cuts pty output into messages as the agent's `processStdoutData` does (spec 10.5): bytes held back from
 * the previous read are prepended, the buffer is decoded rune by rune, and an undecodable byte is kept for
 * the next read only when it lies within the last 3 bytes (it may be the start of a character whose other
 * bytes have not been read yet); anywhere else it passes through unchanged. So a valid multi-byte
 * character is never split across messages.
 *
 * Unlike the agent (which may send 1024 + 3 bytes), the next read is shortened by the carried bytes so
 * that no chunk exceeds `maxChunkBytes`.
 */
export class Utf8Chunker {
  private carry: Buffer = Buffer.alloc(0);

  constructor(readonly maxChunkBytes = 1024) {
    if (!Number.isInteger(maxChunkBytes) || maxChunkBytes < UTF_MAX) {
      throw new RangeError(`maxChunkBytes must be an integer >= ${UTF_MAX}`);
    }
  }

  /** How many new bytes the next read may take. */
  get readSize(): number {
    return this.maxChunkBytes - this.carry.length;
  }

  /** Bytes held back for the next read (at most 3). */
  get pending(): Buffer {
    return this.carry;
  }

  /** Feeds the bytes of one read (at most `readSize`) and returns the chunk to send, possibly empty. */
  next(read: Buffer): Buffer {
    if (read.length > this.readSize) throw new RangeError("read exceeds readSize");
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, read]) : read;
    let i = 0;
    while (i < buf.length) {
      const n = runeLength(buf, i);
      if (n > 0) i += n;
      else if (buf.length - i < UTF_MAX) break;
      else i += 1;
    }
    this.carry = Buffer.from(buf.subarray(i));
    return buf.subarray(0, i);
  }
}
