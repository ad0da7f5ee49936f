/**
 * One managed node's agent: keeps the control channel to the gateway up, starts a session worker for
 * each interactive_shell, cancels it on channel_closed, and reports agent_task_complete until the gateway
 * acknowledges it (mgs-agent-side.md sections 2-6). Runs in-process, in another process, or in a container.
 */
import { randomUUID } from "node:crypto";
import type WebSocket from "ws";
import {
  decodeFrame,
  encodeFrame,
  jsonObjectOf,
  jsonPayload,
  MessageType,
  makeFrame,
  PayloadType,
  ProtocolError,
} from "../../protocol";
import type { Logger } from "../logger";
import type { MgsClient } from "./mgsClient";
import { parseInteractiveShell, type SessionTask, type TaskResult, taskCompletePayload } from "./task";

/** Runs one session; resolves with its result. `cancel()` is channel_closed/TerminateSession. */
export interface SessionRun {
  readonly done: Promise<TaskResult>;
  cancel(): void;
}

export type StartSessionWorker = (task: SessionTask) => SessionRun;

export interface AgentNodeOptions {
  nodeId: string;
  mgs: MgsClient;
  startWorker: StartSessionWorker;
  logger: Logger;
  /** Reported in OpenControlChannel and so in DescribeInstanceInformation. */
  agentVersion?: string;
}

/** The version whose behaviour this agent reproduces. */
export const EMULATED_AGENT_VERSION = "3.3.1142.0";
const TASK_COMPLETE_SENDS = 3;
const TASK_COMPLETE_ACK_WAIT_MS = 1_000;
/** Reconnect back-off: shorter than the real agent's 5-10 s base, so local runs recover fast. */
const RECONNECT_INITIAL_MS = 200;
const RECONNECT_MAX_MS = 5_000;

export class AgentNode {
  private socket?: WebSocket;
  private stopping = false;
  private connected?: Promise<void>;
  private readonly runs = new Map<string, SessionRun>();
  private readonly pendingAcks = new Map<string, () => void>();
  private readonly log: Logger;

  constructor(private readonly options: AgentNodeOptions) {
    this.log = options.logger.child(`agent/${options.nodeId}`);
  }

  /** Resolves when the control channel is first open; keeps it up until stop(). */
  start(): Promise<void> {
    this.connected ??= this.connectWithRetry();
    return this.connected;
  }

  get activeSessions(): number {
    return this.runs.size;
  }

  /** Cancels every session (shells are killed), waits for their results, then closes the channel. */
  async stop(): Promise<void> {
    this.stopping = true;
    const runs = [...this.runs.values()];
    for (const run of runs) run.cancel();
    await Promise.allSettled(runs.map((r) => r.done));
    this.socket?.terminate();
  }

  private async connectWithRetry(): Promise<void> {
    let delay = RECONNECT_INITIAL_MS;
    for (;;) {
      try {
        await this.connect();
        return;
      } catch (error) {
        if (this.stopping) return;
        this.log.warn(`control channel setup failed, retrying in ${delay} ms: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RECONNECT_MAX_MS);
      }
    }
  }

  private async connect(): Promise<void> {
    const { mgs, nodeId } = this.options;
    const token = await mgs.createControlChannel(nodeId);
    const socket = await mgs.dial(`/v1/control-channel/${encodeURIComponent(nodeId)}`, {
      role: "subscribe",
      stream: "input",
    });
    socket.send(
      JSON.stringify({
        Cookie: null,
        MessageSchemaVersion: "1.0",
        RequestId: randomUUID(),
        TokenValue: token,
        AgentVersion: this.options.agentVersion ?? EMULATED_AGENT_VERSION,
        PlatformType: "linux",
      }),
    );
    this.socket = socket;
    socket.on("message", (data) => this.receive(data as Buffer));
    socket.on("error", (error) => this.log.debug(`control channel error: ${error.message}`));
    socket.on("close", () => {
      if (this.socket !== socket || this.stopping) return;
      this.log.info("control channel closed; reconnecting");
      this.socket = undefined;
      void this.connectWithRetry();
    });
    this.log.info("control channel open");
  }

  private receive(data: Buffer): void {
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(data, { strict: false });
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.log.warn(`dropped a malformed control-channel frame: ${error.message}`);
      return;
    }
    switch (frame.messageType) {
      case MessageType.InteractiveShell:
        this.startSession(frame.payload);
        return;
      case MessageType.ChannelClosed:
        this.cancelSession(frame.payload);
        return;
      case MessageType.AgentTaskAcknowledge: {
        const messageId = jsonObjectOf(frame.payload)?.MessageId;
        if (typeof messageId === "string") this.pendingAcks.get(messageId)?.();
        return;
      }
      default:
        this.log.warn(`invalid message type in message: ${frame.messageType}`);
    }
  }

  private startSession(payload: Buffer): void {
    let task: SessionTask;
    try {
      task = parseInteractiveShell(payload);
    } catch (error) {
      this.log.error(`dropped interactive_shell: ${(error as Error).message}`);
      return;
    }
    // A resent interactive_shell for a session that already runs is a duplicate.
    if (this.runs.has(task.sessionId)) return;
    const run = this.options.startWorker(task);
    this.runs.set(task.sessionId, run);
    run.done
      .catch(
        (error: unknown): TaskResult => ({
          status: "Failed",
          output: String((error as Error)?.message ?? error),
          cwlGroup: "",
          cwlStream: "",
        }),
      )
      .then((result) => {
        this.runs.delete(task.sessionId);
        return this.reportComplete(task.sessionId, result);
      })
      .catch((error: unknown) =>
        this.log.error(`reporting ${task.sessionId} failed: ${(error as Error).message}`),
      );
  }

  private cancelSession(payload: Buffer): void {
    const sessionId = jsonObjectOf(payload)?.SessionId;
    if (typeof sessionId === "string") this.runs.get(sessionId)?.cancel();
  }

  /** Sends agent_task_complete up to 3 times, 1 s apart, with the same MessageId, until acknowledged. */
  private async reportComplete(sessionId: string, result: TaskResult): Promise<void> {
    const messageId = randomUUID();
    const acked = new Promise<void>((resolve) => this.pendingAcks.set(messageId, resolve));
    try {
      for (let attempt = 1; attempt <= TASK_COMPLETE_SENDS; attempt++) {
        const frame = makeFrame({
          messageType: MessageType.AgentTaskComplete,
          messageId,
          sequenceNumber: 0,
          flags: 0,
          payloadType: PayloadType.None,
          payload: jsonPayload(taskCompletePayload(sessionId, this.options.nodeId, result, attempt)),
        });
        this.socket?.send(encodeFrame(frame));
        const timeout = new Promise<"timeout">((resolve) =>
          setTimeout(resolve, TASK_COMPLETE_ACK_WAIT_MS, "timeout").unref(),
        );
        if ((await Promise.race([acked, timeout])) !== "timeout") return;
      }
      this.log.warn(`agent_task_complete for ${sessionId} was never acknowledged`);
    } finally {
      this.pendingAcks.delete(messageId);
    }
  }
}
