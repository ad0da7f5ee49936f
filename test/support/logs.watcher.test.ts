import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import type {
  FilteredLogEvent,
  FilterLogEventsCommand,
  FilterLogEventsCommandInput,
  FilterLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  findLineOccurrences,
  LogWaitTimeout,
  LogWatcher,
  type LogWatcherOptions,
  LogWatchStopped,
  linesOf,
  measureLatency,
} from "../../support/logs/logWatcher";

const GROUP = "/ssm/sessions";
const STREAM = "alice-0123456789abcdef0";

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });
const streamMissing = () => awsError("ResourceNotFoundException", "The specified log stream does not exist.");
const groupMissing = () => awsError("ResourceNotFoundException", "The specified log group does not exist.");

/** A streamed event's message, as the agent writes it. */
const structured = (sessionData: string[]) =>
  JSON.stringify({
    eventVersion: "1.0",
    eventTime: "2024-10-21T18:08:11Z",
    awsRegion: "us-east-1",
    target: { id: "i-0123456789abcdef0" },
    userIdentity: { arn: "arn:aws:iam::123456789012:user/alice" },
    runAsUser: "ssm-user",
    sessionId: STREAM,
    sessionData,
  });

/**
 * A fake CloudWatchLogsClient serving FilterLogEvents over one group: events sorted by timestamp, `pageSize`
 * per page, and `emptyPages` empty pages (each with a nextToken) at the start of every scan, as AWS may do.
 * `beforeCall` runs before each call, to change the stream between polls.
 */
class FakeLogs {
  readonly inputs: FilterLogEventsCommandInput[] = [];
  streams = new Map<string, FilteredLogEvent[]>();
  groupExists = true;
  pageSize = 100;
  emptyPages = 0;
  beforeCall?: (call: number) => void;

  add(stream: string, ...events: FilteredLogEvent[]): void {
    this.streams.set(stream, [...(this.streams.get(stream) ?? []), ...events]);
  }

  async send(command: FilterLogEventsCommand): Promise<FilterLogEventsCommandOutput> {
    assert.equal(command.constructor.name, "FilterLogEventsCommand");
    const input = command.input;
    this.inputs.push(input);
    this.beforeCall?.(this.inputs.length);
    if (!this.groupExists || input.logGroupName !== GROUP) throw groupMissing();
    const stream = this.streams.get(input.logStreamNames![0]!);
    if (!stream) throw streamMissing();
    const selected = stream
      .filter((e) => input.startTime === undefined || e.timestamp! >= input.startTime)
      .sort((a, b) => a.timestamp! - b.timestamp!);
    // Token "e<n>": n empty pages served so far; "p<i>": events resume at index i.
    const token = input.nextToken ?? "e0";
    if (token.startsWith("e") && Number(token.slice(1)) < this.emptyPages) {
      return { events: [], nextToken: `e${Number(token.slice(1)) + 1}`, $metadata: {} };
    }
    const from = token.startsWith("p") ? Number(token.slice(1)) : 0;
    const to = from + this.pageSize;
    return {
      events: selected.slice(from, to),
      nextToken: to < selected.length ? `p${to}` : undefined,
      $metadata: {},
    };
  }
}

/** A sleep that records each wait and returns at once, so tests run the poll loop at full speed. */
function recordingSleep() {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
      await tick();
    },
  };
}

function watcher(logs: FakeLogs, extra: Partial<LogWatcherOptions> = {}) {
  const clock = recordingSleep();
  const w = new LogWatcher(logs, {
    logGroupName: GROUP,
    logStreamName: STREAM,
    now: () => 5_000,
    sleep: clock.sleep,
    ...extra,
  });
  return { w, waits: clock.waits };
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await tick();
  }
}

describe("LogWatcher", () => {
  it("matches a marker in a structured event's sessionData and stamps t1, t2, t3", async () => {
    const logs = new FakeLogs();
    logs.add(STREAM, {
      eventId: "1",
      timestamp: 1_000,
      ingestionTime: 1_200,
      message: structured(["$ echo M-1", "M-1", "$ "]),
    });
    const { w } = watcher(logs);
    const match = await w.waitForMarker("M-1", 1_000);
    await w.stop();
    assert.equal(match.lineIndex, 0);
    assert.equal(match.line, "$ echo M-1");
    assert.deepEqual([match.t1, match.t2, match.t3], [1_000, 1_200, 5_000]);
    assert.equal(match.event.format, "json");
    assert.equal(match.event.parsed?.sessionId, STREAM);
    assert.equal(match.event.problems, undefined);
    assert.deepEqual(measureLatency(900, match), {
      commandToEvent: 100,
      commandToIngested: 300,
      commandToObservable: 4_100,
    });
  });

  it("matches a marker in a plain-text (upload-at-end) event", async () => {
    const logs = new FakeLogs();
    logs.add(STREAM, {
      eventId: "1",
      timestamp: 1_000,
      ingestionTime: 1_100,
      message: "Script started on 2024-10-21 18:08:11+00:00\n$ echo M-2\nM-2",
    });
    const { w } = watcher(logs);
    const match = await w.waitForMarker("M-2", 1_000);
    await w.stop();
    assert.equal(match.event.format, "text");
    assert.equal(match.lineIndex, 1);
    assert.equal(match.event.parsed, undefined);
    assert.equal(match.event.problems, undefined);
  });

  it("still finds the lines of a misshapen structured event, and lists its problems", async () => {
    const logs = new FakeLogs();
    const { eventVersion: _, ...bad } = JSON.parse(structured(["$ echo M-3"]));
    logs.add(STREAM, { eventId: "1", timestamp: 1, ingestionTime: 2, message: JSON.stringify(bad) });
    const { w } = watcher(logs);
    const match = await w.waitForMarker("M-3", 1_000);
    await w.stop();
    assert.equal(match.event.format, "json");
    assert.deepEqual(match.event.problems, ["eventVersion: missing"]);
  });

  it("pages through empty pages that carry a nextToken, without a filter pattern", async () => {
    const logs = new FakeLogs();
    logs.emptyPages = 3;
    logs.pageSize = 1;
    for (let i = 1; i <= 3; i++)
      logs.add(STREAM, { eventId: `${i}`, timestamp: i, ingestionTime: i, message: `line ${i}` });
    const { w } = watcher(logs, { since: 0 });
    await w.waitForMarker("line 3", 1_000);
    await w.stop();
    assert.deepEqual(
      logs.inputs.slice(0, 6).map((input) => input.nextToken),
      [undefined, "e1", "e2", "e3", "p1", "p2"],
    );
    for (const input of logs.inputs) {
      assert.equal(input.filterPattern, undefined);
      assert.deepEqual(input.logStreamNames, [STREAM]);
      assert.equal(input.logGroupName, GROUP);
    }
    assert.deepEqual(
      w.events.map((e) => e.message),
      ["line 1", "line 2", "line 3"],
    );
  });

  it("treats a stream that does not exist yet as no events, until it appears", async () => {
    const logs = new FakeLogs();
    logs.beforeCall = (call) => {
      if (call === 4) logs.add(STREAM, { eventId: "1", timestamp: 1, ingestionTime: 2, message: "M-4" });
    };
    const { w } = watcher(logs);
    const match = await w.waitForMarker("M-4", 1_000);
    await w.stop();
    assert.equal(match.event.message, "M-4");
    assert.equal(logs.inputs.length >= 4, true);
  });

  it("fails every wait when the log group does not exist, and stops polling", async () => {
    const logs = new FakeLogs();
    logs.groupExists = false;
    const { w } = watcher(logs);
    await assert.rejects(w.waitForMarker("M-5", 1_000), (error: Error) => {
      assert.ok(error instanceof LogWatchStopped);
      assert.match(error.message, /failed: The specified log group does not exist\./);
      assert.match(error.message, /log group "\/ssm\/sessions", stream "alice-0123456789abcdef0"/);
      return true;
    });
    assert.equal(logs.inputs.length, 1);
    await assert.rejects(w.waitForMarker("M-5", 1_000), LogWatchStopped);
  });

  it("records an event that arrives late with an earlier timestamp, once", async () => {
    const logs = new FakeLogs();
    logs.add(
      STREAM,
      { eventId: "a", timestamp: 1_000, ingestionTime: 1_000, message: "first" },
      { eventId: "c", timestamp: 3_000, ingestionTime: 3_000, message: "third" },
    );
    logs.beforeCall = (call) => {
      if (call === 3)
        logs.add(STREAM, { eventId: "b", timestamp: 2_000, ingestionTime: 4_000, message: "second" });
    };
    const { w } = watcher(logs, { since: 500 });
    const match = await w.waitForMarker("second", 1_000);
    await until(() => logs.inputs.length > 6);
    await w.stop();
    assert.equal(match.t1, 2_000);
    assert.deepEqual(
      w.events.map((e) => e.message),
      ["first", "third", "second"],
    );
    assert.deepEqual(linesOf(w.events), ["first", "second", "third"]);
  });

  it("re-reads only the rescan window before the latest timestamp, never before `since`", async () => {
    const logs = new FakeLogs();
    logs.add(STREAM, { eventId: "a", timestamp: 100_000, ingestionTime: 100_000, message: "a" });
    const { w } = watcher(logs, { since: 50_000, rescanMs: 10_000 });
    await w.waitForMarker("a", 1_000);
    await until(() => logs.inputs.length >= 3);
    await w.stop();
    assert.equal(logs.inputs[0]!.startTime, 50_000);
    assert.equal(logs.inputs.at(-1)!.startTime, 90_000);
  });

  it("counts an event returned by several polls once, with or without an eventId", async () => {
    const logs = new FakeLogs();
    logs.add(
      STREAM,
      { eventId: "x", timestamp: 1, ingestionTime: 1, message: "same text" },
      { eventId: "y", timestamp: 1, ingestionTime: 1, message: "same text" },
      { timestamp: 2, ingestionTime: 3, message: "no id" },
    );
    const { w } = watcher(logs);
    w.start();
    await until(() => logs.inputs.length >= 5);
    await w.stop();
    // x and y are two events (distinct ids) with equal content; "no id" is keyed by its content.
    assert.deepEqual(
      w.events.map((e) => [e.eventId, e.message]),
      [
        ["x", "same text"],
        ["y", "same text"],
        [undefined, "no id"],
      ],
    );
  });

  it("adapts the poll interval: x1.5 up to 1 s while idle, back to 100 ms when events arrive", async () => {
    const logs = new FakeLogs();
    logs.add(STREAM);
    logs.beforeCall = (call) => {
      if (call === 9) logs.add(STREAM, { eventId: "1", timestamp: 1, ingestionTime: 1, message: "M-6" });
    };
    const { w, waits } = watcher(logs);
    w.start();
    await until(() => waits.length >= 11);
    await w.stop();
    assert.deepEqual(waits.slice(0, 11), [100, 150, 225, 337.5, 506.25, 759.375, 1000, 1000, 100, 150, 225]);
  });

  it("rejects a wait with a LogWaitTimeout naming the group, stream, awaited marker and events seen", async () => {
    const logs = new FakeLogs();
    logs.add(STREAM, { eventId: "1", timestamp: 1, ingestionTime: 1, message: "other" });
    const { w } = watcher(logs);
    await assert.rejects(w.waitForMarker("M-7", 30), (error: Error) => {
      assert.ok(error instanceof LogWaitTimeout);
      assert.equal(
        error.message,
        'no event with a line containing "M-7" within 30 ms in log group "/ssm/sessions", ' +
          'stream "alice-0123456789abcdef0": 1 event(s) seen',
      );
      return true;
    });
    await w.stop();

    const missing = watcher(new FakeLogs()).w;
    await assert.rejects(
      missing.waitFor(() => false, 30, "the end"),
      /: 0 event\(s\) seen; the stream does not exist yet$/,
    );
    await missing.stop();
  });

  it("stop() ends a long sleep and the call in flight at once, and rejects pending waits", async () => {
    const logs = new FakeLogs();
    logs.add(STREAM);
    const w = new LogWatcher(logs, { logGroupName: GROUP, logStreamName: STREAM, minPollMs: 60_000 });
    const pending = w.waitForMarker("M-8", 60_000);
    await until(() => logs.inputs.length === 1);
    const stoppedAt = Date.now();
    await w.stop();
    assert.ok(Date.now() - stoppedAt < 1_000, "stop() waited for the 60 s sleep");
    await assert.rejects(pending, /was stopped/);

    // A call in flight is aborted through the SDK's abortSignal.
    let signal: AbortSignal | undefined;
    const hanging = {
      send: (_: FilterLogEventsCommand, options?: { abortSignal?: AbortSignal }) =>
        new Promise<FilterLogEventsCommandOutput>((_resolve, reject) => {
          signal = options?.abortSignal;
          signal?.addEventListener("abort", () => reject(awsError("AbortError", "aborted")));
        }),
    };
    const h = new LogWatcher(hanging, { logGroupName: GROUP, logStreamName: STREAM }).start();
    await until(() => signal !== undefined);
    await h.stop();
    assert.equal(signal!.aborted, true);
  });

  it("still answers waits on events already seen after it stopped", async () => {
    const logs = new FakeLogs();
    logs.add(STREAM, { eventId: "1", timestamp: 1, ingestionTime: 1, message: "M-9" });
    const { w } = watcher(logs);
    await w.waitForMarker("M-9", 1_000);
    await w.stop();
    assert.equal((await w.waitForMarker("M-9", 1)).event.message, "M-9");
  });
});

describe("line helpers", () => {
  it("linesOf orders a stream by timestamp then ingestion time; findLineOccurrences finds every line", () => {
    const seen = (timestamp: number, ingestionTime: number, lines: string[]) => ({
      timestamp,
      ingestionTime,
      message: "",
      firstSeenAt: 0,
      format: "json" as const,
      lines,
    });
    const lines = linesOf([seen(2, 1, ["c"]), seen(1, 5, ["b", "M"]), seen(1, 4, ["$ echo M", "M"])]);
    assert.deepEqual(lines, ["$ echo M", "M", "b", "M", "c"]);
    assert.deepEqual(findLineOccurrences(lines, "M"), [0, 1, 3]);
    assert.deepEqual(findLineOccurrences(lines, "absent"), []);
  });
});
