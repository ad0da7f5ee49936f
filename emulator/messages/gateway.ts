/**
 * The message gateway (ssmmessages): the REST calls that hand out channel tokens, the WebSocket upgrades
 * of the agents' control channels and of both sides' data channels, and the session lifecycle the
 * service owns (mgs-agent-side.md, session-manager-spec.md sections 3 and 10).
 */
import type http from "node:http";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";
import {
  channelClosedFrame,
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  jsonPayload,
  MessageType,
  makeFrame,
  PayloadType,
} from "../../protocol";
import type { HttpRoute } from "../api/server";
import type { TimeScale } from "../clock";
import type { RelayFaults } from "../faults/types";
import type { Logger } from "../logger";
import type { NodeRegistry } from "../nodes";
import type { SessionRegistry } from "../sessions/registry";
import { type EndCause, isActive, type SessionRecord } from "../sessions/session";
import { closeOutputFor } from "./closeReasons";
import { type AgentTaskComplete, ControlChannel } from "./controlChannel";
import { type RelayPolicy, SessionRelay } from "./sessionRelay";
import { TokenStore } from "./tokens";
import { badRequestXml, channelTokenXml } from "./xml";

export interface GatewayOptions {
  sessions: SessionRegistry;
  nodes: NodeRegistry;
  timeScale: TimeScale;
  logger: Logger;
  policy?: Partial<RelayPolicy>;
  /** How long a new WebSocket may take to send its Open*Channel text frame. */
  openFrameTimeoutMs?: number;
  /** Fault profile hooks for the sessions' timers and activity (emulator/faults). */
  faults?: RelayFaults;
}

const CONTROL_PATH = /^\/v1\/control-channel\/([^/?]+)/;
const DATA_PATH = /^\/v1\/data-channel\/([^/?]+)/;
/** The real agent's processors register within a millisecond of the channel opening; 100 ms is ample. */
const FIRST_DISPATCH_DELAY_MS = 100;
/** interactive_shell is sent again when no CreateDataChannel follows within this time. */
const DISPATCH_RETRY_MS = 2_000;
const DISPATCH_ATTEMPTS = 3;
const AGENT_TOKEN_TTL_MS = 60_000;

export class MessageGateway {
  readonly tokens = new TokenStore();
  private readonly wss: WebSocketServer;
  private readonly controlChannels = new Map<string, { channel: ControlChannel; openedAt: number }>();
  private readonly relays = new Map<string, SessionRelay>();
  private readonly dispatchTimers = new Map<string, NodeJS.Timeout>();
  private readonly policy: RelayPolicy;
  private readonly log: Logger;

  constructor(private readonly options: GatewayOptions) {
    this.log = options.logger;
    this.policy = {
      acksResetIdle: false,
      pauseAgentWithoutClient: true,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      ...options.policy,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.policy.maxFrameBytes,
      perMessageDeflate: false,
    });
  }

  /** The REST routes: CreateControlChannel and CreateDataChannel, answered 201 with XML. */
  routes(): HttpRoute[] {
    return [
      {
        method: "POST",
        pathPrefix: "/v1/control-channel/",
        handle: (req, res) => this.createControlChannel(req, res),
      },
      {
        method: "POST",
        pathPrefix: "/v1/data-channel/",
        handle: (req, res) => this.createDataChannel(req, res),
      },
    ];
  }

  /** Attach to the API server's upgrade event; other paths are refused with 404. */
  attach(server: http.Server): void {
    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = req.url ?? "";
      if (!CONTROL_PATH.test(path) && !DATA_PATH.test(path)) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        // A peer's malformed WebSocket frame (bad UTF-8, oversized, bad opcode) is emitted as 'error'
        // after ws has closed the socket; unhandled, it would crash the whole emulator.
        ws.on("error", (error) => this.log.warn(`WebSocket ${path.split("?")[0]}: ${error.message}`));
        this.awaitOpenFrame(ws, path);
      });
    });
  }

  isConnected(nodeId: string): boolean {
    return this.controlChannels.get(nodeId)?.channel.open ?? false;
  }

  /** Registers a started session, starts its service-side timers and dispatches it to the node's agent. */
  startSession(session: SessionRecord): void {
    const relay = new SessionRelay(
      session,
      this.options.timeScale,
      this.policy,
      {
        onIdleTimeout: (r) => this.endSession(r.session.sessionId, "idle-timeout"),
        onMaxDuration: (r) => this.endSession(r.session.sessionId, "max-duration"),
        onAgentSessionState: (r, state) => {
          if (state === "Terminating" && isActive(r.session)) r.session.status = "Terminating";
        },
        onClientDetached: (r) => {
          if (isActive(r.session)) r.session.status = "Disconnected";
        },
      },
      this.log.child(session.sessionId),
      this.options.faults,
    );
    this.relays.set(session.sessionId, relay);
    relay.startTimers();
    this.dispatch(session, 1);
  }

  /** A client token for the session's StreamUrl (StartSession and ResumeSession). */
  issueClientToken(sessionId: string): string {
    return this.tokens.issue("client-data", sessionId);
  }

  /** ResumeSession counts as activity for the idle timer (AWS docs). */
  resume(sessionId: string): string {
    this.relays.get(sessionId)?.activity("resume", true);
    return this.issueClientToken(sessionId);
  }

  /** Ends a session: channel_closed to the client (and to the agent when the service ends it). */
  endSession(sessionId: string, cause: EndCause, agentOutput = ""): void {
    const session = this.options.sessions.get(sessionId);
    if (!session || !isActive(session)) return;
    session.endCause = cause;
    session.status = cause === "agent-failure" ? "Failed" : "Terminated";
    session.endDate = new Date();
    this.clearDispatch(sessionId);
    // A client token still unused (the client is slower than the end, e.g. an immediate agent failure)
    // opens the channel only to be told why the session ended; see openDataChannel.
    this.tokens.revokeChannel(sessionId, ["agent-data"]);
    const relay = this.relays.get(sessionId);
    this.relays.delete(sessionId);
    session.closeOutput = closeOutputFor(cause, agentOutput);
    const closed = { destinationId: session.target, sessionId, output: session.closeOutput };
    relay?.sendToClient(channelClosedFrame(closed));
    if (cause !== "shell-exit" && cause !== "agent-failure") {
      // The agent cancels on channel_closed from either channel; send both, the second is a no-op.
      const toAgent = { ...closed, output: "" };
      relay?.sendToAgent(channelClosedFrame(toAgent));
      this.controlChannels.get(session.target)?.channel.send(channelClosedFrame(toAgent));
    }
    relay?.close();
    this.log.info(`session ${sessionId} ended: ${cause}`);
  }

  /** Ends every active session, as when the service shuts down. */
  endAllSessions(): void {
    for (const session of this.options.sessions.active()) this.endSession(session.sessionId, "stack-stop");
  }

  /** Ends every active session and closes every channel. */
  async close(): Promise<void> {
    this.endAllSessions();
    // Let the channel_closed frames reach the clients and agents before their sockets go.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const { channel } of this.controlChannels.values()) channel.close();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private dispatch(session: SessionRecord, attempt: number): void {
    const entry = this.controlChannels.get(session.target);
    if (!entry?.channel.open || !isActive(session)) return;
    const wait = Math.max(0, entry.openedAt + FIRST_DISPATCH_DELAY_MS - Date.now());
    const send = () => {
      if (!isActive(session) || this.relays.get(session.sessionId)?.hasAgent) return;
      entry.channel.sendMessage(MessageType.InteractiveShell, interactiveShellPayload(session));
      if (attempt < DISPATCH_ATTEMPTS) {
        this.schedule(session.sessionId, DISPATCH_RETRY_MS, () => this.dispatch(session, attempt + 1));
      } else {
        this.dispatchTimers.delete(session.sessionId);
      }
    };
    if (wait > 0) this.schedule(session.sessionId, wait, send);
    else send();
  }

  private schedule(sessionId: string, ms: number, fn: () => void): void {
    this.clearDispatch(sessionId);
    const timer = setTimeout(fn, ms);
    timer.unref();
    this.dispatchTimers.set(sessionId, timer);
  }

  private clearDispatch(sessionId: string): void {
    const timer = this.dispatchTimers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.dispatchTimers.delete(sessionId);
  }

  private createControlChannel(req: http.IncomingMessage, res: http.ServerResponse): void {
    const nodeId = decodeURIComponent(CONTROL_PATH.exec(req.url ?? "")?.[1] ?? "");
    if (!this.options.nodes.get(nodeId)) {
      reply(res, 400, badRequestXml("Unauthorized request."));
      return;
    }
    reply(
      res,
      201,
      channelTokenXml(
        "CreateControlChannelOutput",
        this.tokens.issue("agent-control", nodeId, AGENT_TOKEN_TTL_MS),
      ),
    );
  }

  private createDataChannel(req: http.IncomingMessage, res: http.ServerResponse): void {
    const sessionId = decodeURIComponent(DATA_PATH.exec(req.url ?? "")?.[1] ?? "");
    const session = this.options.sessions.get(sessionId);
    if (!session) {
      reply(res, 400, badRequestXml("Session does not exist."));
      return;
    }
    if (!isActive(session)) {
      // The agent stops retrying a reconnect on this text (mgs-agent-side.md section 5.1).
      reply(res, 400, badRequestXml("Session is already terminated"));
      return;
    }
    this.clearDispatch(sessionId);
    reply(
      res,
      201,
      channelTokenXml(
        "CreateDataChannelOutput",
        this.tokens.issue("agent-data", sessionId, AGENT_TOKEN_TTL_MS),
      ),
    );
  }

  private awaitOpenFrame(ws: WebSocket, path: string): void {
    const timeoutMs = this.options.openFrameTimeoutMs ?? 10_000;
    const timer = setTimeout(
      () => ws.close(1008, "no OpenDataChannel/OpenControlChannel frame received in time"),
      timeoutMs,
    );
    timer.unref();
    ws.once("message", (data, isBinary) => {
      clearTimeout(timer);
      if (isBinary) {
        ws.close(1008, "the first frame must be a text frame carrying the open request");
        return;
      }
      let open: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse((data as Buffer).toString("utf8"));
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new Error("not an object");
        open = parsed as Record<string, unknown>;
      } catch {
        ws.close(1008, "the open frame is not a JSON object");
        return;
      }
      const control = CONTROL_PATH.exec(path);
      if (control) this.openControlChannel(ws, decodeURIComponent(control[1]!), open);
      else this.openDataChannel(ws, decodeURIComponent(DATA_PATH.exec(path)![1]!), open);
    });
  }

  private openControlChannel(ws: WebSocket, nodeId: string, open: Record<string, unknown>): void {
    const check = this.tokens.redeem(open.TokenValue, nodeId);
    if (!check.ok || check.grant.kind !== "agent-control") {
      ws.close(1008, check.ok ? "TokenValue is not a control-channel token" : check.reason);
      return;
    }
    this.controlChannels.get(nodeId)?.channel.close();
    const channel = new ControlChannel(
      nodeId,
      ws,
      (c) => this.taskComplete(c),
      this.log.child(`control/${nodeId}`),
    );
    this.controlChannels.set(nodeId, { channel, openedAt: Date.now() });
    this.options.nodes.markOnline(nodeId, typeof open.AgentVersion === "string" ? open.AgentVersion : "");
    // Agents 3.2.1478.0-3.3.40.0 wait for this; newer ones log it as unknown, so send it only when asked.
    if (open.RequireAcknowledgement === true) channel.sendMessage("control_channel_ready", {});
    ws.on("close", () => {
      if (this.controlChannels.get(nodeId)?.channel !== channel) return;
      this.controlChannels.delete(nodeId);
      this.options.nodes.markConnectionLost(nodeId);
    });
    this.log.info(`control channel open for ${nodeId}`);
  }

  private openDataChannel(ws: WebSocket, sessionId: string, open: Record<string, unknown>): void {
    const check = this.tokens.redeem(open.TokenValue, sessionId);
    if (!check.ok) {
      ws.close(1008, check.reason);
      return;
    }
    const relay = this.relays.get(sessionId);
    const session = this.options.sessions.get(sessionId);
    if (!relay || !session || !isActive(session)) {
      if (session && check.grant.kind === "client-data") {
        // The session ended before this client connected: it gets the channel_closed it missed.
        const closed = { destinationId: session.target, sessionId, output: session.closeOutput ?? "" };
        ws.send(encodeFrame(channelClosedFrame(closed)), () => ws.close(1000));
        return;
      }
      ws.close(1008, "Session is already terminated");
      return;
    }
    if (check.grant.kind === "client-data") {
      relay.attachClient(ws);
      if (session.status === "Connecting" || session.status === "Disconnected") session.status = "Connected";
    } else if (check.grant.kind === "agent-data") {
      relay.attachAgent(ws);
      if (open.RequireAcknowledgement === true) {
        relay.sendToAgent(
          makeFrame({
            messageType: "data_channel_ready",
            sequenceNumber: 0,
            flags: 0,
            payloadType: PayloadType.None,
            payload: jsonPayload({}),
          }),
        );
      }
    } else {
      ws.close(1008, "TokenValue is not a data-channel token");
    }
  }

  private taskComplete(complete: AgentTaskComplete): void {
    const cause: EndCause = complete.FinalTaskStatus === "Success" ? "shell-exit" : "agent-failure";
    this.endSession(complete.TaskId, cause, complete.Output ?? "");
  }
}

/** The interactive_shell payload: an outer JSON whose Content is the inner payload as a JSON string. */
export function interactiveShellPayload(session: SessionRecord): Record<string, unknown> {
  const parameters = Object.fromEntries(
    Object.entries(session.parameters).map(([name, values]) => [
      name,
      values.length === 1 ? values[0] : values,
    ]),
  );
  const inner = {
    SessionId: session.sessionId,
    DocumentName: session.documentName,
    DocumentContent: session.documentContent,
    Parameters: parameters,
    RunAsUser: "",
    SessionOwner: session.owner,
  };
  return {
    Content: JSON.stringify(inner),
    SchemaVersion: 1,
    TaskId: session.sessionId,
    Topic: `aws.ssm.sessionManager.${session.sessionId}`,
  };
}

function reply(res: http.ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(xml) });
  res.end(xml);
}
