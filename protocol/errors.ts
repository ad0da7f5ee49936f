/** A frame or payload that does not follow the wire format. Never thrown for anything else. */
export type ProtocolErrorCode =
  | "truncated"
  | "oversized"
  | "bad-header-length"
  | "bad-message-type"
  | "bad-created-date"
  | "bad-integer"
  | "bad-message-id"
  | "payload-length-mismatch"
  | "digest-mismatch"
  | "bad-payload";

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    /** The header field or payload member at fault, e.g. `PayloadDigest`. */
    readonly field: string,
    /** Byte offset in the frame where the fault was found (-1 for payload-level faults). */
    readonly offset: number,
    detail: string,
  ) {
    super(`${field} at offset ${offset}: ${detail}`);
    this.name = "ProtocolError";
  }
}
