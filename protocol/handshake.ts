/**
 * The agent-initiated handshake (session-manager-spec.md section 8): what the agent role
 * (handshakeAgent.ts) and the client role (handshakeClient.ts) share.
 *
 * Neither state machine sequences, acknowledges or resends anything: the owner passes in the payloads of
 * in-order stream data (payloadType + bytes) and sends what they produce through its reliable stream.
 */
import { PayloadType } from "./constants";

/** Hands a payload to the owner, which wraps it in the next stream-data frame of its reliable stream. */
export type SendPayload = (payloadType: PayloadType, payload: Buffer) => void;

/** The agent waits this long for the HandshakeResponse and again for the EncChallengeResponse. */
export const HANDSHAKE_TIMEOUT_MS = 15_000;

/** User-visible texts, verbatim from the agent and the plugin. */
export const HandshakeText = {
  FailurePrefix: "Encountered error while initiating handshake. ",
  ResponseTimeout:
    "Handshake timed out. Please ensure that you have the latest version of the session manager plugin.",
  ChallengeTimeout: "Timed out waiting for encryption challenge.",
  ChallengeMismatch: "Encryption challenge does not match!",
  ChallengeRequired: "client does not support required encryption context random challenge",
  Encrypted: "This session is encrypted using AWS KMS.",
  CliUpgradeNeeded:
    "Installed version of CLI does not support Session Manager encryption feature. Please upgrade to the latest version of your CLI (e.g., AWS CLI).",
} as const;

/** Session plugin names as they appear in `SessionType`. */
export const SessionPluginName = {
  StandardStream: "Standard_Stream",
  InteractiveCommands: "InteractiveCommands",
  NonInteractiveCommands: "NonInteractiveCommands",
  Port: "Port",
} as const;

export const EncryptionContextKey = {
  SessionId: "aws:ssm:SessionId",
  TargetId: "aws:ssm:TargetId",
  RandomChallenge: "aws:ssm:RandomChallenge",
} as const;

export type EncryptionContext = Record<string, string>;

/** The KMS encryption context of the data key; the challenge is in it only when the client acknowledged it. */
export function kmsEncryptionContext(
  sessionId: string,
  targetId: string,
  challenge?: string,
): EncryptionContext {
  const context: EncryptionContext = {
    [EncryptionContextKey.SessionId]: sessionId,
    [EncryptionContextKey.TargetId]: targetId,
  };
  if (challenge !== undefined) context[EncryptionContextKey.RandomChallenge] = challenge;
  return context;
}

/** Whether the session plugin itself asks for a handshake (the agent's `RequireHandshake()`). */
export function sessionPluginRequiresHandshake(sessionType: string): boolean {
  return sessionType === SessionPluginName.NonInteractiveCommands || sessionType === SessionPluginName.Port;
}

/** KMS encryption is on when the preferences name a key, except for Port sessions. */
export function isEncryptionEnabled(sessionType: string, kmsKeyId: string | undefined): boolean {
  return kmsKeyId !== undefined && kmsKeyId !== "" && sessionType !== SessionPluginName.Port;
}

export function isHandshakeRequired(sessionType: string, kmsKeyId: string | undefined): boolean {
  return sessionPluginRequiresHandshake(sessionType) || isEncryptionEnabled(sessionType, kmsKeyId);
}

/** HandshakeRequest, HandshakeResponse, HandshakeComplete, EncChallengeRequest and EncChallengeResponse. */
export function isHandshakePayloadType(payloadType: number): boolean {
  return payloadType >= PayloadType.HandshakeRequest && payloadType <= PayloadType.EncChallengeResponse;
}

/**
 * Why the agent gave up on the handshake. `reason` is the agent's error (for example the timeout text);
 * `message` is what the session fails with: `Encountered error while initiating handshake. <reason>`.
 */
export class HandshakeError extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${HandshakeText.FailurePrefix}${reason}`, options);
    this.name = "HandshakeError";
  }
}

/** The message of a thrown value, for composing the agent's and the plugin's error texts. */
export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
