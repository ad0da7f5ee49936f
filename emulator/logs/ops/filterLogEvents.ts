/**
 * FilterLogEvents: events of one group, optionally restricted to named streams or a name prefix, within
 * [startTime, endTime] (both inclusive), matching a filter pattern; interleaved across streams and sorted by
 * (timestamp, ingestion order), oldest first unless `startFromHead: false`.
 *
 * Only the selected streams are touched: the prefix is a binary search over the sorted stream names and
 * each stream's time window a binary search over its sorted events. A page ends after `limit` matches,
 * about 1 MB of messages, or `filterScanBudget` examined events, whichever comes first; as in AWS, a page
 * may then hold few or no events and still carry a nextToken. The token records the key of the last event
 * known to be examined, so later calls resume exactly after it (see `scanPage`).
 */
import { z } from "zod";
import type { OperationHandler } from "../../api/provider";
import { invalidFilterPattern, invalidNextToken, invalidParameter } from "../errors";
import { type CompiledFilter, compileFilterPattern, FilterPatternError } from "../filterPattern";
import { BLOCK_EVENTS, BLOCK_SHIFT, gramProbe } from "../gramIndex";
import {
  compareKeys,
  type EventKey,
  type EventLog,
  type LogGroupRecord,
  type LogStreamRecord,
} from "../store";
import { decodeOpaqueToken, encodeEventKey, encodeOpaqueToken } from "../tokens";
import {
  awsInt,
  awsList,
  awsString,
  LOG_GROUP_IDENTIFIER,
  LOG_GROUP_NAME,
  LOG_STREAM_NAME,
  NEXT_TOKEN,
  parseInput,
  TIMESTAMP,
} from "../validation";
import { MAX_EVENTS_PER_RESPONSE, MAX_RESPONSE_BYTES } from "./getLogEvents";
import { EVENT_OVERHEAD_BYTES } from "./putLogEvents";
import { type LogsRuntime, namespaceOf, requireStream, resolveGroup } from "./runtime";

/** Descending order (`startFromHead: false`) needs a startTime on or after 2024-01-01T00:00:00Z. */
const DESCENDING_MIN_START = Date.UTC(2024, 0, 1);
const TOKEN_KIND = "FilterLogEvents";

const FilterLogEventsInput = z.object({
  logGroupName: LOG_GROUP_NAME.optional(),
  logGroupIdentifier: LOG_GROUP_IDENTIFIER.optional(),
  logStreamNames: awsList(LOG_STREAM_NAME, { min: 1, max: 100 }).optional(),
  logStreamNamePrefix: LOG_STREAM_NAME.optional(),
  startTime: TIMESTAMP.optional(),
  endTime: TIMESTAMP.optional(),
  filterPattern: awsString({ max: 1024 }).optional(),
  nextToken: NEXT_TOKEN.optional(),
  limit: awsInt({ min: 1, max: MAX_EVENTS_PER_RESPONSE }).optional(),
  interleaved: z.boolean().optional(),
  unmask: z.boolean().optional(),
  startFromHead: z.boolean().optional(),
});

export interface FilteredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

/** One selected stream's remaining range [lo, hi) of event indexes (time range and resume point applied). */
interface Range {
  stream: string;
  log: EventLog;
  lo: number;
  hi: number;
}

export function filterLogEventsOperations(rt: LogsRuntime): Record<string, OperationHandler> {
  return {
    FilterLogEvents(input, ctx) {
      const req = parseInput(FilterLogEventsInput, input, "InvalidParameterException");
      if (req.logStreamNames !== undefined && req.logStreamNamePrefix !== undefined)
        throw invalidParameter("Cannot specify both logStreamNames and logStreamNamePrefix.");
      let filter: CompiledFilter;
      try {
        filter = compileFilterPattern(req.filterPattern);
      } catch (e) {
        if (e instanceof FilterPatternError) throw invalidFilterPattern();
        throw e;
      }
      let ascending = req.startFromHead !== false;
      let resume: { timestamp: number; id: number } | undefined;
      if (req.nextToken !== undefined) {
        const t = decodeOpaqueToken(TOKEN_KIND, req.nextToken);
        if (
          !t ||
          (t["d"] !== "f" && t["d"] !== "b") ||
          !Number.isSafeInteger(t["t"]) ||
          !Number.isSafeInteger(t["i"])
        )
          throw invalidNextToken();
        // The token's direction wins over startFromHead.
        ascending = t["d"] === "f";
        resume = { timestamp: t["t"] as number, id: t["i"] as number };
      } else if (!ascending && req.startTime !== undefined && req.startTime < DESCENDING_MIN_START) {
        throw invalidParameter(
          "startFromHead set to false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.",
        );
      }

      const group = resolveGroup(namespaceOf(rt, ctx), req);
      const streams = selectStreams(group, req.logStreamNames, req.logStreamNamePrefix);
      const ranges: Range[] = [];
      for (const st of streams) {
        const log = st.events;
        let lo = req.startTime !== undefined ? log.firstAtOrAfter(req.startTime) : 0;
        let hi = req.endTime !== undefined ? log.firstAfter(req.endTime) : log.length;
        if (resume && ascending) lo = Math.max(lo, log.upperBound(resume.timestamp, resume.id));
        if (resume && !ascending) hi = Math.min(hi, log.lowerBound(resume.timestamp, resume.id));
        if (lo < hi) ranges.push({ stream: st.name, log, lo, hi });
      }

      const page = scanPage(
        ranges,
        ascending,
        filter,
        req.limit ?? MAX_EVENTS_PER_RESPONSE,
        rt.filterScanBudget,
        rt.literalIndex,
      );
      const out: Record<string, unknown> = { events: page.events, searchedLogStreams: [] };
      if (page.last && page.more)
        out["nextToken"] = encodeOpaqueToken(TOKEN_KIND, {
          d: ascending ? "f" : "b",
          t: page.last.timestamp,
          i: page.last.id,
        });
      return out;
    },
  };
}

function selectStreams(
  group: LogGroupRecord,
  names: readonly string[] | undefined,
  prefix: string | undefined,
): LogStreamRecord[] {
  if (names !== undefined) {
    const unique = [...new Set(names)];
    return unique.map((n) => requireStream(group, n));
  }
  return group.streamsWithPrefix(prefix ?? "");
}

interface ScanResult {
  events: FilteredEvent[];
  /** Key of the last event examined (the resume point), if any. */
  last: EventKey | undefined;
  /** Whether events remain in the ranges after `last`. */
  more: boolean;
}

/**
 * One page, in three steps:
 * 1. the window: the next ~`budget` events in merge order, as one index span per stream (by index for one
 *    stream; for several, every event up to a timestamp found by binary search over the streams' counts);
 * 2. each stream's span is scanned on its own in a tight loop, keeping at most `limit` matches per stream
 *    (the page's first `limit` matches are among them); with a literal term, only the blocks of events
 *    the stream's gram index does not rule out;
 * 3. the per-stream matches are merged by key (a heap over the streams with matches) up to `limit` events
 *    or ~1 MB.
 * The resume point is the last event emitted when the page filled up, else the last event of the window.
 */
function scanPage(
  ranges: Range[],
  ascending: boolean,
  filter: CompiledFilter,
  limit: number,
  budget: number,
  literalIndex: boolean,
): ScanResult {
  if (ranges.length === 0) return { events: [], last: undefined, more: false };
  // Without a pattern every event in the window matches, and the page holds at most `limit` of them: a
  // larger window would only be examined to be thrown away (a budget-sized window made reading a
  // 1,000-stream group page by page ~80x slower).
  const spans = windowSpans(ranges, ascending, filter.matchesAll ? Math.min(budget, limit) : budget);
  const literal = literalIndex ? literalOf(filter) : undefined;
  const probe = literal === undefined ? undefined : gramProbe(literal);

  // 2. scan each span
  const matched: number[][] = [];
  for (let s = 0; s < ranges.length; s++) {
    const [from, to] = spans[s]!;
    const log = ranges[s]!.log;
    matched.push(
      probe !== undefined && to - from >= INDEXED_SCAN_MIN_EVENTS
        ? scanIndexed(log, from, to, ascending, probe, filter, limit)
        : scanSpan(log.messages, from, to, ascending, filter, limit),
    );
  }

  // 3. merge the matches
  const heap: MatchCursor[] = [];
  for (let s = 0; s < ranges.length; s++) {
    const list = matched[s]!;
    if (list.length === 0) continue;
    const log = ranges[s]!.log;
    heap.push({ range: s, list, pos: 0, ts: log.timestampAt(list[0]!), id: log.idAt(list[0]!) });
  }
  const sign = ascending ? 1 : -1;
  const heapify = new KeyHeap(heap, sign);
  const events: FilteredEvent[] = [];
  let bytes = 0;
  let full = false;
  let lastEmitted: EventKey | undefined;
  while (heapify.size > 0) {
    const top = heapify.top();
    const r = ranges[top.range]!;
    const i = top.list[top.pos]!;
    const message = r.log.messageAt(i);
    const size = Buffer.byteLength(message, "utf8") + EVENT_OVERHEAD_BYTES;
    if (events.length >= limit || (bytes + size > MAX_RESPONSE_BYTES && events.length > 0)) {
      full = true;
      break;
    }
    bytes += size;
    events.push({
      logStreamName: r.stream,
      timestamp: top.ts,
      message,
      ingestionTime: r.log.ingestionTimeAt(i),
      eventId: encodeEventKey({ timestamp: top.ts, id: top.id }),
    });
    lastEmitted = { timestamp: top.ts, id: top.id };
    top.pos++;
    if (top.pos < top.list.length) {
      const j = top.list[top.pos]!;
      top.ts = r.log.timestampAt(j);
      top.id = r.log.idAt(j);
      heapify.replaceTop();
    } else heapify.pop();
  }
  let last: EventKey | undefined;
  if (full || events.length >= limit) {
    // Streams stop scanning at `limit` matches, so only the emitted events are known to be examined.
    last = lastEmitted;
  } else {
    // The whole window was examined: resume after its last event in merge order.
    for (let s = 0; s < ranges.length; s++) {
      const [from, to] = spans[s]!;
      if (from >= to) continue;
      const log = ranges[s]!.log;
      const edge = ascending ? to - 1 : from;
      const ts = log.timestampAt(edge);
      const id = log.idAt(edge);
      if (!last || sign * compareKeys(ts, id, last.timestamp, last.id) > 0) last = { timestamp: ts, id };
    }
  }
  const resume = last;
  const more =
    resume !== undefined &&
    ranges.some((r) =>
      ascending
        ? r.log.upperBound(resume.timestamp, resume.id) < r.hi
        : r.log.lowerBound(resume.timestamp, resume.id) > r.lo,
    );
  return { events, last, more };
}

/** Per range, the index span [from, to) of this page's window (~budget events in merge order). */
function windowSpans(ranges: Range[], ascending: boolean, budget: number): [number, number][] {
  let total = 0;
  for (const r of ranges) total += r.hi - r.lo;
  if (total <= budget) return ranges.map((r) => [r.lo, r.hi]);
  if (ranges.length === 1) {
    const r = ranges[0]!;
    return [ascending ? [r.lo, r.lo + budget] : [r.hi - budget, r.hi]];
  }
  // Several streams: a timestamp bound T. Ascending takes every event with ts <= T, descending every event
  // with ts >= T. T starts from a uniform-density estimate and is bisected until the window holds between
  // budget/2 and 2*budget events (usually one or two probes). Any T within the streams' span leaves at least
  // one event in the window, so pages always progress.
  const count = (t: number) => {
    let n = 0;
    for (const r of ranges) {
      if (ascending) n += Math.max(0, Math.min(r.log.firstAfter(t), r.hi) - r.lo);
      else n += Math.max(0, r.hi - Math.max(r.log.firstAtOrAfter(t), r.lo));
    }
    return n;
  };
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  for (const r of ranges) {
    tMin = Math.min(tMin, r.log.timestampAt(r.lo));
    tMax = Math.max(tMax, r.log.timestampAt(r.hi - 1));
  }
  const share = budget / total;
  let lo = tMin;
  let hi = tMax;
  let t = ascending ? tMin + Math.floor((tMax - tMin) * share) : tMax - Math.floor((tMax - tMin) * share);
  for (let probes = 0; probes < 64; probes++) {
    const c = count(t);
    if (c * 2 >= budget && c <= budget * 2) break;
    // too many events: move T towards the start of the scan; too few: away from it
    const tooMany = c > budget * 2;
    if (ascending === tooMany) hi = t - 1;
    else lo = t + 1;
    if (lo > hi) break;
    t = Math.floor((lo + hi) / 2);
  }
  t = Math.min(Math.max(t, tMin), tMax);
  return ranges.map((r) =>
    ascending
      ? [r.lo, Math.max(r.lo, Math.min(r.log.firstAfter(t), r.hi))]
      : [Math.min(r.hi, Math.max(r.log.firstAtOrAfter(t), r.lo)), r.hi],
  );
}

/** Spans shorter than this are scanned message by message: the index would not skip enough. */
const INDEXED_SCAN_MIN_EVENTS = 2 * BLOCK_EVENTS;

/** A text every matching message contains, when the pattern has one (its longest required text term). */
function literalOf(filter: CompiledFilter): string | undefined {
  if (filter.ast.kind !== "terms") return undefined;
  let best: string | undefined;
  for (const term of filter.ast.required) {
    if (term.kind === "text" && term.text.length > (best?.length ?? 0)) best = term.text;
  }
  return best;
}

/**
 * `scanSpan` for a pattern with a required literal: the stream's gram index skips the blocks that cannot
 * hold it and the others are scanned message by message with the full matcher, so the result is the same.
 */
function scanIndexed(
  log: EventLog,
  from: number,
  to: number,
  ascending: boolean,
  probe: Uint16Array,
  filter: CompiledFilter,
  limit: number,
): number[] {
  const index = log.gramIndex();
  const messages = log.messages;
  const matches = filter.matches;
  const first = from >> BLOCK_SHIFT;
  const last = (to - 1) >> BLOCK_SHIFT;
  const out: number[] = [];
  for (let k = 0; k <= last - first && out.length < limit; k++) {
    const b = ascending ? first + k : last - k;
    if (!index.mayContain(b, probe)) continue;
    const lo = Math.max(from, b << BLOCK_SHIFT);
    const hi = Math.min(to, (b + 1) << BLOCK_SHIFT);
    if (ascending) {
      for (let i = lo; i < hi && out.length < limit; i++) if (matches(messages[i]!)) out.push(i);
    } else {
      for (let i = hi - 1; i >= lo && out.length < limit; i--) if (matches(messages[i]!)) out.push(i);
    }
  }
  return out;
}

/** Indexes of the matching messages in [from, to), in scan order, at most `limit`. */
function scanSpan(
  messages: readonly string[],
  from: number,
  to: number,
  ascending: boolean,
  filter: CompiledFilter,
  limit: number,
): number[] {
  const out: number[] = [];
  if (filter.matchesAll) {
    if (ascending) for (let i = from; i < to && out.length < limit; i++) out.push(i);
    else for (let i = to - 1; i >= from && out.length < limit; i--) out.push(i);
    return out;
  }
  const matches = filter.matches;
  if (ascending) {
    for (let i = from; i < to; i++) {
      if (matches(messages[i]!)) {
        out.push(i);
        if (out.length >= limit) break;
      }
    }
  } else {
    for (let i = to - 1; i >= from; i--) {
      if (matches(messages[i]!)) {
        out.push(i);
        if (out.length >= limit) break;
      }
    }
  }
  return out;
}

interface MatchCursor {
  range: number;
  list: number[];
  pos: number;
  ts: number;
  id: number;
}

/** A binary heap of cursors by cached key; `sign` -1 makes it a max-heap (descending pages). */
class KeyHeap {
  constructor(
    private readonly items: MatchCursor[],
    private readonly sign: number,
  ) {
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }
  get size(): number {
    return this.items.length;
  }
  top(): MatchCursor {
    return this.items[0]!;
  }
  /** Restore order after the top's key changed. */
  replaceTop(): void {
    this.siftDown(0);
  }
  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.siftDown(0);
    }
  }
  private before(a: MatchCursor, b: MatchCursor): boolean {
    return this.sign * compareKeys(a.ts, a.id, b.ts, b.id) < 0;
  }
  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.before(items[l]!, items[m]!)) m = l;
      if (r < n && this.before(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      const tmp = items[i]!;
      items[i] = items[m]!;
      items[m] = tmp;
      i = m;
    }
  }
}
