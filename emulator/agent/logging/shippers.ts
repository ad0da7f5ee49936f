import { type Logger, silentLogger } from "../../logger";
import type { StripOptions } from "./ansi";
import { plainEvent, type SessionIdentity, structuredEvent } from "./events";
import type { LogsApi } from "./logsApi";
import type { SessionLogRecorder } from "./recorder";
import { LogUploader, type PipelineHooks, type ShipResult, type UploaderConfig } from "./uploader";

/** Raw text per streamed event (`StreamMessageLengthThresholdInBytes`: JSON escaping may inflate it ~6x). */
export const STREAM_EVENT_BYTES = 33_000;
/** Raw text per uploaded event (`MessageLengthThresholdInBytes`). */
export const UPLOAD_EVENT_BYTES = 200_000;
/** Events per PutLogEvents call (`maxNumberOfEventsPerCall`). */
export const MAX_EVENTS_PER_PUT = 4;

interface ShipperOptions {
  logsApi: LogsApi;
  recorder: SessionLogRecorder;
  logGroupName: string;
  /** Also the log stream name. */
  sessionId: string;
  /** Ticker period in real milliseconds (default 1000, the agent's UploadFrequency); never time-scaled. */
  uploadIntervalMs?: number;
  /** How long finish() waits for the last events (default 30 s). */
  finishTimeoutMs?: number;
  hooks?: PipelineHooks;
  logger?: Logger;
  /** Clock for event timestamps (default Date.now). */
  now?: () => number;
}

export interface StreamingShipperOptions extends ShipperOptions, SessionIdentity {
  ansi?: StripOptions;
}

export type UploadAtEndShipperOptions = ShipperOptions;

function uploaderConfig(
  options: ShipperOptions,
  rest: Pick<UploaderConfig, "mode" | "maxEventBytes" | "ansi" | "buildEvent">,
): UploaderConfig {
  return {
    logsApi: options.logsApi,
    recorder: options.recorder,
    logGroupName: options.logGroupName,
    logStreamName: options.sessionId,
    maxEventsPerPut: MAX_EVENTS_PER_PUT,
    intervalMs: options.uploadIntervalMs ?? 1000,
    hooks: options.hooks ?? {},
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
    ...rest,
  };
}

/**
 * Streaming mode (`cloudWatchStreamingEnabled: true`, spec 13.3): from start() on, complete lines of the
 * recorded output go out every tick as JSON events with ANSI stripped. finish() is the agent's ptyTerminated
 * signal: the final partial line is flushed and it resolves when everything is shipped.
 */
export class StreamingShipper {
  private readonly uploader: LogUploader;
  private started = false;
  private finishing: Promise<ShipResult> | undefined;

  constructor(private readonly options: StreamingShipperOptions) {
    const identity: SessionIdentity = {
      region: options.region,
      targetId: options.targetId,
      sessionOwner: options.sessionOwner,
      runAsUser: options.runAsUser,
      sessionId: options.sessionId,
    };
    this.uploader = new LogUploader(
      uploaderConfig(options, {
        mode: "streaming",
        maxEventBytes: STREAM_EVENT_BYTES,
        ansi: options.hooks?.keepAnsi ? undefined : (options.ansi ?? {}),
        buildEvent: (raw, _fileComplete, nowMs) => structuredEvent(raw, identity, nowMs),
      }),
    );
  }

  /** Resolves when streaming ends: everything shipped, stopped (e.g. ResourceNotFound), or timed out. */
  get done(): Promise<ShipResult> {
    return this.uploader.done;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.uploader.start();
  }

  finish(): Promise<ShipResult> {
    this.start();
    this.finishing ??= this.uploader.finish(this.options.finishTimeoutMs ?? 30_000);
    return this.finishing;
  }
}

/**
 * Upload-at-end mode (`cloudWatchStreamingEnabled: false`, spec 13.4): at finish(), the raw transcript (no
 * ANSI stripping) as plain-text events, one put per tick. The agent first runs the ipcTempFile through
 * `script`, which adds its own "Script started/done" lines; this transcript is the recorded output alone.
 */
export class UploadAtEndShipper {
  private readonly uploader: LogUploader;
  private finishing: Promise<ShipResult> | undefined;

  constructor(private readonly options: UploadAtEndShipperOptions) {
    this.uploader = new LogUploader(
      uploaderConfig(options, {
        mode: "upload",
        maxEventBytes: UPLOAD_EVENT_BYTES,
        ansi: undefined,
        buildEvent: plainEvent,
      }),
    );
  }

  finish(): Promise<ShipResult> {
    if (!this.finishing) {
      this.uploader.complete();
      this.uploader.start();
      this.finishing = this.uploader.finish(this.options.finishTimeoutMs ?? 30_000);
    }
    return this.finishing;
  }
}
