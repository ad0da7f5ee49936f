/**
 * The CloudWatch Logs provider under volume: a group of 1,000 streams x 1,000 events (1,000,000 events,
 * agent-shaped JSON messages) seeded through the store API, then, through the provider's operation handlers
 * (validation included, no HTTP):
 * - PutLogEvents throughput, in the agent's batches (4 events) and in large batches (1,000 events);
 * - FilterLogEvents throughput: reading the whole group page by page, and scanning it with a pattern;
 * - the latency of a marker search over the whole group (every page, following nextToken to the end), as
 *   HdrHistogram percentiles, against the same-run baseline of the same search scanning every message (the
 *   provider without its gram index), and the same search restricted to the marker's stream.
 * Target: the whole-group marker search under 100 ms at p99.
 * BENCH_LOGS_STREAMS / BENCH_LOGS_EVENTS_PER_STREAM change the size.
 */
import { randomBytes } from "node:crypto";
import type { RequestContext } from "../emulator/api/provider";
import { createLogsProvider, LogGroupRecord, LogStreamRecord, LogsStore } from "../emulator/logs";
import { latencyPercentiles, MB, round } from "./lib/support";
import type { BenchResult } from "./result";

const STREAMS = Number(process.env.BENCH_LOGS_STREAMS ?? 1000);
const PER_STREAM = Number(process.env.BENCH_LOGS_EVENTS_PER_STREAM ?? 1000);
const SEARCHES = Number(process.env.BENCH_LOGS_SEARCHES ?? 60);
const GROUP = "/bench/ssm-sessions";
const ACCOUNT = "000000000000";
const REGION = "us-east-1";

const ctx: RequestContext = {
  caller: {
    accessKeyId: "test",
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/tester`,
    userId: "AIDA",
  },
  region: REGION,
  requestId: "bench",
};

function sessionId(i: number): string {
  return `tester-${i.toString(16).padStart(17, "0")}`;
}

/** One streamed session log event, shaped as the agent writes them (spec 13.3). */
function agentMessage(session: string, n: number, line: string): string {
  return JSON.stringify({
    eventVersion: "1.0",
    eventTime: "2026-01-01T00:00:00Z",
    awsRegion: REGION,
    target: { id: "i-0e5c1a2b3c4d5e6f7" },
    userIdentity: { arn: `arn:aws:iam::${ACCOUNT}:user/tester` },
    runAsUser: "ssm-user",
    sessionId: session,
    sessionData: [`sh-5.2$ echo step-${n}`, line],
  });
}

interface Handlers {
  PutLogEvents(input: Record<string, unknown>): unknown;
  FilterLogEvents(input: Record<string, unknown>): { events: unknown[]; nextToken?: string };
}

/** Every page of one FilterLogEvents query; returns the events found and the pages read. */
function filterAll(h: Handlers, input: Record<string, unknown>): { events: number; pages: number } {
  let events = 0;
  let pages = 0;
  let nextToken: string | undefined;
  do {
    const page = h.FilterLogEvents({ ...input, nextToken });
    events += page.events.length;
    pages++;
    nextToken = page.nextToken;
  } while (nextToken);
  return { events, pages };
}

export async function run(): Promise<BenchResult> {
  const store = new LogsStore();
  const { provider } = createLogsProvider({ store });
  const h: Handlers = {
    PutLogEvents: (input) => provider.operations.PutLogEvents!(input, ctx),
    FilterLogEvents: (input) =>
      provider.operations.FilterLogEvents!(input, ctx) as { events: unknown[]; nextToken?: string },
  };
  // The baseline: the same store searched message by message.
  const scanning = createLogsProvider({ store, literalIndex: false }).provider;
  const scanFilter = (input: Record<string, unknown>) =>
    scanning.operations.FilterLogEvents!(input, ctx) as { events: unknown[]; nextToken?: string };
  const ns = store.namespace(ACCOUNT, REGION);
  const group = new LogGroupRecord(GROUP, Date.now());
  ns.addGroup(group);

  // Seed: 1,000 streams of 1,000 events, timestamps interleaved over the last hour, through the store API.
  const base = Date.now() - 3_600_000;
  const total = STREAMS * PER_STREAM;
  const seedStart = performance.now();
  let seededBytes = 0;
  const streams: LogStreamRecord[] = [];
  for (let s = 0; s < STREAMS; s++) {
    const stream = new LogStreamRecord(sessionId(s), base, store.nextSequenceToken());
    group.addStream(stream);
    streams.push(stream);
  }
  for (let k = 0; k < PER_STREAM; k += 4) {
    for (let s = 0; s < STREAMS; s++) {
      const batch = [];
      for (let j = k; j < Math.min(k + 4, PER_STREAM); j++) {
        const message = agentMessage(sessionId(s), j, `output line ${j} of session ${s}`);
        seededBytes += message.length;
        batch.push({ timestamp: base + Math.floor(((j * STREAMS + s) * 3_000_000) / total), message });
      }
      store.ingest(streams[s]!, batch, base + k);
    }
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;

  // The markers: one event each, in a stream in the middle of the group, at the end of its time range.
  const markerStream = streams[Math.floor(STREAMS / 2)]!;
  const markers: string[] = [];
  const markerAt = Date.now() - 1_000;
  for (let i = 0; i < 20; i++) {
    const marker = `__ssmc_done_${randomBytes(6).toString("hex")}__`;
    markers.push(marker);
    store.ingest(
      markerStream,
      [{ timestamp: markerAt + i, message: agentMessage(markerStream.name, i, marker) }],
      markerAt,
    );
  }

  const rows: BenchResult["rows"] = [];
  rows.push({
    case: `seed ${total.toLocaleString("en")} events in ${STREAMS} streams (store API)`,
    "events/s": Math.round(total / seedSeconds),
    "MB/s": round(seededBytes / MB / seedSeconds, 1),
    "p50 ms": "-",
    "p99 ms": "-",
    note: `${round(seedSeconds, 2)} s`,
  });

  // PutLogEvents through the handler (validation, limits, ingestion), into another group so the searched one
  // keeps exactly its 1,000,000 events (plus the markers).
  const putGroup = new LogGroupRecord(`${GROUP}-put`, Date.now());
  ns.addGroup(putGroup);
  for (const batchSize of [4, 1000]) {
    const putStream = `put-${batchSize}`;
    putGroup.addStream(new LogStreamRecord(putStream, Date.now(), store.nextSequenceToken()));
    const calls = batchSize === 4 ? 25_000 : 200;
    const now = Date.now();
    const batches = Array.from({ length: calls }, (_, c) =>
      Array.from({ length: batchSize }, (_, j) => ({
        timestamp: now - 60_000 + Math.floor(((c * batchSize + j) * 50_000) / (calls * batchSize)),
        message: agentMessage(putStream, j, `put line ${c}/${j}`),
      })),
    );
    const bytes = batches.reduce((a, b) => a + b.reduce((x, e) => x + e.message.length, 0), 0);
    const t0 = performance.now();
    for (const logEvents of batches)
      h.PutLogEvents({ logGroupName: putGroup.name, logStreamName: putStream, logEvents });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      case: `PutLogEvents, ${batchSize} events per call (handler)`,
      "events/s": Math.round((calls * batchSize) / seconds),
      "MB/s": round(bytes / MB / seconds, 1),
      "p50 ms": "-",
      "p99 ms": "-",
      note: `${Math.round(calls / seconds)} calls/s`,
    });
  }

  // FilterLogEvents: the whole group, no pattern (every page), and a pattern matching nothing: scanning
  // every message, then through the gram index, which the first literal search builds.
  const groupEvents = total + markers.length;
  const nothing = { logGroupName: GROUP, filterPattern: '"no-such-text-anywhere"' };
  for (const [name, input, handlers] of [
    ["FilterLogEvents, whole group, no pattern (all pages)", { logGroupName: GROUP }, h],
    [
      "FilterLogEvents, whole group, pattern matching nothing (scan)",
      nothing,
      { ...h, FilterLogEvents: scanFilter },
    ],
    ["FilterLogEvents, whole group, pattern matching nothing (builds the index)", nothing, h],
    ["FilterLogEvents, whole group, pattern matching nothing (index)", nothing, h],
  ] as const) {
    const t0 = performance.now();
    const out = filterAll(handlers, input);
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      case: name,
      "events/s": Math.round(groupEvents / seconds),
      "MB/s": "-",
      "p50 ms": "-",
      "p99 ms": "-",
      note: `${out.pages} pages, ${out.events} events returned, ${round(seconds * 1000, 0)} ms`,
    });
  }

  // Marker searches: the harness's question "is this command's marker in the log yet?".
  const search = (scope: "group" | "stream" | "recent", handlers = h) => {
    const samples: number[] = [];
    let pages = 0;
    let wrong = 0;
    for (let i = 0; i < SEARCHES; i++) {
      const marker = markers[i % markers.length]!;
      const input: Record<string, unknown> = { logGroupName: GROUP, filterPattern: `"${marker}"` };
      if (scope === "stream") input["logStreamNames"] = [markerStream.name];
      // As the LogWatcher does: from the instant the command was sent, less a margin for clock skew.
      if (scope === "recent") input["startTime"] = markerAt - 60_000;
      const t0 = performance.now();
      const out = filterAll(handlers, input);
      samples.push(performance.now() - t0);
      pages = out.pages;
      if (out.events !== 1) wrong++;
    }
    return { ...latencyPercentiles(samples), pages, wrong };
  };
  search("group"); // warm-up
  const inStream = search("stream");
  const scanned = search("group", { ...h, FilterLogEvents: scanFilter });
  const inGroup = search("group");
  const recent = search("recent");
  const markerRow = (name: string, r: ReturnType<typeof search>) =>
    rows.push({
      case: name,
      "events/s": "-",
      "MB/s": "-",
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      "p99 x scan": round(r.p99 / scanned.p99, 3),
      note: `${r.count} searches, ${r.pages} page(s) each${r.wrong ? `, ${r.wrong} WRONG` : ""}`,
    });
  markerRow(`marker search, marker's stream only (${PER_STREAM} events)`, inStream);
  markerRow(`marker search, whole group, scanning every message (baseline)`, scanned);
  markerRow(`marker search, whole group (${groupEvents.toLocaleString("en")} events)`, inGroup);
  markerRow("marker search, whole group, startTime = sent - 60 s", recent);
  return {
    rows,
    notes: [
      `marker search in the whole group: p99 ${inGroup.p99} ms (target < 100 ms): ${inGroup.p99 < 100 ? "met" : "NOT met"}`,
      "latencies are handler calls in this process (no HTTP, no SDK); a search counts every page up to the last nextToken",
      "the gram index (emulator/logs/gramIndex.ts) is built by the first literal search over a stream and extended by later ones",
    ],
  };
}
