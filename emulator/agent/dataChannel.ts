/**
 * The agent's data channel to the gateway (mgs-agent-side.md section 5): CreateDataChannel, a signed dial,
 * the OpenDataChannel frame, and reconnection with a fresh token when the socket breaks. Retries follow
 * the agent: 100-199 ms doubling, capped at 5 s, 6 attempts; `Session is already terminated` is final.
 */
import { randomUUID } from "node:crypto";
import type WebSocket from "ws";
import { coalescingSend } from "../../protocol";
import type { Logger } from "../logger";
import type { MgsClient } from "./mgsClient";

export const DATA_CHANNEL_ATTEMPTS = 6;
const SESSION_TERMINATED = "Session is already terminated";

export interface AgentDataChannelOptions {
  mgs: MgsClient;
  sessionId: string;
  nodeId: string;
  logger: Logger;
  /** Every binary frame received, on whichever socket is current. */
  onFrame(data: Buffer): void;
  /** A new socket replaced a broken one: resend what is unacknowledged. */
  onReconnected(send: (frame: Buffer) => void): void;
  /** The socket broke and could not be re-established (or the session is over on the service side). */
  onLost(reason: string): void;
}

export class AgentDataChannel {
  private socket?: WebSocket;
  private sendOnSocket: (frame: Buffer) => void = () => undefined;
  private closing = false;

  constructor(private readonly options: AgentDataChannelOptions) {}

  /** Opens the channel; rejects with the agent's failure text after the last attempt. */
  async open(): Promise<void> {
    try {
      this.use(await this.connectWithRetry());
    } catch (error) {
      throw new Error(
        `Setting up data channel with id ${this.options.sessionId} failed: ${(error as Error).message}`,
      );
    }
  }

  /** Sends one frame on the current socket; a frame sent while reconnecting is resent by the stream. */
  send = (frame: Buffer): void => {
    if (this.socket?.readyState === 1) this.sendOnSocket(frame);
  };

  private use(socket: WebSocket): void {
    this.socket = socket;
    this.sendOnSocket = coalescingSend(socket);
  }

  /** Closes the TCP connection without a close frame, as the agent does. */
  close(): void {
    this.closing = true;
    this.socket?.terminate();
  }

  private async connectWithRetry(): Promise<WebSocket> {
    let delay = 100 + Math.random() * 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.connect();
      } catch (error) {
        const message = (error as Error).message;
        if (attempt >= DATA_CHANNEL_ATTEMPTS || message.includes(SESSION_TERMINATED) || this.closing)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async connect(): Promise<WebSocket> {
    const { mgs, sessionId, nodeId } = this.options;
    const token = await mgs.createDataChannel(sessionId);
    const socket = await mgs.dial(`/v1/data-channel/${encodeURIComponent(sessionId)}`, {
      role: "publish_subscribe",
    });
    socket.send(
      JSON.stringify({
        MessageSchemaVersion: "1.0",
        RequestId: randomUUID(),
        TokenValue: token,
        ClientInstanceId: nodeId,
        ClientId: "",
      }),
    );
    socket.on("message", (data, isBinary) => {
      if (isBinary) this.options.onFrame(data as Buffer);
    });
    socket.on("error", (error) => this.options.logger.debug(`data channel error: ${error.message}`));
    socket.on("close", () => {
      if (this.socket === socket && !this.closing) void this.reconnect();
    });
    return socket;
  }

  private async reconnect(): Promise<void> {
    this.options.logger.info("data channel broke; reconnecting");
    try {
      this.use(await this.connectWithRetry());
      this.options.onReconnected(this.send);
    } catch (error) {
      if (!this.closing) this.options.onLost((error as Error).message);
    }
  }
}
