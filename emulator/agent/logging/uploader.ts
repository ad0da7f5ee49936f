import type { InputLogEvent, LogStream } from "@aws-sdk/client-cloudwatch-logs";
import type { Logger } from "../../logger";
import { type StripOptions, stripAnsi } from "./ansi";
import { awsErrorCode, type LogsApi } from "./logsApi";
import type { SessionLogRecorder } from "./recorder";

/** What a batch transform is told about the batch it rewrites. */
export interface BatchContext {
  mode: "streaming" | "upload";
  logGroupName: string;
  logStreamName: string;
}

/**
 * Fault-injection hook: rewrites each batch just before PutLogEvents (drop, delay, reorder, corrupt...).
 * Whatever it returns is put (nothing when empty) and the batch's lines count as shipped either way.
 */
export type EventTransform = (
  events: InputLogEvent[],
  context: BatchContext,
) => InputLogEvent[] | Promise<InputLogEvent[]>;

export interface PipelineHooks {
  transformBatch?: EventTransform;
  /** Fault injection: streamed events keep their ANSI escape sequences (the agent strips them). */
  keepAnsi?: boolean;
}

/** How shipping ended: everything shipped, stopped by an error (as the agent stops), or out of time. */
export interface ShipResult {
  status: "complete" | "stopped" | "timeout";
  /** Events put (after the transform). */
  events: number;
  puts: number;
}

export interface UploaderConfig {
  logsApi: LogsApi;
  recorder: SessionLogRecorder;
  logGroupName: string;
  logStreamName: string;
  mode: BatchContext["mode"];
  /** Read buffer size, which is also the most raw text per event. */
  maxEventBytes: number;
  maxEventsPerPut: number;
  intervalMs: number;
  /** Set to strip ANSI from each line; unset ships the text as recorded. */
  ansi: StripOptions | undefined;
  buildEvent: (raw: Buffer, fileComplete: boolean, nowMs: number) => InputLogEvent;
  hooks: PipelineHooks;
  logger: Logger;
  now: () => number;
}

interface Batch {
  events: InputLogEvent[];
  /** Offset just past the last line packed into the batch. */
  end: number;
  /** The transcript is complete and fully shipped. */
  eof: boolean;
}

const SEQUENCE_TOKEN_ERRORS = new Set(["InvalidSequenceTokenException", "DataAlreadyAcceptedException"]);
/** Bound on the agent's unbounded refetch-token-and-retry recursion within one tick. */
const MAX_TOKEN_RETRIES = 5;

/**
 * The agent's `StreamData` loop (cloudwatchlogsservice.go), shared by both shipping modes: every interval
 * (never scaled), the recorded output is read from the last shipped offset; lines (ending in LF, or cut at
 * the buffer size) are optionally ANSI-stripped and packed into events of at most `maxEventBytes`, at most
 * `maxEventsPerPut` per call; a trailing partial line waits until the transcript is complete. The log stream
 * is created before the first put (ResourceAlreadyExists is fine; any other failure stops shipping, as in the
 * agent); the sequence token comes from DescribeLogStreams when none is held, and InvalidSequenceToken /
 * DataAlreadyAccepted refetch it and retry. ResourceNotFound on a put stops shipping for the session; other
 * failures leave the offset unchanged, so the same lines go again on the next tick.
 */
export class LogUploader {
  readonly done: Promise<ShipResult>;

  private shipped = 0;
  private fileComplete = false;
  private streamCreated = false;
  private sequenceToken: string | undefined;
  private events = 0;
  private puts = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;
  private result: ShipResult | undefined;
  private settle!: (result: ShipResult) => void;

  constructor(private readonly config: UploaderConfig) {
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** Starts the ticker; the first tick comes one interval later, as with Go's time.Ticker. */
  start(): void {
    this.nextTickAt = Date.now();
    this.schedule();
  }

  /** The transcript is complete (the agent's ptyTerminated signal): the final partial line may go. */
  complete(): void {
    this.fileComplete = true;
  }

  /** Marks the transcript complete and waits until it is shipped or shipping stopped, at most `timeoutMs`. */
  async finish(timeoutMs: number): Promise<ShipResult> {
    this.complete();
    const timer = setTimeout(() => this.end("timeout"), timeoutMs);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(): void {
    if (this.result) return;
    const now = Date.now();
    const { intervalMs } = this.config;
    this.nextTickAt += intervalMs;
    // Like Go's ticker: of the ticks missed while the previous one ran, one fires at once, the rest are dropped.
    if (this.nextTickAt <= now)
      this.nextTickAt += Math.floor((now - this.nextTickAt) / intervalMs) * intervalMs;
    this.timer = setTimeout(() => {
      this.tick().then(
        () => this.schedule(),
        (err: unknown) => {
          this.config.logger.error(`CloudWatch stream data failed: ${String(err)}`);
          this.end("stopped");
        },
      );
    }, this.nextTickAt - now);
  }

  private end(status: ShipResult["status"]): void {
    if (this.result) return;
    clearTimeout(this.timer);
    this.result = { status, events: this.events, puts: this.puts };
    this.settle(this.result);
  }

  private async tick(): Promise<void> {
    const { logsApi, logGroupName, logStreamName, logger } = this.config;
    const batch = this.collect();
    if (batch.eof) {
      logger.info("Finished uploading events to CloudWatch");
      return this.end("complete");
    }
    if (batch.events.length === 0) return;
    if (!this.streamCreated) {
      try {
        await logsApi.createLogStream({ logGroupName, logStreamName });
      } catch (err) {
        if (awsErrorCode(err) !== "ResourceAlreadyExistsException") {
          logger.error(`Error Creating Log Stream for CloudWatchLogs output: ${String(err)}`);
          return this.end("stopped");
        }
      }
      this.streamCreated = true;
    }
    const { transformBatch } = this.config.hooks;
    const events = transformBatch
      ? await transformBatch(batch.events, { mode: this.config.mode, logGroupName, logStreamName })
      : batch.events;
    if (events.length > 0) {
      try {
        await this.put(events);
      } catch (err) {
        this.sequenceToken = undefined;
        if (awsErrorCode(err) === "ResourceNotFoundException") {
          logger.error(
            `Log group "${logGroupName}" or log stream "${logStreamName}" not found. Log stream stopped. Error:${String(err)}`,
          );
          return this.end("stopped");
        }
        logger.warn(`Failed to upload message to CloudWatch, err: ${String(err)}`);
        return;
      }
      this.events += events.length;
      this.puts += 1;
    }
    this.shipped = batch.end;
  }

  private async put(logEvents: InputLogEvent[]): Promise<void> {
    const { logsApi, logGroupName, logStreamName } = this.config;
    this.sequenceToken ??= (await this.findStream())?.uploadSequenceToken;
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await logsApi.putLogEvents({
          logGroupName,
          logStreamName,
          logEvents,
          sequenceToken: this.sequenceToken,
        });
        this.sequenceToken = out.nextSequenceToken;
        return;
      } catch (err) {
        if (!SEQUENCE_TOKEN_ERRORS.has(awsErrorCode(err) ?? "") || attempt >= MAX_TOKEN_RETRIES) throw err;
        const stream = await this.findStream();
        if (stream === undefined) throw new Error("Failed to get sequence token");
        this.sequenceToken = stream.uploadSequenceToken;
      }
    }
  }

  /** DescribeLogStreams by prefix through every page for the exact stream; undefined when absent or failing. */
  private async findStream(): Promise<LogStream | undefined> {
    const { logsApi, logGroupName, logStreamName, logger } = this.config;
    let nextToken: string | undefined;
    try {
      do {
        const page = await logsApi.describeLogStreams({
          logGroupName,
          logStreamNamePrefix: logStreamName,
          nextToken,
        });
        const stream = page.logStreams?.find((s) => s.logStreamName === logStreamName);
        if (stream) return stream;
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (err) {
      logger.error(`Error in calling DescribeLogStreams:${String(err)}`);
    }
    return undefined;
  }

  /** The agent's getNextMessage: the next batch of events from the shipped offset. */
  private collect(): Batch {
    const { maxEventBytes, maxEventsPerPut, ansi, buildEvent, now } = this.config;
    const data = this.config.recorder.contents();
    const events: InputLogEvent[] = [];
    let message: Buffer[] = [];
    let messageBytes = 0;
    let pos = this.shipped;
    const pack = () =>
      events.push(buildEvent(Buffer.concat(message, messageBytes), this.fileComplete, now()));
    while (pos < data.length) {
      const newline = data.indexOf(0x0a, pos);
      let end: number;
      if (newline !== -1 && newline < pos + maxEventBytes) end = newline + 1;
      else if (data.length - pos >= maxEventBytes) end = pos + maxEventBytes;
      else if (this.fileComplete) end = data.length;
      else break;
      const raw = data.subarray(pos, end);
      const line = ansi ? stripAnsi(raw, ansi) : raw;
      if (messageBytes > 0 && messageBytes + line.length > maxEventBytes) {
        pack();
        if (events.length >= maxEventsPerPut) return { events, end: pos, eof: false };
        message = [];
        messageBytes = 0;
      }
      message.push(line);
      messageBytes += line.length;
      pos = end;
    }
    if (messageBytes > 0) pack();
    return { events, end: pos, eof: events.length === 0 && this.fileComplete && pos >= data.length };
  }
}
