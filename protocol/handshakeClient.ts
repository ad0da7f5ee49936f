/**
 * The client's side of the handshake, as the session-manager-plugin plays it (session-manager-spec.md
 * section 8; PLUGIN `streaming.go` `handleHandshakeRequest`, `handleEncryptionChallengeRequest`,
 * `handleHandshakeComplete`).
 *
 * The client never starts a handshake. When the agent skips it (plain Standard_Stream or
 * InteractiveCommands without KMS) no handshake payload ever arrives: the first output_stream_data with
 * PayloadType Output tells the owner that the session is a shell, and the owner sends nothing (no Size, no
 * keystrokes) before it.
 */
import { PayloadType } from "./constants";
import { ProtocolError } from "./errors";
import {
  type EncryptionContext,
  errorMessageOf,
  HandshakeText,
  kmsEncryptionContext,
  type SendPayload,
  SessionPluginName,
} from "./handshake";
import {
  ActionStatus,
  ActionType,
  EncChallenge,
  HandshakeComplete,
  HandshakeRequest,
  jsonPayload,
  KMSEncryptionRequest,
  parsePayload,
  type RequestedClientAction,
  SessionTypeRequest,
} from "./payloads";
import { SessionCipher } from "./sessionCipher";

export interface GeneratedDataKey {
  ciphertextBlob: Buffer;
  /** 64 bytes. */
  plaintext: Buffer;
}

export interface ClientHandshakeOptions {
  /** Sent as ClientVersion (the plugin built from source reports `1.2.0.0`). */
  clientVersion: string;
  sessionId: string;
  targetId: string;
  /**
   * The owner calls KMS GenerateDataKey (KeyId, NumberOfBytes 64, this context). Without it the client
   * fails KMSEncryption the way a plugin without KMS support does.
   */
  generateDataKey?(keyId: string, encryptionContext: EncryptionContext): Promise<GeneratedDataKey>;
  /** Put the agent's random challenge into the encryption context and say so (default true). */
  acknowledgeChallenge?: boolean;
  send: SendPayload;
}

/** How the plugin treats the session: its shell handler or its port handler. */
export type ClientSessionHandler = "shell" | "port";

export interface ClientHandshakeOutcome {
  agentVersion?: string;
  /** The SessionType the agent asked for (absent if HandshakeComplete came without a HandshakeRequest). */
  sessionType?: string;
  handler?: ClientSessionHandler;
  properties?: unknown;
  /** The plugin prints it, followed by a newline, when non-empty. */
  customerMessage: string;
  cipher?: SessionCipher;
  timeToCompleteNs: number;
}

interface ProcessedAction {
  ActionType: string;
  ActionStatus: number;
  ActionResult: unknown;
  Error: string;
}

/** The result of one action: what goes into ProcessedClientActions, and the raw error for `Errors`. */
interface ActionOutcome {
  action: ProcessedAction;
  error?: string;
}

export class ClientHandshake {
  /** Settles when HandshakeComplete arrives. */
  readonly completed: Promise<ClientHandshakeOutcome>;
  private resolve!: (outcome: ClientHandshakeOutcome) => void;
  private agentVersion?: string;
  private sessionType?: string;
  private handler?: ClientSessionHandler;
  private properties?: unknown;
  private sessionCipher?: SessionCipher;

  constructor(private readonly options: ClientHandshakeOptions) {
    this.completed = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Set once a KMSEncryption action succeeded: from then on the owner encrypts and decrypts with it. */
  get cipher(): SessionCipher | undefined {
    return this.sessionCipher;
  }

  /**
   * Consumes a HandshakeRequest, EncChallengeRequest or HandshakeComplete (other types are ignored). The
   * plugin acknowledges these before processing them. Settles once the answer, if any, has been sent;
   * rejects with a ProtocolError when the plugin would log an error and not answer.
   */
  async handle(payloadType: number, payload: Buffer): Promise<void> {
    if (payloadType === PayloadType.HandshakeRequest) return this.onRequest(payload);
    if (payloadType === PayloadType.EncChallengeRequest) return this.onChallenge(payload);
    if (payloadType === PayloadType.HandshakeComplete) return this.onComplete(payload);
  }

  private async onRequest(payload: Buffer): Promise<void> {
    const request = parsePayload(HandshakeRequest, payload, "HandshakeRequest");
    this.agentVersion = request.AgentVersion;
    const processed: ProcessedAction[] = [];
    const errors: string[] = [];
    for (const requested of request.RequestedClientActions) {
      const { action, error } = await this.process(requested);
      processed.push(action);
      if (error !== undefined) errors.push(error);
    }
    // Key order as the plugin writes it (plugin-handshake.json entry 3).
    const response = {
      ClientVersion: this.options.clientVersion,
      ProcessedClientActions: processed,
      Errors: errors.length > 0 ? errors : null,
    };
    this.options.send(PayloadType.HandshakeResponse, jsonPayload(response));
  }

  private process(requested: RequestedClientAction): Promise<ActionOutcome> | ActionOutcome {
    switch (requested.ActionType) {
      case ActionType.SessionType:
        return this.processSessionType(requested.ActionParameters);
      case ActionType.KMSEncryption:
        return this.processKms(requested.ActionParameters);
      default: {
        // The plugin's bug, kept for fidelity: 3 (Unsupported) lands in ActionResult and ActionStatus stays
        // 0, which the agent treats as a failure.
        const error = `Unsupported action ${requested.ActionType}`;
        return { action: processedAction(requested.ActionType, 0, 3, error), error };
      }
    }
  }

  private processSessionType(parameters: unknown): ActionOutcome {
    // The plugin ignores unmarshalling errors, so a malformed request is just an unknown session type.
    const parsed = SessionTypeRequest.safeParse(parameters);
    const sessionType = parsed.success ? parsed.data.SessionType : "";
    const handler = handlerFor(sessionType);
    if (!handler) return failedAction(ActionType.SessionType, `Unknown session type ${sessionType}`);
    this.sessionType = sessionType;
    this.handler = handler;
    this.properties = parsed.data?.Properties;
    return { action: processedAction(ActionType.SessionType, ActionStatus.Success, null, "") };
  }

  private async processKms(parameters: unknown): Promise<ActionOutcome> {
    const { generateDataKey, sessionId, targetId } = this.options;
    if (!generateDataKey) return failedAction(ActionType.KMSEncryption, HandshakeText.CliUpgradeNeeded);
    const parsed = KMSEncryptionRequest.safeParse(parameters);
    const keyId = parsed.success ? parsed.data.KMSKeyId : "";
    const challenge = parsed.data?.Challenge;
    const acknowledge = (this.options.acknowledgeChallenge ?? true) && !!challenge;
    const context = kmsEncryptionContext(sessionId, targetId, acknowledge ? challenge : undefined);
    let dataKey: GeneratedDataKey;
    try {
      dataKey = await generateDataKey(keyId, context);
    } catch (error) {
      return failedAction(
        ActionType.KMSEncryption,
        `Error calling KMS GenerateDataKey API: ${errorMessageOf(error)}`,
      );
    }
    try {
      this.sessionCipher = SessionCipher.forRole("client", dataKey.plaintext);
    } catch (error) {
      return failedAction(ActionType.KMSEncryption, errorMessageOf(error));
    }
    const result = {
      KMSCipherTextKey: dataKey.ciphertextBlob.toString("base64"),
      KMSCipherTextHash: null,
      ...(acknowledge ? { ChallengeAcknowledgement: true } : {}),
    };
    return { action: processedAction(ActionType.KMSEncryption, ActionStatus.Success, result, "") };
  }

  /** Decrypt with the agent->client key, re-encrypt with the client->agent key, send back. */
  private async onChallenge(payload: Buffer): Promise<void> {
    const request = parsePayload(EncChallenge, payload, "EncChallengeRequest");
    if (!this.sessionCipher) {
      throw new ProtocolError("bad-payload", "EncChallengeRequest", -1, "no KMS data key has been set up");
    }
    const challenge = this.sessionCipher.decrypt(
      Buffer.from(request.Challenge, "base64"),
      "EncChallengeRequest.Challenge",
    );
    const answer = this.sessionCipher.encrypt(challenge).toString("base64");
    this.options.send(PayloadType.EncChallengeResponse, jsonPayload({ Challenge: answer }));
  }

  private async onComplete(payload: Buffer): Promise<void> {
    const complete = parsePayload(HandshakeComplete, payload, "HandshakeComplete");
    this.resolve({
      agentVersion: this.agentVersion,
      sessionType: this.sessionType,
      handler: this.handler,
      properties: this.properties,
      customerMessage: complete.CustomerMessage,
      cipher: this.sessionCipher,
      timeToCompleteNs: complete.HandshakeTimeToComplete,
    });
  }
}

function handlerFor(sessionType: string): ClientSessionHandler | undefined {
  switch (sessionType) {
    case SessionPluginName.StandardStream:
    case SessionPluginName.InteractiveCommands:
    case SessionPluginName.NonInteractiveCommands:
      return "shell";
    case SessionPluginName.Port:
      return "port";
    default:
      return undefined;
  }
}

function processedAction(type: string, status: number, result: unknown, error: string): ProcessedAction {
  return { ActionType: type, ActionStatus: status, ActionResult: result, Error: error };
}

/** The plugin reports `Failed to process action <type>: <err>` in the action and the bare error in Errors. */
function failedAction(type: string, error: string): ActionOutcome {
  return {
    action: processedAction(type, ActionStatus.Failed, null, `Failed to process action ${type}: ${error}`),
    error,
  };
}
