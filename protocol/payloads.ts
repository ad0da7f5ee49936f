/**
 * JSON payloads of the data and control channels (session-manager-spec.md section 7, mgs-agent-side.md
 * sections 4-6), with runtime validation. Builders emit keys in the order the Go structs of the real agent
 * and plugin do, so what we send reads like what they send.
 */
import { z } from "zod";
import { ProtocolError } from "./errors";

export const AcknowledgeContent = z.object({
  AcknowledgedMessageType: z.string().min(1),
  AcknowledgedMessageId: z.string().min(1),
  AcknowledgedMessageSequenceNumber: z.number().int(),
  IsSequentialMessage: z.boolean().optional(),
});
export type AcknowledgeContent = z.infer<typeof AcknowledgeContent>;

export const ChannelClosed = z.object({
  MessageId: z.string(),
  /** String-typed in both Go structs (an ISO-8601 instant). */
  CreatedDate: z.string(),
  DestinationId: z.string(),
  SessionId: z.string(),
  MessageType: z.literal("channel_closed"),
  SchemaVersion: z.number().int(),
  Output: z.string().optional(),
});
export type ChannelClosed = z.infer<typeof ChannelClosed>;

export const SizeData = z.object({
  cols: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
});
export type SizeData = z.infer<typeof SizeData>;

export const AgentSessionState = z.object({
  SchemaVersion: z.number().int(),
  SessionState: z.enum(["Connected", "Terminating"]),
  SessionId: z.string(),
});
export type AgentSessionState = z.infer<typeof AgentSessionState>;

export const ActionType = { SessionType: "SessionType", KMSEncryption: "KMSEncryption" } as const;

/** ActionStatus of a processed client action. */
export enum ActionStatus {
  Success = 1,
  Failed = 2,
  Unsupported = 3,
}

export const SessionTypeRequest = z.object({
  SessionType: z.string(),
  Properties: z.unknown().nullable().optional(),
});
export type SessionTypeRequest = z.infer<typeof SessionTypeRequest>;

export const KMSEncryptionRequest = z.object({ KMSKeyId: z.string(), Challenge: z.string().optional() });
export type KMSEncryptionRequest = z.infer<typeof KMSEncryptionRequest>;

export const RequestedClientAction = z.object({ ActionType: z.string(), ActionParameters: z.unknown() });
export type RequestedClientAction = z.infer<typeof RequestedClientAction>;

export const HandshakeRequest = z.object({
  AgentVersion: z.string(),
  RequestedClientActions: z.array(RequestedClientAction),
});
export type HandshakeRequest = z.infer<typeof HandshakeRequest>;

export const KMSEncryptionResponse = z.object({
  KMSCipherTextKey: z.string(),
  KMSCipherTextHash: z.string().nullable().optional(),
  ChallengeAcknowledgement: z.boolean().optional(),
});
export type KMSEncryptionResponse = z.infer<typeof KMSEncryptionResponse>;

export const ProcessedClientAction = z.object({
  ActionType: z.string(),
  ActionStatus: z.number().int(),
  ActionResult: z.unknown().optional(),
  Error: z.string().optional(),
});
export type ProcessedClientAction = z.infer<typeof ProcessedClientAction>;

export const HandshakeResponse = z.object({
  ClientVersion: z.string(),
  ProcessedClientActions: z.array(ProcessedClientAction),
  Errors: z.array(z.string()).nullable().optional(),
});
export type HandshakeResponse = z.infer<typeof HandshakeResponse>;

export const HandshakeComplete = z.object({
  /** Go time.Duration: nanoseconds. */
  HandshakeTimeToComplete: z.number(),
  CustomerMessage: z.string(),
});
export type HandshakeComplete = z.infer<typeof HandshakeComplete>;

export const EncChallenge = z.object({ Challenge: z.string() });
export type EncChallenge = z.infer<typeof EncChallenge>;

/** Parse and validate a JSON payload; anything malformed becomes a ProtocolError naming the schema. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: Uint8Array, name: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch (error) {
    throw new ProtocolError("bad-payload", name, -1, `not JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ProtocolError(
      "bad-payload",
      `${name}.${issue?.path.join(".") ?? ""}`,
      -1,
      issue?.message ?? "invalid",
    );
  }
  return result.data;
}

/** A payload's JSON object, or undefined when it is not one: for fields read leniently, as the Go peers do. */
export function jsonObjectOf(payload: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload).toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function jsonPayload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

// Builders, in the Go structs' key order.

export function acknowledgeContent(
  messageType: string,
  messageId: string,
  sequenceNumber: number,
): AcknowledgeContent {
  return {
    AcknowledgedMessageType: messageType,
    AcknowledgedMessageId: messageId,
    AcknowledgedMessageSequenceNumber: sequenceNumber,
    IsSequentialMessage: true,
  };
}

export function channelClosed(fields: {
  messageId: string;
  createdDate: Date;
  destinationId: string;
  sessionId: string;
  output: string;
}): ChannelClosed {
  return {
    MessageId: fields.messageId,
    CreatedDate: fields.createdDate.toISOString(),
    DestinationId: fields.destinationId,
    SessionId: fields.sessionId,
    MessageType: "channel_closed",
    SchemaVersion: 1,
    Output: fields.output,
  };
}

export function agentSessionState(
  sessionId: string,
  state: AgentSessionState["SessionState"],
): AgentSessionState {
  return { SchemaVersion: 1, SessionState: state, SessionId: sessionId };
}
