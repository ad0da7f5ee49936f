/** Loads the golden vectors captured from the official plugin and agent (../shared/vectors, see its README). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Frame } from "../../protocol";

export interface VectorDecoded {
  headerLength: number;
  messageType: string;
  schemaVersion: number;
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  messageId: string;
  payloadDigestHex: string;
  payloadType: number;
  payloadLength: number;
  payloadText?: string;
  payloadHex?: string;
}

export interface VectorEntry {
  index: number;
  session?: string;
  from: string;
  to: string;
  channel: string;
  kind: "binary" | "text" | "http";
  producedBy: "official-plugin" | "official-agent" | "fake-gateway";
  hex?: string;
  text?: string;
  http?: Record<string, unknown>;
  decoded?: VectorDecoded;
  note?: string;
}

export interface VectorFile {
  scenario: string;
  entries: VectorEntry[];
  result?: Record<string, unknown>;
}

/** The shared folder sits beside the repository: in a session and in CI alike. */
export const VECTORS_DIR = path.resolve(__dirname, "../../../shared/vectors");
export const VECTOR_FILES = [
  "plugin-shell-session.json",
  "plugin-resume.json",
  "plugin-handshake.json",
  "agent-gateway.json",
] as const;

export function loadVectors(name: (typeof VECTOR_FILES)[number]): VectorFile {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, name), "utf8")) as VectorFile;
}

export function payloadBytes(decoded: VectorDecoded): Buffer {
  if (decoded.payloadHex !== undefined) return Buffer.from(decoded.payloadHex, "hex");
  return Buffer.from(decoded.payloadText ?? "", "utf8");
}

/** The recorded payload of a binary entry as text. */
export function payloadText(entry: VectorEntry): string {
  return payloadBytes(entry.decoded!).toString("utf8");
}

/** A binary entry's bytes as recorded. */
export function recordedBytes(entry: VectorEntry): Buffer {
  return Buffer.from(entry.hex!, "hex");
}

/** A binary entry as a frame: the recorded envelope and payload. */
export function recordedFrame(entry: VectorEntry): Frame {
  const d = entry.decoded!;
  return {
    messageType: d.messageType,
    schemaVersion: d.schemaVersion,
    createdDate: d.createdDate,
    sequenceNumber: d.sequenceNumber,
    flags: d.flags,
    messageId: d.messageId,
    payloadType: d.payloadType,
    payload: payloadBytes(d),
  };
}

/** A recorded Open*Channel text frame, key order kept, with a fresh token. */
export function openFrame(entry: VectorEntry, token: string): string {
  const open = JSON.parse(entry.text!) as Record<string, unknown>;
  assert.ok("TokenValue" in open);
  open.TokenValue = token;
  return JSON.stringify(open);
}
