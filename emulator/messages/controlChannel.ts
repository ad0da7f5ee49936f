/**
 * The agent's control channel as the gateway serves it (mgs-agent-side.md section 3): interactive_shell
 * and channel_closed go down, agent_task_complete comes up and is acknowledged with agent_task_acknowledge.
 */
import type WebSocket from "ws";
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  jsonPayload,
  MessageType,
  makeFrame,
  PayloadType,
  ProtocolError,
} from "../../protocol";
import type { Logger } from "../logger";

export interface AgentTaskComplete {
  TaskId: string;
  FinalTaskStatus: string;
  Output?: string;
  CwlGroup?: string;
  CwlStream?: string;
  RetryNumber?: number;
}

export class ControlChannel {
  /** Session ids whose completion was already reported: retries are acknowledged but not re-processed. */
  private readonly completed = new Set<string>();

  constructor(
    readonly nodeId: string,
    private readonly socket: WebSocket,
    private readonly onTaskComplete: (complete: AgentTaskComplete) => void,
    private readonly log: Logger,
  ) {
    socket.on("message", (data) => this.receive(data as Buffer));
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(frame: Frame): void {
    this.socket.send(encodeFrame(frame));
  }

  /** Sends a gateway message with the envelope MGS uses: seq 0, flags 0, PayloadType 0. */
  sendMessage(messageType: string, payload: unknown): void {
    this.send(
      makeFrame({
        messageType,
        sequenceNumber: 0,
        flags: 0,
        payloadType: PayloadType.None,
        payload: jsonPayload(payload),
      }),
    );
  }

  close(): void {
    this.socket.terminate();
  }

  private receive(data: Buffer): void {
    let frame: Frame;
    try {
      // The agent's control channel parsing ignores digest and lengths; so does ours.
      frame = decodeFrame(data, { strict: false });
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.log.warn(`control channel ${this.nodeId}: dropped a malformed frame: ${error.message}`);
      return;
    }
    if (frame.messageType !== MessageType.AgentTaskComplete) {
      // agent_telemetry, agent_update_result and the rest are tolerated and ignored.
      this.log.debug(`control channel ${this.nodeId}: ignored ${frame.messageType}`);
      return;
    }
    let complete: AgentTaskComplete;
    try {
      complete = JSON.parse(frame.payload.toString("utf8")) as AgentTaskComplete;
    } catch {
      this.log.warn(`control channel ${this.nodeId}: agent_task_complete with a payload that is not JSON`);
      return;
    }
    this.sendMessage(MessageType.AgentTaskAcknowledge, {
      MessageId: frame.messageId,
      SchemaVersion: 1,
      TaskId: complete.TaskId,
      Topic: MessageType.AgentTaskComplete,
    });
    if (typeof complete.TaskId !== "string" || this.completed.has(complete.TaskId)) return;
    this.completed.add(complete.TaskId);
    this.onTaskComplete(complete);
  }
}
