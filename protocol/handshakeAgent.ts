/**
 * The agent's side of the handshake (session-manager-spec.md section 8; AGENT `sessionplugin.go`,
 * `datachannel.go` `PerformHandshake`): HandshakeRequest, then HandshakeResponse within 15 s, then, with
 * KMS encryption, the encryption challenge within another 15 s, then HandshakeComplete.
 */
import { randomBytes } from "node:crypto";
import type { Clock, TimerHandle } from "./clock";
import { PayloadType } from "./constants";
import {
  type EncryptionContext,
  errorMessageOf,
  HANDSHAKE_TIMEOUT_MS,
  HandshakeError,
  HandshakeText,
  isEncryptionEnabled,
  kmsEncryptionContext,
  type SendPayload,
  sessionPluginRequiresHandshake,
} from "./handshake";
import {
  ActionStatus,
  ActionType,
  EncChallenge,
  HandshakeResponse,
  jsonPayload,
  KMSEncryptionResponse,
  type ProcessedClientAction,
  parsePayload,
} from "./payloads";
import { SessionCipher } from "./sessionCipher";

export interface AgentKmsOptions {
  /** The preferences' `kmsKeyId`; empty means no encryption. */
  keyId: string;
  /** The owner calls KMS Decrypt on the client's ciphertext blob (base64, as received) with this context. */
  decryptDataKey(ciphertextKeyB64: string, encryptionContext: EncryptionContext): Promise<Buffer>;
  sessionId: string;
  /** The managed node id. */
  targetId: string;
}

export interface AgentHandshakeOptions {
  agentVersion: string;
  /** The session plugin name, e.g. `Standard_Stream`, `NonInteractiveCommands`, `Port`. */
  sessionType: string;
  /** The plugin properties sent in the SessionType action; null when absent. */
  properties?: unknown;
  kms?: AgentKmsOptions;
  /** The agent's `Kms.RequireKMSChallengeResponse` (default false). */
  requireChallengeAcknowledgement?: boolean;
  /** Override for the plugin's `RequireHandshake()`; by default only NonInteractiveCommands and Port require one. */
  requireHandshake?: boolean;
  clock: Clock;
  send: SendPayload;
}

export interface AgentHandshakeOutcome {
  skipped: boolean;
  /** Set when the session is KMS-encrypted. */
  cipher?: SessionCipher;
  /** As sent in HandshakeComplete (Go time.Duration); 0 when skipped. */
  timeToCompleteNs: number;
  clientVersion?: string;
}

export type AgentHandshakeState =
  | "idle"
  | "awaiting-response"
  | "processing-response"
  | "awaiting-challenge"
  | "complete"
  | "skipped"
  | "failed";

export class AgentHandshake {
  readonly encrypted: boolean;
  readonly required: boolean;
  private current: AgentHandshakeState = "idle";
  private readonly outcome: Promise<AgentHandshakeOutcome>;
  private resolve!: (outcome: AgentHandshakeOutcome) => void;
  private reject!: (error: HandshakeError) => void;
  private timer?: TimerHandle;
  private startedAt = 0;
  /** Base64 of 16 random bytes, sent in the KMSEncryption action. */
  private randomChallenge = "";
  private challenge = Buffer.alloc(0);
  private cipher?: SessionCipher;
  private clientVersion?: string;
  /** A challenge answer that failed verification; see onChallengeResponse. */
  private challengeError?: Error;

  constructor(private readonly options: AgentHandshakeOptions) {
    this.encrypted = isEncryptionEnabled(options.sessionType, options.kms?.keyId);
    this.required =
      (options.requireHandshake ?? sessionPluginRequiresHandshake(options.sessionType)) || this.encrypted;
    this.outcome = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get state(): AgentHandshakeState {
    return this.current;
  }

  /** Sends the HandshakeRequest, or settles as skipped at once when no handshake is needed. */
  start(): Promise<AgentHandshakeOutcome> {
    if (this.current !== "idle") return this.outcome;
    this.startedAt = this.options.clock.now();
    if (!this.required) {
      this.current = "skipped";
      this.resolve({ skipped: true, timeToCompleteNs: 0 });
      return this.outcome;
    }
    this.current = "awaiting-response";
    this.options.send(PayloadType.HandshakeRequest, jsonPayload(this.buildRequest()));
    this.arm(HandshakeText.ResponseTimeout);
    return this.outcome;
  }

  /**
   * Whether the owner should hand this input_stream_data payload to the session plugin. Until the
   * handshake is complete or skipped the agent acknowledges but discards everything else; handshake
   * payloads always belong to `handle`.
   */
  accepts(payloadType: number): boolean {
    const done = this.current === "complete" || this.current === "skipped";
    return (
      done &&
      payloadType !== PayloadType.HandshakeResponse &&
      payloadType !== PayloadType.EncChallengeResponse
    );
  }

  /**
   * Consumes a HandshakeResponse or EncChallengeResponse (other types are ignored). Settles once the
   * payload has been processed (KMS Decrypt included). Rejects when the agent would log an error and keep
   * waiting: a malformed payload (ProtocolError) or a challenge answer that does not verify.
   */
  async handle(payloadType: number, payload: Buffer): Promise<void> {
    if (payloadType === PayloadType.HandshakeResponse) return this.onResponse(payload);
    if (payloadType === PayloadType.EncChallengeResponse) return this.onChallengeResponse(payload);
  }

  /** Gives up (for example on channel_closed): stops the timer and rejects with `reason`. */
  cancel(reason: string): void {
    if (this.current === "complete" || this.current === "skipped" || this.current === "failed") return;
    this.fail(reason);
  }

  private buildRequest() {
    const { agentVersion, sessionType, properties, kms } = this.options;
    const actions: { ActionType: string; ActionParameters: unknown }[] = [
      {
        ActionType: ActionType.SessionType,
        ActionParameters: { SessionType: sessionType, Properties: properties ?? null },
      },
    ];
    if (this.encrypted && kms) {
      this.randomChallenge = randomBytes(16).toString("base64");
      actions.push({
        ActionType: ActionType.KMSEncryption,
        ActionParameters: { KMSKeyId: kms.keyId, Challenge: this.randomChallenge },
      });
    }
    return { AgentVersion: agentVersion, RequestedClientActions: actions };
  }

  private async onResponse(payload: Buffer): Promise<void> {
    const response = parsePayload(HandshakeResponse, payload, "HandshakeResponse");
    if (this.current !== "awaiting-response") return;
    this.current = "processing-response";
    this.clientVersion = response.ClientVersion;
    // Like the agent: every action is processed, the last error wins, and the 15 s timer keeps running
    // through the KMS call.
    let error: string | undefined;
    for (const action of response.ProcessedClientActions) {
      const actionError = await this.processAction(action);
      if (this.current !== "processing-response") return;
      error = actionError ?? error;
    }
    if (error === undefined && this.encrypted && !this.cipher) {
      // The agent has no answer for this (it would use an uninitialised cipher); this text is ours.
      error = `${ActionType.KMSEncryption} was requested but the client did not process it`;
    }
    if (error !== undefined) return this.fail(error);
    if (!this.cipher) return this.complete();
    this.current = "awaiting-challenge";
    this.challenge = randomBytes(64);
    const encrypted = this.cipher.encrypt(this.challenge).toString("base64");
    this.options.send(PayloadType.EncChallengeRequest, jsonPayload({ Challenge: encrypted }));
    this.arm(HandshakeText.ChallengeTimeout);
  }

  /** The agent's error text for one processed action, or undefined when it is fine. */
  private async processAction(action: ProcessedClientAction): Promise<string | undefined> {
    if (action.ActionStatus !== ActionStatus.Success) {
      return `${action.ActionType} failed on client with status ${action.ActionStatus} error: ${action.Error ?? ""}`;
    }
    // Other successful actions (SessionType, unknown ones) need nothing from the agent.
    if (action.ActionType !== ActionType.KMSEncryption || !this.encrypted) return undefined;
    return this.finalizeKms(action.ActionResult);
  }

  private async finalizeKms(actionResult: unknown): Promise<string | undefined> {
    const kms = this.options.kms!;
    const parsed = KMSEncryptionResponse.safeParse(actionResult);
    // Our wording: the agent reports Go's unmarshalling error here.
    if (!parsed.success) return `invalid KMSEncryption ActionResult: ${parsed.error.issues[0]?.message}`;
    const acknowledged = parsed.data.ChallengeAcknowledgement === true;
    if (this.options.requireChallengeAcknowledgement && !acknowledged) return HandshakeText.ChallengeRequired;
    const context = kmsEncryptionContext(
      kms.sessionId,
      kms.targetId,
      acknowledged ? this.randomChallenge : undefined,
    );
    let dataKey: Buffer;
    try {
      dataKey = await kms.decryptDataKey(parsed.data.KMSCipherTextKey, context);
    } catch (error) {
      return `Fetching data key failed: Unable to retrieve data key, ${errorMessageOf(error)}`;
    }
    try {
      this.cipher = SessionCipher.forRole("agent", dataKey);
    } catch (error) {
      return `Fetching data key failed: ${errorMessageOf(error)}`;
    }
    return undefined;
  }

  private async onChallengeResponse(payload: Buffer): Promise<void> {
    const response = parsePayload(EncChallenge, payload, "EncChallengeResponse");
    if (this.current !== "awaiting-challenge" || !this.cipher) return;
    // The agent records a failed verification but does not wake its waiter, so a wrong answer surfaces as
    // the challenge timeout, and a later right answer as the recorded error.
    let answer: Buffer;
    try {
      answer = this.cipher.decrypt(
        Buffer.from(response.Challenge, "base64"),
        "EncChallengeResponse.Challenge",
      );
    } catch (error) {
      this.challengeError = error as Error;
      throw error;
    }
    if (!answer.equals(this.challenge)) {
      this.challengeError = new Error(HandshakeText.ChallengeMismatch);
      throw this.challengeError;
    }
    if (this.challengeError) return this.fail(this.challengeError.message);
    this.complete();
  }

  private complete(): void {
    this.disarm();
    this.current = "complete";
    const timeToCompleteNs = Math.round((this.options.clock.now() - this.startedAt) * 1e6);
    const customerMessage = this.encrypted ? HandshakeText.Encrypted : "";
    this.options.send(
      PayloadType.HandshakeComplete,
      jsonPayload({ HandshakeTimeToComplete: timeToCompleteNs, CustomerMessage: customerMessage }),
    );
    this.resolve({
      skipped: false,
      cipher: this.cipher,
      timeToCompleteNs,
      clientVersion: this.clientVersion,
    });
  }

  private fail(reason: string): void {
    this.disarm();
    this.current = "failed";
    this.reject(new HandshakeError(reason, { cause: this.challengeError }));
  }

  private arm(reason: string): void {
    this.disarm();
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.fail(reason);
    }, HANDSHAKE_TIMEOUT_MS);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
