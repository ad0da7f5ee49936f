/**
 * Pagination tokens. GetLogEvents tokens look like AWS's (`f/<56 digits>/s`, `b/<56 digits>/s`); the digits
 * encode an event key (timestamp, id), which also serves as the 56-digit `eventId`. Other tokens are opaque
 * base64url JSON, tagged with the operation they belong to.
 */
import type { EventKey } from "./store";

const TS_DIGITS = 20;
const ID_DIGITS = 36;

/** 56 decimal digits: the timestamp (20) then the id (36). */
export function encodeEventKey(key: EventKey): string {
  return `${String(key.timestamp).padStart(TS_DIGITS, "0")}${String(key.id).padStart(ID_DIGITS, "0")}`;
}

export function decodeEventKey(digits: string): EventKey | undefined {
  if (!/^[0-9]{56}$/.test(digits)) return undefined;
  const timestamp = Number(digits.slice(0, TS_DIGITS));
  const id = Number(digits.slice(TS_DIGITS));
  if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(id)) return undefined;
  return { timestamp, id };
}

export type Direction = "f" | "b";

export function encodeStreamToken(direction: Direction, key: EventKey): string {
  return `${direction}/${encodeEventKey(key)}/s`;
}

export function decodeStreamToken(token: string): { direction: Direction; key: EventKey } | undefined {
  const m = /^([fb])\/([0-9]{56})\/s$/.exec(token);
  if (!m) return undefined;
  const key = decodeEventKey(m[2]!);
  return key ? { direction: m[1] as Direction, key } : undefined;
}

export function encodeOpaqueToken(kind: string, payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...payload }), "utf8").toString("base64url");
}

/** The payload of an opaque token of `kind`, or undefined when it is not one. */
export function decodeOpaqueToken(kind: string, token: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const obj = value as Record<string, unknown>;
    return obj["k"] === kind ? obj : undefined;
  } catch {
    return undefined;
  }
}
