/**
 * LogWatcher follows one session's CloudWatch Logs stream (stream name = session id) and stamps each event
 * with the instant the harness first saw it (t3), next to the agent's timestamp (t1) and the service's
 * ingestionTime (t2), so command latency can be measured (design.md "Measurements").
 *
 * It polls FilterLogEvents with no filterPattern and matches in our code: LocalStack community ignores
 * filter patterns, and the same code then serves every target. Pages may be empty and still carry a
 * nextToken (spec 14.2), so each poll follows the tokens to the end.
 */
import {
  type FilteredLogEvent,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { type PollSleep, pollAdaptively, unrefSleep } from "./pollLoop";
import { type SessionLogEvent, validateSessionLogEvent } from "./sessionLogEvent";

/** The part of `CloudWatchLogsClient` the watcher uses (tests pass a fake). */
export interface LogsClient {
  send(
    command: FilterLogEventsCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<FilterLogEventsCommandOutput>;
}

export interface LogWatcherOptions {
  logGroupName: string;
  logStreamName: string;
  /** Only events with a timestamp (agent clock, ms) at or after this. Default: the whole stream. */
  since?: number;
  /** Poll interval bounds: it starts at min, grows x1.5 up to max while nothing new arrives. */
  minPollMs?: number;
  maxPollMs?: number;
  /**
   * How far back each poll re-reads, before the latest timestamp seen. FilterLogEvents is sorted by
   * timestamp, so an event put late with an earlier timestamp lands behind what was already read, and the
   * last page has no token to resume from: re-reading a window finds such events without re-reading the
   * whole stream every poll. Default 60 s, far beyond the agent's retry delays.
   */
  rescanMs?: number;
  /** The harness clock for t3. Default Date.now. */
  now?: () => number;
  /**
   * Whether the watcher polls its stream itself (default true). A LogGroupWatcher creates its watchers with
   * false and feeds them through accept() from one poll of the whole group.
   */
  polling?: boolean;
  /** The wait between polls; must settle (either way) when `signal` aborts. Default: an unref'd timer. */
  sleep?: PollSleep;
}

export interface SeenEvent {
  eventId?: string;
  /** t1: the event's timestamp (agent clock). */
  timestamp: number;
  /** t2: when the service ingested it (service clock). */
  ingestionTime: number;
  message: string;
  /** t3: when the harness first saw it (harness clock). */
  firstSeenAt: number;
  /** "json" for a message that decodes to a JSON object (streaming), "text" otherwise (upload at end). */
  format: "json" | "text";
  /** The event's lines: `sessionData` when it is a list of strings, else the message split on LF. */
  lines: readonly string[];
  /** The valid streamed event ("json" only). */
  parsed?: SessionLogEvent;
  /** Why a "json" message is not a valid streamed event, one entry per defect. */
  problems?: string[];
}

export interface MarkerMatch {
  event: SeenEvent;
  /** Index in `event.lines` of the first line containing the marker. */
  lineIndex: number;
  line: string;
  t1: number;
  t2: number;
  t3: number;
}

export class LogWaitTimeout extends Error {
  override readonly name = "LogWaitTimeout";
}

/** A wait ended because the watcher stopped: by stop(), or on an error polling cannot recover from. */
export class LogWatchStopped extends Error {
  override readonly name = "LogWatchStopped";
}

interface Waiter {
  predicate: (event: SeenEvent) => boolean;
  resolve: (event: SeenEvent) => void;
  reject: (error: Error) => void;
}

export class LogWatcher {
  /** Every event seen, once each, in the order the harness first saw them. */
  readonly events: SeenEvent[] = [];
  private readonly seen = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private readonly sleep: PollSleep;
  private loop?: Promise<void>;
  private stoppedBy?: LogWatchStopped;
  private streamFound = false;
  private latestTimestamp = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: LogsClient,
    private readonly options: LogWatcherOptions,
  ) {
    this.now = options.now ?? Date.now;
    // Unref'd: a watcher alone never keeps the process alive; a pending wait does, until its timeout.
    this.sleep = options.sleep ?? unrefSleep;
  }

  /** Starts polling (once; a stopped watcher stays stopped; a fed watcher never polls). */
  start(): this {
    if (!this.loop && !this.stoppedBy && this.options.polling !== false) this.loop = this.run();
    return this;
  }

  /**
   * Takes events read from the stream at harness time `at` (t3): each new one (by eventId) is recorded and
   * offered to the pending waits. Returns how many were new. Polling calls it with every page; a
   * LogGroupWatcher with the stream's events of each group page.
   */
  accept(events: readonly FilteredLogEvent[], at: number): number {
    if (this.stoppedBy) return 0;
    this.streamFound = true;
    let fresh = 0;
    for (const raw of events) {
      const timestamp = raw.timestamp ?? Number.NaN;
      const ingestionTime = raw.ingestionTime ?? Number.NaN;
      const message = raw.message ?? "";
      const key = raw.eventId ?? `${timestamp}|${ingestionTime}|${message}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      fresh++;
      if (timestamp > this.latestTimestamp) this.latestTimestamp = timestamp;
      this.record({ eventId: raw.eventId, timestamp, ingestionTime, message, firstSeenAt: at });
    }
    return fresh;
  }

  /**
   * Stops polling now: aborts the call in flight, rejects pending waits; resolves when the loop has ended.
   * With `failure` (what stopped a LogGroupWatcher feeding this one), the waits say the watcher failed.
   */
  async stop(failure?: Error): Promise<void> {
    this.halt(
      failure ? this.failed(failure) : new LogWatchStopped(`log watcher for ${this.where()} was stopped`),
    );
    await this.loop;
  }

  /**
   * The first event (seen so far or later) for which `predicate` holds. Starts the watcher if needed.
   * Rejects with LogWaitTimeout after `timeoutMs`, or LogWatchStopped if the watcher stops first.
   */
  async waitFor(
    predicate: (event: SeenEvent) => boolean,
    timeoutMs: number,
    what = "a matching event",
  ): Promise<SeenEvent> {
    const found = this.events.find(predicate);
    if (found) return found;
    if (this.stoppedBy) throw this.stoppedBy;
    this.start();
    return new Promise<SeenEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const stream = this.streamFound ? "" : "; the stream does not exist yet";
        reject(
          new LogWaitTimeout(
            `no ${what} within ${timeoutMs} ms in ${this.where()}: ${this.events.length} event(s) seen${stream}`,
          ),
        );
      }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          settle();
          resolve(event);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** The first event with a line containing `marker` (structured `sessionData` or plain text alike). */
  async waitForMarker(marker: string, timeoutMs: number): Promise<MarkerMatch> {
    const event = await this.waitFor(
      (e) => e.lines.some((line) => line.includes(marker)),
      timeoutMs,
      `event with a line containing ${JSON.stringify(marker)}`,
    );
    const lineIndex = event.lines.findIndex((line) => line.includes(marker));
    return {
      event,
      lineIndex,
      line: event.lines[lineIndex]!,
      t1: event.timestamp,
      t2: event.ingestionTime,
      t3: event.firstSeenAt,
    };
  }

  private failed(error: Error): LogWatchStopped {
    return new LogWatchStopped(`log watcher for ${this.where()} failed: ${error.message}`, { cause: error });
  }

  private where(): string {
    return `log group ${JSON.stringify(this.options.logGroupName)}, stream ${JSON.stringify(this.options.logStreamName)}`;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const bounds = { minMs: this.options.minPollMs, maxMs: this.options.maxPollMs };
    try {
      await pollAdaptively((s) => this.poll(s), { ...bounds, signal, sleep: this.sleep });
    } catch (error) {
      this.halt(this.failed(error as Error));
    }
  }

  /** One poll: every page from the start time to the last token. Returns how many new events it found. */
  private async poll(signal: AbortSignal): Promise<number> {
    const { logGroupName, logStreamName, since, rescanMs = 60_000 } = this.options;
    const floor = Math.max(since ?? Number.NEGATIVE_INFINITY, this.latestTimestamp - rescanMs);
    const startTime = Number.isFinite(floor) ? floor : undefined;
    let fresh = 0;
    let nextToken: string | undefined;
    do {
      let page: FilterLogEventsCommandOutput;
      try {
        page = await this.client.send(
          new FilterLogEventsCommand({ logGroupName, logStreamNames: [logStreamName], startTime, nextToken }),
          { abortSignal: signal },
        );
      } catch (error) {
        // The agent creates the stream with its first batch: until then there is simply nothing to see.
        // A missing group is a different ResourceNotFoundException and stays an error.
        if (isMissingStream(error)) return fresh;
        throw error;
      }
      fresh += this.accept(page.events ?? [], this.now());
      nextToken = page.nextToken;
    } while (nextToken && !signal.aborted);
    return fresh;
  }

  private record(base: Omit<SeenEvent, "format" | "lines" | "parsed" | "problems">): void {
    const event: SeenEvent = { ...base, ...describeMessage(base.message) };
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      try {
        if (waiter.predicate(event)) waiter.resolve(event);
      } catch (error) {
        waiter.reject(error as Error);
      }
    }
  }

  private halt(reason: LogWatchStopped): void {
    if (this.stoppedBy) return;
    this.stoppedBy = reason;
    this.abort.abort();
    for (const waiter of [...this.waiters]) waiter.reject(reason);
  }
}

function describeMessage(message: string): Pick<SeenEvent, "format" | "lines" | "parsed" | "problems"> {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { format: "text", lines: message.split("\n") };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { format: "text", lines: message.split("\n") };
  }
  const data = (value as { sessionData?: unknown }).sessionData;
  // A misshapen event still yields its lines when it has them, so the harness can say "the command was
  // logged, but the event is wrong" rather than "the command was not logged".
  const lines =
    Array.isArray(data) && data.every((line) => typeof line === "string") ? data : message.split("\n");
  const result = validateSessionLogEvent(value);
  return result.ok
    ? { format: "json", lines, parsed: result.event }
    : { format: "json", lines, problems: result.problems };
}

function isMissingStream(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown };
  return e?.name === "ResourceNotFoundException" && /log stream/i.test(String(e.message));
}

/** The latencies of one command (ms), from the instant its keys were sent (t0, harness clock). */
export function measureLatency(t0: number, match: Pick<MarkerMatch, "t1" | "t2" | "t3">) {
  return {
    /** t1 - t0: agent clock against harness clock, so skew shows here. */
    commandToEvent: match.t1 - t0,
    /** t2 - t0: "command to ingested". */
    commandToIngested: match.t2 - t0,
    /** t3 - t0: "command to observable", both on the harness clock. */
    commandToObservable: match.t3 - t0,
  };
}

/**
 * Every line of a stream in stream order (timestamp, then ingestion time; ties keep arrival order), for
 * "every command exactly once and in order" checks.
 */
export function linesOf(events: readonly SeenEvent[]): string[] {
  return [...events]
    .sort((a, b) => a.timestamp - b.timestamp || a.ingestionTime - b.ingestionTime)
    .flatMap((event) => event.lines);
}

/** Indexes of the lines containing `marker`. */
export function findLineOccurrences(lines: readonly string[], marker: string): number[] {
  const found: number[] = [];
  lines.forEach((line, i) => {
    if (line.includes(marker)) found.push(i);
  });
  return found;
}
