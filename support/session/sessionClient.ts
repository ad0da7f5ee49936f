/**
 * The client side of a Session Manager session, as the official plugin plays it: StartSession through the
 * SDK, the data channel through `protocol/` (OpenDataChannel, the reliable stream, the handshake and KMS
 * encryption), then typing, resizing, idling, resuming and terminating. The harness drives AWS and the
 * emulator with this same code.
 */
import { randomUUID } from "node:crypto";
import { GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import {
  ResumeSessionCommand,
  type SSMClient,
  StartSessionCommand,
  type StartSessionCommandInput,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import WebSocket from "ws";
import {
  ChannelClosed,
  ClientHandshake,
  type ClientHandshakeOutcome,
  clientOpenDataChannel,
  coalescingSend,
  type Frame,
  isHandshakePayloadType,
  jsonPayload,
  MessageType,
  PayloadType,
  parsePayload,
  ReliableStream,
  streamTimeoutReason,
  type TraceFn,
  tracer,
} from "../../protocol";
import { caBundleFromEnv } from "../config/caBundle";
import { Transcript, type TranscriptMatch } from "./transcript";

/** What the plugin built from source reports; the harness says who it is instead. */
export const CLIENT_VERSION = "1.2.0.0";

export interface SessionClientOptions {
  ssm: SSMClient;
  /** Needed for KMS-encrypted sessions (GenerateDataKey). */
  kms?: KMSClient;
  /** Terminal size sent after the first output, as the plugin does. Default 200 x 50. */
  cols?: number;
  rows?: number;
  /** How long open() waits for the first output (the prompt). Default 20 s. */
  openTimeoutMs?: number;
  /** CA certificates for wss StreamUrls (a TLS stack). Absent: AWS_CA_BUNDLE or SSL_CERT_FILE if set. */
  ca?: string | Buffer;
}

export interface SessionClosed {
  /** `channel_closed` from the service, or the socket lost with no resume. */
  kind: "channel_closed" | "terminated-by-client" | "give-up";
  /** The service's `channel_closed.Output` (empty for a normal end). */
  output: string;
  /** Real-clock instant the close was observed. */
  at: number;
}

export interface CommandResult {
  command: string;
  /** The command's output: between the echoed command line and the completion marker. */
  output: string;
  /** Keys sent (harness clock): t0 of the latency measurements. */
  sentAt: number;
  /** The completion marker seen. */
  completedAt: number;
}

export class SessionTimeoutError extends Error {}

export class SessionClient {
  readonly transcript = new Transcript();
  /** Resolves once, when the session ends for this client. */
  readonly closed: Promise<SessionClosed>;
  private resolveClosed!: (closed: SessionClosed) => void;
  private closedValue?: SessionClosed;
  private socket?: WebSocket;
  private stream!: ReliableStream;
  private handshake!: ClientHandshake;
  private firstOutput!: Promise<void>;
  private resolveFirstOutput!: () => void;
  private readonly clientId = randomUUID();
  private handshakeOutcome?: ClientHandshakeOutcome;
  private markerCount = 0;
  private readonly trace: TraceFn | undefined;

  private constructor(
    readonly sessionId: string,
    readonly target: string,
    private readonly options: SessionClientOptions,
  ) {
    this.trace = tracer(sessionId, "client");
    this.closed = new Promise((resolve) => {
      this.resolveClosed = (value) => {
        if (this.closedValue) return;
        this.closedValue = value;
        resolve(value);
      };
    });
    this.firstOutput = new Promise((resolve) => {
      this.resolveFirstOutput = resolve;
    });
  }

  /** StartSession, open the data channel and wait for the first output (the prompt). */
  static async start(input: StartSessionCommandInput, options: SessionClientOptions): Promise<SessionClient> {
    const started = await options.ssm.send(new StartSessionCommand(input));
    if (!started.SessionId || !started.TokenValue || !started.StreamUrl) {
      throw new Error("StartSession returned no SessionId, TokenValue or StreamUrl");
    }
    const client = new SessionClient(started.SessionId, input.Target!, options);
    try {
      await client.open(started.StreamUrl, started.TokenValue);
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return client;
  }

  get isClosed(): boolean {
    return this.closedValue !== undefined;
  }

  /** Set after a handshake (NonInteractiveCommands, Port, KMS). */
  get handshakeResult(): ClientHandshakeOutcome | undefined {
    return this.handshakeOutcome;
  }

  /** Where the data channel stands: the agent's next output sequence number expected, own input unacked. */
  get streamPosition(): { expecting: number; unacked: number } {
    return { expecting: this.stream.expectedSequenceNumber, unacked: this.stream.unacked };
  }

  get encrypted(): boolean {
    return this.handshake.cipher !== undefined;
  }

  /** Sends keystrokes (raw bytes, as the plugin does per stdin read); returns the instant they left. */
  send(keys: string | Buffer): number {
    const bytes = typeof keys === "string" ? Buffer.from(keys, "utf8") : keys;
    const cipher = this.handshake.cipher;
    this.stream.sendData(PayloadType.Output, cipher ? cipher.sealOutgoing(PayloadType.Output, bytes) : bytes);
    return Date.now();
  }

  /** A terminal resize: a Size message (never encrypted). */
  resize(cols: number, rows: number): number {
    this.stream.sendData(PayloadType.Size, jsonPayload({ cols, rows }));
    return Date.now();
  }

  /** Waits for `pattern` in the output after offset `from`; rejects on timeout or when the session closes. */
  async waitFor(pattern: RegExp | string, timeoutMs: number, from = 0): Promise<TranscriptMatch> {
    return this.raceClose(
      this.transcript.waitFor(pattern, from),
      timeoutMs,
      `output matching ${String(pattern)}`,
    );
  }

  /**
   * Types `command` and waits for it to finish. Completion is a marker printed after the command; the
   * typed text writes the marker in two quoted halves, so the pty's echo of the line never matches it.
   */
  async run(command: string, timeoutMs = 10_000): Promise<CommandResult> {
    const id = `${Date.now().toString(36)}${(this.markerCount++).toString(36)}`;
    const marker = `__ssmc_done_${id}__`;
    const from = this.transcript.text.length;
    const sentAt = this.send(`${command}; echo "__ssmc_done_""${id}__"\r`);
    const done = await this.waitFor(new RegExp(`\\r?\\n${marker}`), timeoutMs, from);
    const text = this.transcript.text.slice(from, done.index);
    // Drop the echoed command line.
    const firstBreak = text.indexOf("\n");
    const output = firstBreak === -1 ? "" : text.slice(firstBreak + 1);
    return { command, output, sentAt, completedAt: done.at };
  }

  /** Drops the data channel as a network failure would: no close frame, no ResumeSession. */
  dropConnection(): void {
    if (this.socket) this.trace?.("connection dropped");
    this.socket?.terminate();
    this.socket = undefined;
  }

  /**
   * ResumeSession and a new data channel with the fresh token, the same ClientId and the same sequence
   * numbers; unacknowledged input is resent. Throws when the service gives no token (not resumable).
   */
  async resume(): Promise<void> {
    this.dropConnection();
    const resumed = await this.options.ssm.send(new ResumeSessionCommand({ SessionId: this.sessionId }));
    if (!resumed.TokenValue || !resumed.StreamUrl) {
      throw new SessionNotResumableError(`Session: ${this.sessionId} timed out.`);
    }
    this.trace?.("ResumeSession answered");
    const socket = await this.connect(resumed.StreamUrl, resumed.TokenValue);
    this.stream.reconnect(coalescingSend(socket));
  }

  /** TerminateSession through the API; resolves once the service's channel_closed arrives (or 10 s). */
  async terminate(timeoutMs = 10_000): Promise<SessionClosed> {
    if (this.closedValue) return this.closedValue;
    await this.options.ssm.send(new TerminateSessionCommand({ SessionId: this.sessionId }));
    const timer = new Promise<SessionClosed>((resolve) =>
      setTimeout(
        () => resolve({ kind: "terminated-by-client", output: "", at: Date.now() }),
        timeoutMs,
      ).unref(),
    );
    const closed = await Promise.race([this.closed, timer]);
    this.resolveClosed(closed);
    this.shutdown();
    return closed;
  }

  /** Terminates the session if it is still open and releases every resource. Never throws. */
  async dispose(): Promise<void> {
    if (!this.closedValue) await this.terminate(2_000).catch(() => undefined);
    this.shutdown();
  }

  private async open(streamUrl: string, token: string): Promise<void> {
    this.handshake = new ClientHandshake({
      clientVersion: CLIENT_VERSION,
      sessionId: this.sessionId,
      targetId: this.target,
      generateDataKey: this.options.kms
        ? (keyId, context) => this.generateDataKey(keyId, context)
        : undefined,
      send: (payloadType, payload) => this.stream.sendData(payloadType, payload),
    });
    void this.handshake.completed.then((outcome) => {
      this.handshakeOutcome = outcome;
      if (outcome.customerMessage) this.transcript.append(Buffer.from(`${outcome.customerMessage}\n`));
    });
    this.trace?.("StartSession answered");
    const socket = await this.connect(streamUrl, token);
    this.trace?.("data channel open");
    this.stream = new ReliableStream({
      role: "client",
      // Unlike the plugin (spec 9), ack a duplicate again. When a drop loses an ack, the agent resends
      // that message; unacked, it stays the agent's oldest forever, and output the agent buffered while
      // publication was paused (client detached) is sent only once the oldest is acked: the session hangs
      // after resume() (test/reliability/nothing-lost.test.ts found it). A repeated ack is harmless.
      reackDuplicates: true,
      trace: this.trace,
      send: coalescingSend(socket),
      deliver: (frame) => this.deliver(frame),
      onGiveUp: () => {
        // The plugin terminates the session when its input is never acknowledged.
        void this.options.ssm
          .send(new TerminateSessionCommand({ SessionId: this.sessionId }))
          .catch(() => undefined);
        this.resolveClosed({ kind: "give-up", output: streamTimeoutReason(this.sessionId), at: Date.now() });
      },
    });
    const firstAt = await this.raceClose(
      this.firstOutput,
      this.options.openTimeoutMs ?? 20_000,
      "the first output",
    );
    void firstAt;
    // As the plugin: a Size message right after the first output.
    this.resize(this.options.cols ?? 200, this.options.rows ?? 50);
  }

  private async connect(streamUrl: string, token: string): Promise<WebSocket> {
    const socket = new WebSocket(streamUrl, {
      ...(streamUrl.startsWith("wss:") && { ca: this.options.ca ?? caBundleFromEnv() }),
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.on("error", () => undefined);
    socket.send(clientOpenDataChannel({ token, clientId: this.clientId, clientVersion: CLIENT_VERSION }));
    socket.on("message", (data, isBinary) => {
      if (isBinary && this.socket === socket) this.receive(data as Buffer);
    });
    socket.on("close", (code, reason) => {
      // A socket the gateway refused (bad token, terminated session) tells why in its close reason.
      if (this.socket === socket && !this.closedValue && code === 1008) {
        this.resolveClosed({ kind: "channel_closed", output: reason.toString("utf8"), at: Date.now() });
      }
    });
    this.socket = socket;
    return socket;
  }

  private receive(data: Buffer): void {
    const result = this.stream.receive(data);
    if (result.kind === "other" && result.frame.messageType === MessageType.ChannelClosed) {
      let output = "";
      try {
        output = parsePayload(ChannelClosed, result.frame.payload, "channel_closed").Output ?? "";
      } catch {
        // A malformed channel_closed still ends the session, as it does for the plugin.
      }
      this.resolveClosed({ kind: "channel_closed", output, at: Date.now() });
      this.shutdown();
    }
  }

  private async deliver(frame: Frame): Promise<boolean> {
    if (isHandshakePayloadType(frame.payloadType)) {
      await this.handshake.handle(frame.payloadType, frame.payload);
      return true;
    }
    if (frame.payloadType === PayloadType.Output || frame.payloadType === PayloadType.StdErr) {
      const cipher = this.handshake.cipher;
      const bytes = cipher ? cipher.openIncoming(frame.payloadType, frame.payload) : frame.payload;
      this.transcript.append(bytes);
      this.resolveFirstOutput();
    }
    return true;
  }

  private async generateDataKey(keyId: string, context: Record<string, string>) {
    const out = await this.options.kms!.send(
      new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 64, EncryptionContext: context }),
    );
    if (!out.CiphertextBlob || !out.Plaintext) throw new Error("GenerateDataKey returned no key");
    return { ciphertextBlob: Buffer.from(out.CiphertextBlob), plaintext: Buffer.from(out.Plaintext) };
  }

  private async raceClose<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SessionTimeoutError(`session ${this.sessionId}: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const closed = this.closed.then((c): never => {
      throw new SessionClosedError(this.sessionId, c, what);
    });
    try {
      return await Promise.race([promise, timeout, closed]);
    } finally {
      clearTimeout(timer);
    }
  }

  private shutdown(): void {
    this.stream?.close();
    this.socket?.terminate();
    this.socket = undefined;
  }
}

export class SessionNotResumableError extends Error {}

export class SessionClosedError extends Error {
  constructor(
    readonly sessionId: string,
    readonly closedBy: SessionClosed,
    what: string,
  ) {
    super(
      `session ${sessionId} closed (${closedBy.kind}: ${JSON.stringify(closedBy.output)}) while waiting for ${what}`,
    );
  }
}
