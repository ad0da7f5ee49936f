/** Loads the golden vectors captured from the official plugin and agent (../shared/vectors, see its README). */
import { readFileSync } from "node:fs";
import path from "node:path";

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
