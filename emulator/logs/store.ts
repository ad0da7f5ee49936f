/**
 * In-memory storage for the CloudWatch Logs emulator: accounts/regions -> groups -> streams -> events.
 *
 * Storage only: no AWS semantics (validation, limits, errors) live here; the operation handlers in
 * `ops/` own those. Events are kept per stream in struct-of-arrays form (typed arrays for the numbers,
 * one array for the message strings), sorted by the event key (timestamp, id), so a time range or a
 * resume position is a binary search and a scan touches only the streams asked for.
 *
 * `id` is a store-wide counter assigned at ingestion, so (timestamp, id) orders events by timestamp, then
 * ingestion order (ingestion time, then PutLogEvents request, then position in the batch), which is the
 * order FilterLogEvents documents.
 */

import { GramIndex } from "./gramIndex";

/** An event as the handlers see it (a view over one stream's arrays). */
export interface StoredEvent {
  id: number;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** The sort key of an event: timestamp first, then ingestion order. */
export interface EventKey {
  timestamp: number;
  id: number;
}

export function compareKeys(aTs: number, aId: number, bTs: number, bId: number): number {
  if (aTs !== bTs) return aTs < bTs ? -1 : 1;
  if (aId !== bId) return aId < bId ? -1 : 1;
  return 0;
}

const INITIAL_CAPACITY = 16;

/** One stream's events, sorted by (timestamp, id). */
export class EventLog {
  private ts = new Float64Array(INITIAL_CAPACITY);
  private ing = new Float64Array(INITIAL_CAPACITY);
  private idv = new Float64Array(INITIAL_CAPACITY);
  private msg: string[] = [];
  private n = 0;
  /** The literal-search index, built on first use, extended on demand (see gramIndex.ts). */
  private grams: GramIndex | undefined;

  get length(): number {
    return this.n;
  }
  timestampAt(i: number): number {
    return this.ts[i]!;
  }
  ingestionTimeAt(i: number): number {
    return this.ing[i]!;
  }
  idAt(i: number): number {
    return this.idv[i]!;
  }
  messageAt(i: number): string {
    return this.msg[i]!;
  }
  /** The message array itself, for tight scan loops (read-only by convention). */
  get messages(): readonly string[] {
    return this.msg;
  }
  /** The literal-search index over every event (built or extended now). */
  gramIndex(): GramIndex {
    this.grams ??= new GramIndex();
    this.grams.extend(this.msg, this.n);
    return this.grams;
  }

  eventAt(i: number): StoredEvent {
    return { id: this.idv[i]!, timestamp: this.ts[i]!, ingestionTime: this.ing[i]!, message: this.msg[i]! };
  }

  /** First index whose key is >= (timestamp, id). */
  lowerBound(timestamp: number, id: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.ts[mid]!, this.idv[mid]!, timestamp, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > (timestamp, id). */
  upperBound(timestamp: number, id: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.ts[mid]!, this.idv[mid]!, timestamp, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index with timestamp >= t. */
  firstAtOrAfter(t: number): number {
    return this.lowerBound(t, Number.NEGATIVE_INFINITY);
  }
  /** First index with timestamp > t. */
  firstAfter(t: number): number {
    return this.upperBound(t, Number.POSITIVE_INFINITY);
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.ts.length) return;
    let cap = this.ts.length;
    while (cap < needed) cap *= 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.ts = grow(this.ts);
    this.ing = grow(this.ing);
    this.idv = grow(this.idv);
  }

  /**
   * Add a batch. `timestamps` must be non-decreasing and `firstId..firstId+count-1` larger than every id
   * already stored (the store's counter guarantees it). Appends in O(batch) when the batch starts at or after
   * the newest stored timestamp, otherwise merges in O(stream + batch).
   */
  insertBatch(
    events: readonly { timestamp: number; message: string }[],
    ingestionTime: number,
    firstId: number,
  ): void {
    const count = events.length;
    if (count === 0) return;
    this.ensureCapacity(this.n + count);
    const n = this.n;
    if (n === 0 || events[0]!.timestamp >= this.ts[n - 1]!) {
      for (let k = 0; k < count; k++) {
        const e = events[k]!;
        this.ts[n + k] = e.timestamp;
        this.ing[n + k] = ingestionTime;
        this.idv[n + k] = firstId + k;
        this.msg.push(e.message);
      }
      this.n = n + count;
      return;
    }
    // Merge from the back: the batch's ids are all larger, so on equal timestamps stored events come first.
    // In place is safe: the write position stays ahead of the stored element being read.
    const start = this.firstAfter(events[0]!.timestamp);
    this.grams?.truncate(start);
    let i = n - 1; // stored, index into arrays
    let j = count - 1; // batch
    let w = n + count - 1; // write position
    this.msg.length = n + count;
    while (j >= 0) {
      const e = events[j]!;
      if (i >= start && this.ts[i]! > e.timestamp) {
        this.ts[w] = this.ts[i]!;
        this.ing[w] = this.ing[i]!;
        this.idv[w] = this.idv[i]!;
        this.msg[w] = this.msg[i]!;
        i--;
      } else {
        this.ts[w] = e.timestamp;
        this.ing[w] = ingestionTime;
        this.idv[w] = firstId + j;
        this.msg[w] = e.message;
        j--;
      }
      w--;
    }
    this.n = n + count;
  }
}

export class LogStreamRecord {
  readonly events = new EventLog();
  firstEventTimestamp: number | undefined;
  lastEventTimestamp: number | undefined;
  lastIngestionTime: number | undefined;
  /** UTF-8 bytes of the messages stored. */
  storedBytes = 0;
  uploadSequenceToken: string;

  constructor(
    readonly name: string,
    readonly creationTime: number,
    initialSequenceToken: string,
  ) {
    this.uploadSequenceToken = initialSequenceToken;
  }
}

/** Sorted-name index over a Map, rebuilt lazily after inserts/deletes. */
class SortedNames {
  private sorted: string[] | undefined;
  invalidate(): void {
    this.sorted = undefined;
  }
  get(names: Iterable<string>): readonly string[] {
    if (!this.sorted) this.sorted = [...names].sort(asciiCompare);
    return this.sorted;
  }
}

/** Ordinal (code unit) comparison, which is ASCII order for the names CloudWatch Logs allows. */
export function asciiCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first name >= key in a sorted array. */
export function lowerBoundName(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Names in `sorted` starting with `prefix`, found by binary search (no scan of the others). */
export function namesWithPrefix(sorted: readonly string[], prefix: string): readonly string[] {
  if (!prefix) return sorted;
  const start = lowerBoundName(sorted, prefix);
  let end = start;
  while (end < sorted.length && sorted[end]!.startsWith(prefix)) end++;
  return sorted.slice(start, end);
}

export class LogGroupRecord {
  retentionInDays: number | undefined;
  kmsKeyId: string | undefined;
  readonly tags = new Map<string, string>();
  readonly streams = new Map<string, LogStreamRecord>();
  private readonly streamIndex = new SortedNames();

  constructor(
    readonly name: string,
    readonly creationTime: number,
  ) {}

  get storedBytes(): number {
    let total = 0;
    for (const s of this.streams.values()) total += s.storedBytes;
    return total;
  }

  addStream(stream: LogStreamRecord): void {
    this.streams.set(stream.name, stream);
    this.streamIndex.invalidate();
  }
  deleteStream(name: string): boolean {
    const deleted = this.streams.delete(name);
    if (deleted) this.streamIndex.invalidate();
    return deleted;
  }
  sortedStreamNames(): readonly string[] {
    return this.streamIndex.get(this.streams.keys());
  }
  /** Streams whose names start with `prefix`, in ASCII order. */
  streamsWithPrefix(prefix: string): LogStreamRecord[] {
    return namesWithPrefix(this.sortedStreamNames(), prefix).map((n) => this.streams.get(n)!);
  }
}

/** One account in one region: CloudWatch Logs resources are regional and per account. */
export class LogsNamespace {
  readonly groups = new Map<string, LogGroupRecord>();
  private readonly groupIndex = new SortedNames();

  constructor(
    readonly accountId: string,
    readonly region: string,
  ) {}

  addGroup(group: LogGroupRecord): void {
    this.groups.set(group.name, group);
    this.groupIndex.invalidate();
  }
  deleteGroup(name: string): boolean {
    const deleted = this.groups.delete(name);
    if (deleted) this.groupIndex.invalidate();
    return deleted;
  }
  sortedGroupNames(): readonly string[] {
    return this.groupIndex.get(this.groups.keys());
  }

  /** `arn:aws:logs:<region>:<account>:log-group:<name>` (no trailing `:*`). */
  groupArn(name: string): string {
    return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${name}`;
  }
  streamArn(group: string, stream: string): string {
    return `${this.groupArn(group)}:log-stream:${stream}`;
  }
}

export class LogsStore {
  private readonly namespaces = new Map<string, LogsNamespace>();
  private lastEventId = 0;
  private sequence = 0;

  /** The resources of one account in one region (created on first use). */
  namespace(accountId: string, region: string): LogsNamespace {
    const key = `${accountId}/${region}`;
    let ns = this.namespaces.get(key);
    if (!ns) {
      ns = new LogsNamespace(accountId, region);
      this.namespaces.set(key, ns);
    }
    return ns;
  }

  /** Every namespace that has been touched. */
  allNamespaces(): LogsNamespace[] {
    return [...this.namespaces.values()];
  }

  /** Reserve `count` consecutive event ids; returns the first. */
  allocateEventIds(count: number): number {
    const first = this.lastEventId + 1;
    this.lastEventId += count;
    return first;
  }

  /** A fresh 56-digit sequence token (the shape AWS uses; the service ignores it on input). */
  nextSequenceToken(): string {
    this.sequence++;
    return `4959${String(this.sequence).padStart(52, "0")}`;
  }

  /**
   * Store accepted events in a stream and update its statistics. The events must already be valid and in
   * chronological order; AWS rules (limits, rejection) are the caller's business.
   */
  ingest(
    stream: LogStreamRecord,
    events: readonly { timestamp: number; message: string }[],
    ingestionTime: number,
  ): void {
    if (events.length === 0) return;
    const firstId = this.allocateEventIds(events.length);
    stream.events.insertBatch(events, ingestionTime, firstId);
    let bytes = 0;
    for (const e of events) bytes += Buffer.byteLength(e.message, "utf8");
    stream.storedBytes += bytes;
    const first = events[0]!.timestamp;
    const last = events[events.length - 1]!.timestamp;
    if (stream.firstEventTimestamp === undefined || first < stream.firstEventTimestamp)
      stream.firstEventTimestamp = first;
    if (stream.lastEventTimestamp === undefined || last > stream.lastEventTimestamp)
      stream.lastEventTimestamp = last;
    stream.lastIngestionTime = ingestionTime;
  }
}
