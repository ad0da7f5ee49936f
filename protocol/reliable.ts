/**
 * The reliability layer of the data channel (session-manager-spec.md section 9), for one endpoint: it
 * numbers, buffers and resends its own `*_stream_data`, and acknowledges, orders and delivers the peer's.
 * Transport-agnostic: frames leave through `send` and arrive through `receive`; time comes from a Clock.
 */
import { type Clock, systemClock, type TimerHandle } from "./clock";
import { Flags, MessageType, PayloadType } from "./constants";
import { ProtocolError } from "./errors";
import { decodeFrame, encodeFrame, type Frame } from "./frame";
import { ackFrame, streamDataFrame } from "./messages";
import { AcknowledgeContent, parsePayload } from "./payloads";
import { INITIAL_RTO_STATE, type RtoState, updateRto } from "./rto";
import type { TraceFn } from "./trace";

/** "agent" sends output_stream_data and receives input_stream_data; "client" (the plugin) the opposite. */
export type StreamRole = "agent" | "client";

/**
 * What happens to the oldest unacked message once its RTO has passed. Both check it every 100 ms.
 * - "agent": resend it and record the resend time, so the next resend waits another RTO.
 * - "plugin": resend it; the plugin records the time on a copy, so the original send time stays: the
 *   message is then resent on every tick until acked, and its RTT sample is measured from the first send.
 */
export type ResendPolicy = "agent" | "plugin";

export const RESEND_INTERVAL_MS = 100;
/** The plugin gives up (and terminates the session) when its oldest message has been resent this often. */
export const PLUGIN_MAX_RESENDS = 3000;
export const AGENT_BUFFER_CAPACITY = 100_000;
export const PLUGIN_BUFFER_CAPACITY = 10_000;
/** How long the agent waits for its outgoing buffer to empty before closing (`PrepareToCloseChannel`). */
export const SHUTDOWN_DRAIN_MS = 2000;

/** The reason the plugin gives to TerminateSession when it gives up resending. */
export function streamTimeoutReason(sessionId: string): string {
  return `Terminating session ${sessionId} as the stream data was not processed before timeout.`;
}

export interface ReliableLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export interface GiveUpInfo {
  /** The oldest unacked message, the one resent in vain. */
  sequenceNumber: number;
  resends: number;
}

export interface ReliableStreamOptions {
  role: StreamRole;
  /** Defaults to the system clock. */
  clock?: Clock;
  /** Writes one binary frame to the current transport. A throw is logged; the message stays buffered. */
  send(frame: Buffer): void;
  /**
   * Hands one in-order message of the peer to its handler. `false` (or a throw/rejection) means "not ready":
   * the message is not acked when that decides the ack, and is offered again later. Calls never overlap:
   * while a returned promise is pending, later messages wait.
   */
  deliver(frame: Frame): boolean | Promise<boolean>;
  /** Called once when the resend limit is reached (client role by default). */
  onGiveUp?(info: GiveUpInfo): void;
  logger?: ReliableLogger;
  /** Default: "agent" for the agent role, "plugin" for the client role. */
  resendPolicy?: ResendPolicy;
  /** Resends of one message before giving up. Default: never (agent), 3000 (client). */
  maxResends?: number;
  /** Default 100 000 (agent) / 10 000 (client). When full the agent stops buffering, the plugin evicts. */
  outgoingCapacity?: number;
  /** Out-of-order messages kept for later. Default 100 000 (agent) / 10 000 (client). */
  incomingCapacity?: number;
  /**
   * Ack a message behind the expected sequence number again. Default: true for the agent role, false for the
   * client role, as spec section 9 says. Note: amazon-ssm-agent's handleStreamDataMessage, as far as we have
   * read it, discards such messages without an ack.
   */
  reackDuplicates?: boolean;
  /** Debug trace of sequence numbers, acks and resends (protocol/trace.ts). */
  trace?: TraceFn;
}

/** What `receive` made of a frame. Only "other" frames are left entirely to the caller. */
export type ReceiveResult =
  | { kind: "stream-data"; frame: Frame }
  | { kind: "acknowledge"; sequenceNumber: number; matched: boolean }
  | { kind: "publication"; frame: Frame; paused: boolean }
  | { kind: "other"; frame: Frame }
  | { kind: "invalid"; error: ProtocolError }
  | { kind: "closed" };

export interface ReliableStats {
  /** Stream-data messages transmitted for the first time (not counting those held back by a pause). */
  sent: number;
  /** Retransmissions, by the scheduler or on reconnect. */
  resent: number;
  /** Acks that removed a buffered message. */
  acked: number;
  acksSent: number;
  /** Peer messages accepted by the handler. */
  delivered: number;
  /** Handler refusals (not ready, threw or rejected). */
  notReady: number;
  /** Peer messages behind the expected sequence number. */
  duplicates: number;
  /** Peer messages ahead of the expected sequence number. */
  outOfOrder: number;
  /** Own messages not kept for retransmission because the outgoing buffer was full. */
  overflowed: number;
}

const ROLES = {
  agent: {
    sends: MessageType.OutputStreamData,
    receives: MessageType.InputStreamData,
    strictDecoding: false,
    resendPolicy: "agent",
    maxResends: Number.POSITIVE_INFINITY,
    capacity: AGENT_BUFFER_CAPACITY,
    reackDuplicates: true,
  },
  client: {
    sends: MessageType.InputStreamData,
    receives: MessageType.OutputStreamData,
    strictDecoding: true,
    resendPolicy: "plugin",
    maxResends: PLUGIN_MAX_RESENDS,
    capacity: PLUGIN_BUFFER_CAPACITY,
    reackDuplicates: false,
  },
} as const;

/** Payload types the plugin acks before processing; everything else is acked only once accepted. */
const CLIENT_ACK_FIRST = new Set<number>([
  PayloadType.HandshakeRequest,
  PayloadType.HandshakeComplete,
  PayloadType.EncChallengeRequest,
]);

interface Outgoing {
  sequenceNumber: number;
  bytes: Buffer;
  lastSent: number;
  resends: number;
}

type Job = () => void | Promise<void>;

export class ReliableStream {
  readonly role: StreamRole;
  readonly resendPolicy: ResendPolicy;
  private readonly clock: Clock;
  private transport: (frame: Buffer) => void;
  private readonly deliverFn: (frame: Frame) => boolean | Promise<boolean>;
  private readonly onGiveUp: ((info: GiveUpInfo) => void) | undefined;
  private readonly logger: ReliableLogger | undefined;
  private readonly profile: (typeof ROLES)[StreamRole];
  private readonly maxResends: number;
  private readonly outgoingCapacity: number;
  private readonly incomingCapacity: number;
  private readonly reackDuplicates: boolean;
  private readonly trace: TraceFn | undefined;

  private nextSeq = 0;
  private expected = 0;
  /** Unacked own messages; a Map keeps insertion (= sequence) order, so the first entry is the oldest. */
  private readonly outgoing = new Map<number, Outgoing>();
  /** Peer messages acked but not yet accepted by the handler, by sequence number. */
  private readonly incoming = new Map<number, Frame>();
  private rtoState: RtoState = INITIAL_RTO_STATE;
  private isPaused = false;
  private gaveUp = false;
  private closed = false;
  private readonly scheduler: TimerHandle;
  private readonly jobs: Job[] = [];
  private running = false;
  private idleWaiters: Array<() => void> = [];
  private readonly drainWaiters = new Set<(emptied: boolean) => void>();
  private readonly counters: ReliableStats = {
    sent: 0,
    resent: 0,
    acked: 0,
    acksSent: 0,
    delivered: 0,
    notReady: 0,
    duplicates: 0,
    outOfOrder: 0,
    overflowed: 0,
  };

  constructor(options: ReliableStreamOptions) {
    this.role = options.role;
    this.profile = ROLES[options.role];
    this.clock = options.clock ?? systemClock;
    this.transport = options.send;
    this.deliverFn = options.deliver;
    this.onGiveUp = options.onGiveUp;
    this.logger = options.logger;
    this.resendPolicy = options.resendPolicy ?? this.profile.resendPolicy;
    this.maxResends = options.maxResends ?? this.profile.maxResends;
    this.outgoingCapacity = options.outgoingCapacity ?? this.profile.capacity;
    this.incomingCapacity = options.incomingCapacity ?? this.profile.capacity;
    this.reackDuplicates = options.reackDuplicates ?? this.profile.reackDuplicates;
    this.trace = options.trace;
    this.scheduler = this.clock.setInterval(() => this.tick(), RESEND_INTERVAL_MS);
  }

  /** The sequence number the next `sendData` will use. */
  get nextSequenceNumber(): number {
    return this.nextSeq;
  }

  /** The peer's sequence number we deliver next. */
  get expectedSequenceNumber(): number {
    return this.expected;
  }

  /** Own messages buffered and not yet acked. */
  get unacked(): number {
    return this.outgoing.size;
  }

  /** Agent role only: publication paused by pause_publication. */
  get paused(): boolean {
    return this.isPaused;
  }

  get rto(): RtoState {
    return this.rtoState;
  }

  get stats(): Readonly<ReliableStats> {
    return { ...this.counters };
  }

  /**
   * Numbers, buffers and (unless paused) transmits one stream-data message; returns its sequence number.
   * The agent role sets SYN on sequence number 0 only; the client role never sets flags (spec 7.4).
   */
  sendData(payloadType: PayloadType, payload: Buffer): number {
    if (this.closed) throw new Error("ReliableStream: sendData after close");
    const sequenceNumber = this.nextSeq++;
    const flags = this.role === "agent" && sequenceNumber === 0 ? Flags.Syn : Flags.None;
    const now = this.clock.now();
    const bytes = encodeFrame(
      streamDataFrame(this.profile.sends, sequenceNumber, payloadType, payload, flags, now),
    );
    if (!this.isPaused) {
      this.transmit(bytes);
      this.counters.sent++;
    }
    this.trace?.(
      `send ${sequenceNumber}${this.isPaused ? " (paused: held)" : ""} unacked ${this.outgoing.size}`,
    );
    this.keep({ sequenceNumber, bytes, lastSent: now, resends: 0 });
    return sequenceNumber;
  }

  /** Handles one frame from the peer. Never throws for a malformed frame: it comes back as "invalid". */
  receive(input: Uint8Array | Frame): ReceiveResult {
    if (this.closed) return { kind: "closed" };
    let frame: Frame;
    try {
      frame =
        input instanceof Uint8Array ? decodeFrame(input, { strict: this.profile.strictDecoding }) : input;
    } catch (error) {
      return this.invalid(error);
    }
    switch (frame.messageType) {
      case this.profile.receives:
        if (this.role === "agent") this.isPaused = false;
        this.run(() => this.process(frame));
        return { kind: "stream-data", frame };
      case MessageType.Acknowledge:
        return this.onAcknowledge(frame);
      case MessageType.PausePublication:
      case MessageType.StartPublication:
        // The plugin ignores both; the agent stops or resumes sending and resending.
        if (this.role === "agent") this.isPaused = frame.messageType === MessageType.PausePublication;
        this.trace?.(`${frame.messageType} (paused ${this.isPaused})`);
        return { kind: "publication", frame, paused: this.isPaused };
      default:
        return { kind: "other", frame };
    }
  }

  /**
   * Switches to a new transport (after ResumeSession or a CreateDataChannel reconnect) without resetting
   * sequence numbers, clears a pause as the agent does, and resends every unacked message in order.
   */
  reconnect(send: (frame: Buffer) => void): void {
    this.transport = send;
    this.isPaused = false;
    if (this.closed) return;
    this.trace?.(
      `reconnect: resending ${this.outgoing.size} from ${this.outgoing.keys().next().value} expecting ${this.expected}`,
    );
    const now = this.clock.now();
    for (const entry of this.outgoing.values()) {
      this.transmit(entry.bytes);
      this.counters.resent++;
      if (this.resendPolicy === "agent") entry.lastSent = now;
    }
  }

  /** Resolves true once every own message is acked, or false when `timeoutMs` passes first (or on close). */
  drain(timeoutMs = SHUTDOWN_DRAIN_MS): Promise<boolean> {
    if (this.outgoing.size === 0) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (emptied: boolean) => {
        this.clock.clearTimeout(timer);
        this.drainWaiters.delete(settle);
        resolve(emptied);
      };
      const timer = this.clock.setTimeout(() => settle(false), timeoutMs);
      this.drainWaiters.add(settle);
    });
  }

  /** Resolves when no delivery is in progress or queued (useful with an asynchronous `deliver`). */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the resend scheduler and all processing. Pending drains resolve. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearInterval(this.scheduler);
    this.jobs.length = 0;
    this.settleDrains(this.outgoing.size === 0);
  }

  private keep(entry: Outgoing): void {
    if (this.outgoing.size >= this.outgoingCapacity) {
      this.counters.overflowed++;
      // The agent stops buffering (the new message is never resent); the plugin evicts its oldest.
      if (this.role === "agent") return;
      this.outgoing.delete(this.outgoing.keys().next().value!);
    }
    this.outgoing.set(entry.sequenceNumber, entry);
  }

  private onAcknowledge(frame: Frame): ReceiveResult {
    if (this.role === "agent") this.isPaused = false;
    let content: AcknowledgeContent;
    try {
      content = parsePayload(AcknowledgeContent, frame.payload, "AcknowledgeContent");
    } catch (error) {
      return this.invalid(error);
    }
    // Acks are per message: remove exactly the one with this sequence number.
    const sequenceNumber = content.AcknowledgedMessageSequenceNumber;
    const entry = this.outgoing.get(sequenceNumber);
    if (entry !== undefined) {
      this.rtoState = updateRto(this.rtoState, this.clock.now() - entry.lastSent);
      this.outgoing.delete(sequenceNumber);
      this.counters.acked++;
      if (this.outgoing.size === 0) this.settleDrains(true);
    }
    this.trace?.(
      `ack-in ${sequenceNumber}${entry ? "" : " (unmatched)"} unacked ${this.outgoing.size} rto ${Math.round(this.rtoState.rto)}`,
    );
    return { kind: "acknowledge", sequenceNumber, matched: entry !== undefined };
  }

  private process(frame: Frame): void | Promise<void> {
    const seq = frame.sequenceNumber;
    this.trace?.(`data-in ${seq} expecting ${this.expected}`);
    if (seq === this.expected) {
      if (this.role === "client" && CLIENT_ACK_FIRST.has(frame.payloadType)) {
        // Acked before processing, so the peer will not resend it: keep it until the handler accepts it.
        this.ack(frame);
        this.incoming.set(seq, frame);
        return this.drainIncoming();
      }
      return andThen(this.offer(frame), (accepted) => {
        if (!accepted || this.closed) return; // not ready: no ack, the peer resends
        this.ack(frame);
        this.incoming.delete(seq);
        this.expected++;
        return this.drainIncoming();
      });
    }
    if (seq > this.expected) {
      this.counters.outOfOrder++;
      if (this.incoming.size < this.incomingCapacity) {
        this.ack(frame);
        this.incoming.set(seq, frame);
      }
      return;
    }
    this.counters.duplicates++;
    this.logger?.debug(`duplicate ${frame.messageType} seq ${seq}, expecting ${this.expected}`);
    if (this.reackDuplicates) this.ack(frame);
  }

  /** Delivers buffered messages from the expected sequence number on, stopping at the first refusal. */
  private drainIncoming(): void | Promise<void> {
    while (!this.closed) {
      const next = this.incoming.get(this.expected);
      if (next === undefined) return;
      const accepted = this.offer(next);
      if (accepted instanceof Promise) {
        return accepted.then((ok) => {
          if (!ok) return;
          this.consume(next);
          return this.drainIncoming();
        });
      }
      if (!accepted) return; // retried on the next scheduler tick
      this.consume(next);
    }
  }

  private consume(frame: Frame): void {
    this.incoming.delete(frame.sequenceNumber);
    this.expected++;
  }

  private offer(frame: Frame): boolean | Promise<boolean> {
    let result: boolean | Promise<boolean>;
    try {
      result = this.deliverFn(frame);
    } catch (error) {
      return this.refused(frame, error);
    }
    if (typeof result === "boolean") return this.counted(result);
    return Promise.resolve(result).then(
      (accepted) => this.counted(accepted === true),
      (error: unknown) => this.refused(frame, error),
    );
  }

  private counted(accepted: boolean): boolean {
    if (accepted) this.counters.delivered++;
    else this.counters.notReady++;
    return accepted;
  }

  private refused(frame: Frame, error: unknown): false {
    this.trace?.(`handler failed on ${frame.sequenceNumber}`);
    this.logger?.warn(`handler failed on ${frame.messageType} seq ${frame.sequenceNumber}: ${String(error)}`);
    this.counters.notReady++;
    return false;
  }

  private tick(): void {
    this.resendOldest();
    if (!this.running && this.incoming.has(this.expected)) this.run(() => this.drainIncoming());
  }

  /** Only the oldest unacked message is ever considered (spec 9, "Resend scheduler"). */
  private resendOldest(): void {
    if (this.isPaused || this.gaveUp) return;
    const head = this.outgoing.values().next().value;
    if (head === undefined) return;
    const now = this.clock.now();
    if (!(now - head.lastSent > this.rtoState.rto)) return;
    if (head.resends >= this.maxResends) {
      this.gaveUp = true;
      this.logger?.warn(`message ${head.sequenceNumber} was resent ${head.resends} times; giving up`);
      this.onGiveUp?.({ sequenceNumber: head.sequenceNumber, resends: head.resends });
      return;
    }
    head.resends++;
    this.counters.resent++;
    this.trace?.(
      `resend ${head.sequenceNumber} #${head.resends} after ${now - head.lastSent} ms, rto ${Math.round(this.rtoState.rto)}`,
    );
    this.transmit(head.bytes);
    if (this.resendPolicy === "agent") head.lastSent = now;
  }

  private ack(frame: Frame): void {
    this.transmit(encodeFrame(ackFrame(frame, this.clock.now())));
    this.counters.acksSent++;
    this.trace?.(`ack-out ${frame.sequenceNumber}`);
  }

  private transmit(bytes: Buffer): void {
    try {
      this.transport(bytes);
    } catch (error) {
      this.logger?.warn(`send failed: ${String(error)}`);
    }
  }

  private invalid(error: unknown): ReceiveResult {
    if (!(error instanceof ProtocolError)) throw error;
    this.logger?.warn(`dropped an invalid frame: ${error.message}`);
    return { kind: "invalid", error };
  }

  private settleDrains(emptied: boolean): void {
    for (const settle of [...this.drainWaiters]) settle(emptied);
  }

  /** Runs incoming work strictly in arrival order, even when a delivery is asynchronous. */
  private run(job: Job): void {
    this.jobs.push(job);
    if (!this.running) this.pump();
  }

  private pump(): void {
    this.running = true;
    while (this.jobs.length > 0) {
      const pending = this.jobs.shift()!();
      if (pending instanceof Promise) {
        pending.then(
          () => this.pump(),
          (error: unknown) => {
            this.logger?.warn(`delivery failed: ${String(error)}`);
            this.pump();
          },
        );
        return;
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function andThen<T>(value: T | Promise<T>, fn: (value: T) => void | Promise<void>): void | Promise<void> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
