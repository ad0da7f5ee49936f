/**
 * One session as the gateway sees it: the client's and the agent's data-channel sockets, the relay of
 * frames between them, and the service-side timers. As in AWS the agent has no timers: the idle timeout
 * and the maximum session duration are enforced here, on client input passing through.
 */
import type WebSocket from "ws";
import {
  coalescingSend,
  decodeFrame,
  encodeFrame,
  type Frame,
  isHandshakePayloadType,
  jsonObjectOf,
  MessageType,
  makeFrame,
  PayloadType,
  ProtocolError,
  type TraceFn,
  tracer,
} from "../../protocol";
import type { ServiceTimer, TimeScale } from "../clock";
import type { ActivityKind, RelayFaults } from "../faults/types";
import type { Logger } from "../logger";
import type { SessionRecord } from "../sessions/session";

export interface RelayPolicy {
  /** Whether client acknowledge frames count as activity (an open question; AWS docs list only inputs). */
  acksResetIdle: boolean;
  /** Pause the agent's output while no client is attached, so an absent client cannot grow buffers. */
  pauseAgentWithoutClient: boolean;
  maxFrameBytes: number;
}

export interface RelayEvents {
  onIdleTimeout(relay: SessionRelay): void;
  onMaxDuration(relay: SessionRelay): void;
  onAgentSessionState(relay: SessionRelay, state: string): void;
  onClientDetached(relay: SessionRelay): void;
}

const MINUTE_MS = 60_000;
/**
 * Bytes queued for a peer's socket (ws bufferedAmount: not yet taken by the kernel) beyond which relayed
 * frames to that peer are dropped rather than queued. A peer that stops reading cannot make the gateway
 * buffer without bound; nothing is lost, because both ends resend what goes unacknowledged (the agent
 * its output, the client its input, and a dropped ack is answered by the resent input's re-ack).
 */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

export class SessionRelay {
  private client?: WebSocket;
  private agent?: WebSocket;
  /** Relayed frames go out through these: one write per event-loop turn (protocol/coalesce.ts). */
  private relayToClient: (data: Buffer) => void = () => undefined;
  private relayToAgent: (data: Buffer) => void = () => undefined;
  private idleTimer?: ServiceTimer;
  private maxTimer?: ServiceTimer;
  private clocksStarted = false;
  private agentPaused = false;
  /** Set once the service has ended the session; later frames are dropped. */
  closed = false;
  private readonly trace: TraceFn | undefined;

  constructor(
    readonly session: SessionRecord,
    private readonly scale: TimeScale,
    private readonly policy: RelayPolicy,
    private readonly events: RelayEvents,
    private readonly log: Logger,
    /** Fault profile hooks (emulator/faults); none: AWS's behaviour. */
    private readonly faults: RelayFaults = {},
  ) {
    this.trace = tracer(session.sessionId, "relay");
  }

  /**
   * Called at StartSession. The clocks themselves start when the session becomes interactive: at the first
   * shell output relayed to the client, or at the first client input (keys, resize, resume) if that comes
   * first. Until then the session is being set up (the agent waits 1 s before its first output, spec 10.1),
   * and that set-up time, which is real time, must not count against a scaled idle timeout or duration: at
   * time scale 60 a one-minute timeout lasts one second, shorter than the wait for the prompt. In AWS the
   * difference is the same second out of at least a minute.
   */
  startTimers(): void {
    this.session.lastActivityAt = Date.now();
  }

  /** Client activity: restarts the idle timer (and starts the clocks if the session was not yet interactive). */
  touch(): void {
    this.session.lastActivityAt = Date.now();
    if (!this.clocksStarted) {
      this.startClocks();
      return;
    }
    this.restartIdle();
  }

  /**
   * Traffic that may count as activity: it restarts the idle timer when it counts. `standard` is AWS's
   * answer for this kind of traffic; a fault profile may answer otherwise.
   */
  activity(kind: ActivityKind, standard: boolean): void {
    if (this.faults.isActivity ? this.faults.isActivity(kind, standard) : standard) this.touch();
  }

  private startClocks(): void {
    if (this.clocksStarted || this.closed) return;
    this.clocksStarted = true;
    const max = this.session.preferences.maxSessionDurationMinutes;
    const maxMs = max === null ? null : faulted(this.faults.maxDurationMs, max * MINUTE_MS);
    if (maxMs !== null) this.maxTimer = this.scale.after(maxMs, () => this.events.onMaxDuration(this));
    this.restartIdle();
  }

  private restartIdle(): void {
    if (this.closed) return;
    this.idleTimer?.cancel();
    const idleMs = faulted(
      this.faults.idleTimeoutMs,
      this.session.preferences.idleSessionTimeoutMinutes * MINUTE_MS,
    );
    if (idleMs !== null) this.idleTimer = this.scale.after(idleMs, () => this.events.onIdleTimeout(this));
  }

  get hasClient(): boolean {
    return this.client !== undefined;
  }

  get hasAgent(): boolean {
    return this.agent !== undefined;
  }

  attachClient(socket: WebSocket): void {
    if (this.client && this.client !== socket) this.client.terminate();
    this.client = socket;
    this.relayToClient = coalescingSend(socket);
    this.trace?.("client attached");
    socket.on("message", (data, isBinary) => this.fromClient(data as Buffer, isBinary));
    socket.on("close", () => {
      this.trace?.(`client socket closed${this.client === socket ? "" : " (a replaced one)"}`);
      if (this.client !== socket) return;
      this.client = undefined;
      this.updateAgentPause();
      if (!this.closed) this.events.onClientDetached(this);
    });
    this.updateAgentPause();
  }

  attachAgent(socket: WebSocket): void {
    if (this.agent && this.agent !== socket) this.agent.terminate();
    this.agent = socket;
    this.relayToAgent = coalescingSend(socket);
    this.agentPaused = false;
    this.trace?.("agent attached");
    socket.on("message", (data, isBinary) => this.fromAgent(data as Buffer, isBinary));
    socket.on("close", () => {
      if (this.agent === socket) this.agent = undefined;
    });
    this.updateAgentPause();
  }

  /** Sends a gateway-made frame to the client, if one is attached. */
  sendToClient(frame: Frame): void {
    this.client?.send(encodeFrame(frame));
  }

  sendToAgent(frame: Frame): void {
    this.agent?.send(encodeFrame(frame));
  }

  /** Ends the relay: timers stop, sockets close after a short grace so the last frames get out. */
  close(graceMs = 500): void {
    this.closed = true;
    this.idleTimer?.cancel();
    this.maxTimer?.cancel();
    const sockets = [this.client, this.agent].filter((s): s is WebSocket => s !== undefined);
    if (sockets.length === 0) return;
    const timer = setTimeout(() => {
      for (const s of sockets) s.terminate();
    }, graceMs);
    timer.unref();
  }

  private fromClient(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) {
      this.log.warn(
        `session ${this.session.sessionId}: client sent a text frame after OpenDataChannel; ignored`,
      );
      return;
    }
    const frame = this.decode(data, "client");
    if (!frame) return;
    if (frame.messageType === MessageType.InputStreamData) {
      // Handshake replies are set-up, not use: they count once the clocks run.
      if (!isHandshakePayloadType(frame.payloadType) || this.clocksStarted)
        this.activity(frame.payloadType === PayloadType.Size ? "size" : "keys", true);
    } else if (frame.messageType === MessageType.Acknowledge && this.clocksStarted) {
      this.activity("ack", this.policy.acksResetIdle);
    }
    // The client cannot reach an absent (or not reading) agent; it resends what goes unacknowledged.
    this.trace?.(
      `c>a ${frame.messageType} ${frame.sequenceNumber}${this.agent ? "" : " (no agent: dropped)"}`,
    );
    if (this.agent && this.agent.bufferedAmount < MAX_QUEUED_BYTES) this.relayToAgent(data);
    else if (this.agent) this.dropped("agent");
  }

  private fromAgent(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    const frame = this.decode(data, "agent");
    if (!frame) return;
    if (frame.messageType === MessageType.AgentSessionState) {
      // Consumed here, never relayed: the plugin would log it as an unknown type.
      const state = jsonObjectOf(frame.payload)?.SessionState;
      if (typeof state === "string") this.events.onAgentSessionState(this, state);
      return;
    }
    if (!isBinary) return;
    // Without a client the agent's output is dropped; the agent keeps it buffered and resends.
    this.trace?.(
      `a>c ${frame.messageType} ${frame.sequenceNumber}${this.client ? ` queued ${this.client.bufferedAmount}` : " (no client: dropped)"}`,
    );
    if (!this.client) return;
    if (this.client.bufferedAmount >= MAX_QUEUED_BYTES) {
      this.dropped("client");
      return;
    }
    this.relayToClient(data);
    if (frame.messageType === MessageType.OutputStreamData && !isHandshakePayloadType(frame.payloadType)) {
      if (!this.clocksStarted) this.startClocks();
      else this.activity("output", false);
    }
  }

  private droppedFrames = 0;

  /** A frame not relayed because the peer's socket is not draining; the sender will resend it. */
  private dropped(to: "client" | "agent"): void {
    if (this.droppedFrames++ % 1000 === 0)
      this.log.warn(
        `session ${this.session.sessionId}: the ${to} is not reading; ${this.droppedFrames} frame(s) dropped so far`,
      );
  }

  private decode(data: Buffer, from: "client" | "agent"): Frame | undefined {
    try {
      // Tolerant, as the real service is with client frames (spec section 4); frames are relayed unchanged.
      return decodeFrame(data, { strict: false, maxFrameBytes: this.policy.maxFrameBytes });
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.log.warn(`session ${this.session.sessionId}: dropped a malformed ${from} frame: ${error.message}`);
      return undefined;
    }
  }

  private updateAgentPause(): void {
    if (!this.policy.pauseAgentWithoutClient || !this.agent || this.closed) return;
    const shouldPause = this.client === undefined;
    if (shouldPause === this.agentPaused) return;
    this.agentPaused = shouldPause;
    this.trace?.(shouldPause ? "pausing the agent" : "starting the agent");
    this.sendToAgent(
      makeFrame({
        messageType: shouldPause ? MessageType.PausePublication : MessageType.StartPublication,
        sequenceNumber: 0,
        flags: 0,
        payloadType: PayloadType.None,
        payload: Buffer.alloc(0),
      }),
    );
  }
}

/** A configured duration as a fault hook changes it (null: the timer never fires). */
function faulted(hook: ((ms: number) => number | null) | undefined, configuredMs: number): number | null {
  return hook ? hook(configuredMs) : configuredMs;
}
