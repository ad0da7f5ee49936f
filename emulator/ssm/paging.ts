/** Opaque NextToken values for list operations: an offset, base64url-wrapped; garbage is InvalidNextToken. */
import { AwsServiceError } from "../api/provider";

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

export function decodePageToken(token: string): number {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown };
    if (typeof value.o === "number" && Number.isInteger(value.o) && value.o >= 0) return value.o;
  } catch {
    // fall through
  }
  throw new AwsServiceError("InvalidNextToken", "The specified token is not valid.");
}
