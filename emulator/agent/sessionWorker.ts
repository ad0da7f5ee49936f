/**
 * One session on the agent (the real agent's ssm-session-worker; spec 10.1, mgs-agent-side.md 4-6):
 * data channel open, agent_session_state Connected, handshake (skipped for a plain shell), logging
 * validation, the shell in a PTY with its output pump, session logs, and the end: shell exit or cancel.
 */
import {
  AgentHandshake,
  agentSessionStateFrame,
  encodeFrame,
  type Frame,
  MessageType,
  PayloadType,
  parsePayload,
  ReliableStream,
  type SessionCipher,
  SHUTDOWN_DRAIN_MS,
  SizeData,
  systemClock,
  type TraceFn,
  tracer,
} from "../../protocol";
import type { Logger } from "../logger";
import type { SessionPreferences } from "../ssm/documents";
import type { SessionRun } from "./agentNode";
import { AgentDataChannel } from "./dataChannel";
import type { LogsApi } from "./logging/logsApi";
import { SessionLogRecorder } from "./logging/recorder";
import { StreamingShipper, UploadAtEndShipper } from "./logging/shippers";
import type { PipelineHooks } from "./logging/uploader";
import { validateLogging } from "./logging/validate";
import type { MgsClient } from "./mgsClient";
import type { Pacing } from "./shell/outputPump";
import { PtyShell } from "./shell/ptyShell";
import type { SessionTask, TaskResult } from "./task";

export interface SessionWorkerDeps {
  nodeId: string;
  region: string;
  agentVersion: string;
  mgs: MgsClient;
  logsApi: LogsApi;
  /** KMS Decrypt of the client's data key with the given encryption context. */
  decryptDataKey(ciphertextB64: string, context: Record<string, string>): Promise<Buffer>;
  /** The Session document as the agent reads it: inputs with parameters substituted. */
  preferencesOf(task: SessionTask): SessionPreferences;
  /** Who shells run as without Run As (the agent's ssm-user); undefined: this process's user. */
  defaultShellUser?: string;
  pacing?: Pacing;
  /** Most bytes per output message (default 1024, as the agent). */
  outputChunkBytes?: number;
  logHooks?: PipelineHooks;
  logger: Logger;
}

const RUN_AS_DEFAULT_USER_MISSING = "please set the RunAs default user";
/**
 * Output messages sent and not yet acknowledged beyond which the shell's output is paused, until acks bring
 * the count under half of it. Not in the real agent, whose only bound is its 100,000-message buffer (past it
 * output is still sent, unbuffered): without this, a client that stops acking or reading would let a
 * flooding shell grow the agent's buffer and the sockets' send queues without limit. 4 MiB of output
 * (4096 messages of 1 KiB) never binds an interactive session.
 */
export const MAX_UNACKED_OUTPUT_BYTES = 4 * 1024 * 1024;

export function startSessionWorker(task: SessionTask, deps: SessionWorkerDeps): SessionRun {
  const worker = new SessionWorker(task, deps);
  return { done: worker.run(), cancel: () => worker.cancel() };
}

class SessionWorker {
  private readonly log: Logger;
  private readonly channel: AgentDataChannel;
  private readonly stream: ReliableStream;
  private handshake?: AgentHandshake;
  private cipher?: SessionCipher;
  private shell?: PtyShell;
  private cancelled = false;
  private readonly cancelledSignal: Promise<void>;
  private signalCancel!: () => void;
  private readonly recorder = new SessionLogRecorder();
  /** Unacknowledged output messages that pause the shell (MAX_UNACKED_OUTPUT_BYTES in full chunks). */
  private readonly maxUnacked: number;
  private cwlGroup = "";
  private readonly trace: TraceFn | undefined;

  constructor(
    private readonly task: SessionTask,
    private readonly deps: SessionWorkerDeps,
  ) {
    this.log = deps.logger.child(task.sessionId);
    this.trace = tracer(task.sessionId, "agent");
    this.maxUnacked = Math.max(64, Math.floor(MAX_UNACKED_OUTPUT_BYTES / (deps.outputChunkBytes ?? 1024)));
    this.cancelledSignal = new Promise((resolve) => {
      this.signalCancel = resolve;
    });
    this.channel = new AgentDataChannel({
      mgs: deps.mgs,
      sessionId: task.sessionId,
      nodeId: deps.nodeId,
      logger: this.log,
      onFrame: (data) => this.receive(data),
      onReconnected: (send) => {
        this.trace?.("data channel reconnected");
        this.stream.reconnect(send);
      },
      onLost: (reason) => {
        // The service no longer has this session: nobody will send channel_closed. After a cancel (the
        // service closes the socket while the worker drains), that is the expected end, not a fault.
        const ended = reason.includes("Session is already terminated");
        if (this.cancelled || ended) this.log.info(`data channel closed by the service: ${reason}`);
        else this.log.warn(`data channel lost: ${reason}`);
        if (ended) this.cancel();
      },
    });
    this.stream = new ReliableStream({
      role: "agent",
      clock: systemClock,
      send: this.channel.send,
      deliver: (frame) => this.deliver(frame),
      logger: this.log,
      trace: this.trace,
    });
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.signalCancel();
  }

  async run(): Promise<TaskResult> {
    const result = (status: TaskResult["status"], output = ""): TaskResult => ({
      status,
      output,
      cwlGroup: this.cwlGroup,
      cwlStream: this.cwlGroup ? this.task.sessionId : "",
    });
    try {
      await this.channel.open();
      this.trace?.("data channel open");
    } catch (error) {
      return result("Failed", (error as Error).message);
    }
    try {
      this.channel.send(encodeFrame(agentSessionStateFrame(this.task.sessionId, "Connected")));
      if (this.cancelled) return result("Cancelled");
      const outcome = await this.runSession();
      return result(outcome.status, outcome.output);
    } catch (error) {
      return result("Failed", (error as Error).message);
    } finally {
      this.stream.close();
      this.channel.close();
    }
  }

  private async runSession(): Promise<Pick<TaskResult, "status" | "output">> {
    const prefs = this.deps.preferencesOf(this.task);
    this.handshake = new AgentHandshake({
      agentVersion: this.deps.agentVersion,
      sessionType: prefs.sessionType,
      properties: prefs.properties,
      kms: prefs.kmsKeyId
        ? {
            keyId: prefs.kmsKeyId,
            decryptDataKey: this.deps.decryptDataKey,
            sessionId: this.task.sessionId,
            targetId: this.deps.nodeId,
          }
        : undefined,
      clock: systemClock,
      send: (payloadType, payload) => this.stream.sendData(payloadType, payload),
    });
    const handshakeDone = this.handshake.start();
    const first = await Promise.race([handshakeDone, this.cancelledSignal.then(() => undefined)]);
    if (!first) return { status: "Cancelled", output: "" };
    this.cipher = first.cipher;
    this.trace?.("handshake done");

    const validation = await validateLogging(
      {
        cloudWatchLogGroupName: prefs.cloudWatchLogGroupName,
        cloudWatchEncryptionEnabled: prefs.cloudWatchEncryptionEnabled,
        cloudWatchStreamingEnabled: prefs.cloudWatchStreamingEnabled,
      },
      this.deps.logsApi,
      this.log,
    );
    this.trace?.(`logging validated: ${validation.ok ? validation.mode : validation.error}`);
    if (!validation.ok) return { status: "Failed", output: validation.error };
    for (const warning of validation.warnings) this.sendOutput(Buffer.from(`${warning}\r\n`));

    const runAsUser = this.runAsUser(prefs);
    if (runAsUser instanceof Error) return { status: "Failed", output: runAsUser.message };
    try {
      this.shell = await PtyShell.start({
        runAsUser,
        onChunk: (chunk) => this.sendOutput(chunk),
        pacing: this.deps.pacing,
        maxChunkBytes: this.deps.outputChunkBytes,
        logger: this.log,
      });
    } catch (error) {
      return { status: "Failed", output: (error as Error).message };
    }
    this.trace?.("shell started");
    if (this.stream.paused) this.shell.pause();
    this.shell.typeProfile(prefs.shellProfileLinux);

    if (validation.mode !== "off") this.cwlGroup = prefs.cloudWatchLogGroupName;
    const shipper = this.shipper(validation.mode, prefs.cloudWatchLogGroupName, this.shell.user);
    if (shipper instanceof StreamingShipper) shipper.start();

    const ended = await Promise.race([
      this.shell.exited.then(() => "exit" as const),
      this.cancelledSignal.then(() => "cancel" as const),
    ]);
    if (ended === "cancel") {
      // TerminateSession, idle timeout, max duration: SIGKILL the shell, finish logs, report Success.
      await this.shell.kill();
      await shipper?.finish();
      await this.stream.drain(SHUTDOWN_DRAIN_MS);
      return { status: "Success", output: "" };
    }
    await this.shell.outputDone;
    await this.stream.drain(SHUTDOWN_DRAIN_MS);
    this.channel.send(encodeFrame(agentSessionStateFrame(this.task.sessionId, "Terminating")));
    await shipper?.finish();
    return { status: "Success", output: "" };
  }

  /** Run As: the task's RunAsUser wins, then the document's runAsDefaultUser when runAsEnabled. */
  private runAsUser(prefs: SessionPreferences): string | undefined | Error {
    if (this.task.runAsUser.trim() !== "") return this.task.runAsUser;
    if (prefs.runAsEnabled) {
      return prefs.runAsDefaultUser.trim() !== ""
        ? prefs.runAsDefaultUser
        : new Error(RUN_AS_DEFAULT_USER_MISSING);
    }
    return this.deps.defaultShellUser;
  }

  private shipper(mode: "off" | "upload" | "streaming", logGroupName: string, runAsUser: string) {
    if (mode === "off") return undefined;
    const common = {
      logsApi: this.deps.logsApi,
      recorder: this.recorder,
      logGroupName,
      sessionId: this.task.sessionId,
      hooks: this.deps.logHooks,
      logger: this.log,
    };
    if (mode === "upload") return new UploadAtEndShipper(common);
    return new StreamingShipper({
      ...common,
      region: this.deps.region,
      targetId: this.deps.nodeId,
      sessionOwner: this.task.sessionOwner,
      runAsUser,
    });
  }

  /** Output to the client: recorded for the logs in plain text, encrypted on the wire when KMS is on. */
  private sendOutput(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.recorder.append(chunk);
    const payload = this.cipher ? this.cipher.sealOutgoing(PayloadType.Output, chunk) : chunk;
    this.stream.sendData(PayloadType.Output, payload);
    if (this.stream.unacked >= this.maxUnacked && this.shell && !this.shell.paused) {
      this.trace?.(`shell paused: ${this.stream.unacked} unacked`);
      this.shell.pause();
    }
  }

  /** Resumes the shell's output unless publication is paused or too much output is still unacknowledged. */
  private resumeShell(): void {
    if (this.shell?.paused && !this.stream.paused && this.stream.unacked < this.maxUnacked / 2) {
      this.trace?.(`shell resumed: ${this.stream.unacked} unacked`);
      this.shell.resume();
    }
  }

  private receive(data: Buffer): void {
    const result = this.stream.receive(data);
    switch (result.kind) {
      case "publication":
        if (result.paused) this.shell?.pause();
        else this.resumeShell();
        return;
      case "acknowledge":
      case "stream-data":
        // Any input or acknowledge clears a pause (spec 9), within the unacked-output bound.
        this.resumeShell();
        return;
      case "other":
        if (result.frame.messageType === MessageType.ChannelClosed) this.cancel();
        else this.log.warn(`Invalid message type received: ${result.frame.messageType}`);
        return;
      case "invalid":
        this.log.warn(`dropped a malformed frame: ${result.error.message}`);
        return;
      case "closed":
        return;
    }
  }

  /** One in-order client message. `false` = not ready (no ack; the client resends). */
  private async deliver(frame: Frame): Promise<boolean> {
    const handshake = this.handshake;
    if (!handshake) return false;
    if (
      frame.payloadType === PayloadType.HandshakeResponse ||
      frame.payloadType === PayloadType.EncChallengeResponse
    ) {
      await handshake
        .handle(frame.payloadType, frame.payload)
        .catch((error: Error) => this.log.warn(error.message));
      return true;
    }
    // Until the handshake is complete or skipped, other input is acknowledged and discarded.
    if (!handshake.accepts(frame.payloadType)) return true;
    if (!this.shell) return false;
    switch (frame.payloadType) {
      case PayloadType.Output: {
        const bytes = this.cipher
          ? this.cipher.openIncoming(frame.payloadType, frame.payload)
          : frame.payload;
        this.shell.write(bytes);
        return true;
      }
      case PayloadType.Size: {
        // A malformed Size is acknowledged and dropped, or the client would resend it forever.
        try {
          const size = parsePayload(SizeData, frame.payload, "Size");
          this.shell.resize(size.cols, size.rows);
        } catch (error) {
          this.log.warn(`ignored a malformed Size payload: ${(error as Error).message}`);
        }
        return true;
      }
      default:
        return true;
    }
  }
}
