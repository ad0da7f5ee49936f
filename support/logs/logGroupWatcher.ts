/**
 * LogGroupWatcher follows many streams of one log group with a single poll loop: each poll is one
 * FilterLogEvents over the whole group (every page), and each watched stream's events go to that stream's
 * LogWatcher, which does not poll (`polling: false`) and otherwise behaves as usual (t3 = when this poll
 * saw the event). K sessions then cost one request per poll instead of K: FilterLogEvents is limited to
 * 5 requests/s per account and Region in AWS, and in the emulator the per-request work (HTTP, SigV4, SDK)
 * dominates, not the per-event work.
 *
 * Streams are put independently, so an event may be ingested after later-stamped events of other streams:
 * each poll re-reads a window before the latest timestamp seen in the group (the stream watchers drop what
 * they already have): `rescanMs`, or twice the largest lateness seen (ingestionTime - timestamp: how long
 * a put took, plus clock skew), whichever is longer, so the window widens when a loaded uploader falls
 * behind. An event later than that behind the group's newest is never seen, and the wait for it times out
 * (a visible failure, not a wrong latency).
 */
import { type FilteredLogEvent, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { type LogsClient, LogWatcher } from "./logWatcher";
import { type PollSleep, pollAdaptively, unrefSleep } from "./pollLoop";

export interface LogGroupWatcherOptions {
  logGroupName: string;
  /** Only events with a timestamp (agent clock, ms) at or after this. Default: the whole group. */
  since?: number;
  /** Poll interval bounds: it starts at min, grows x1.5 up to max while nothing new arrives. */
  minPollMs?: number;
  maxPollMs?: number;
  /** How far back each poll re-reads at least, before the group's latest timestamp. Default 10 s. */
  rescanMs?: number;
  /** The harness clock for t3. Default Date.now. */
  now?: () => number;
  /** The wait between polls; must settle (either way) when `signal` aborts. Default: an unref'd timer. */
  sleep?: PollSleep;
}

export class LogGroupWatcher {
  private readonly watchers = new Map<string, LogWatcher>();
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private readonly sleep: PollSleep;
  private loop?: Promise<void>;
  private latestTimestamp = Number.NEGATIVE_INFINITY;
  private maxLateness = 0;
  /** Requests made (each page counts), for the caller's report. */
  requests = 0;

  constructor(
    private readonly client: LogsClient,
    private readonly options: LogGroupWatcherOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? unrefSleep;
  }

  /**
   * The watcher of one stream of the group (the same one on every call). It sees the stream's events from
   * the next poll on, including those still inside the re-read window.
   */
  watch(logStreamName: string): LogWatcher {
    let watcher = this.watchers.get(logStreamName);
    if (!watcher) {
      watcher = new LogWatcher(this.client, {
        logGroupName: this.options.logGroupName,
        logStreamName,
        polling: false,
      });
      this.watchers.set(logStreamName, watcher);
    }
    return watcher;
  }

  /** Starts polling (once). */
  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Stops polling and every stream watcher (their pending waits reject with LogWatchStopped). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.all([...this.watchers.values()].map((w) => w.stop()));
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const bounds = { minMs: this.options.minPollMs, maxMs: this.options.maxPollMs };
    try {
      await pollAdaptively((s) => this.poll(s), { ...bounds, signal, sleep: this.sleep });
    } catch (error) {
      this.abort.abort();
      await Promise.all([...this.watchers.values()].map((w) => w.stop(error as Error)));
    }
  }

  /** One poll: every page from the start time to the last token. Returns how many new events it found. */
  private async poll(signal: AbortSignal): Promise<number> {
    const { logGroupName, since, rescanMs = 10_000 } = this.options;
    const window = Math.max(rescanMs, 2 * this.maxLateness);
    const floor = Math.max(since ?? Number.NEGATIVE_INFINITY, this.latestTimestamp - window);
    const startTime = Number.isFinite(floor) ? floor : undefined;
    let fresh = 0;
    let nextToken: string | undefined;
    do {
      this.requests++;
      const page = await this.client.send(
        new FilterLogEventsCommand({ logGroupName, startTime, nextToken }),
        {
          abortSignal: signal,
        },
      );
      const at = this.now();
      const byStream = new Map<string, FilteredLogEvent[]>();
      for (const event of page.events ?? []) {
        const timestamp = event.timestamp ?? 0;
        if (timestamp > this.latestTimestamp) this.latestTimestamp = timestamp;
        const lateness = (event.ingestionTime ?? timestamp) - timestamp;
        if (lateness > this.maxLateness) this.maxLateness = lateness;
        const name = event.logStreamName ?? "";
        if (!this.watchers.has(name)) continue;
        const list = byStream.get(name);
        if (list) list.push(event);
        else byStream.set(name, [event]);
      }
      for (const [name, events] of byStream) fresh += this.watchers.get(name)!.accept(events, at);
      nextToken = page.nextToken;
    } while (nextToken && !signal.aborted);
    return fresh;
  }
}
