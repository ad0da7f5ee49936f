/**
 * Time as the protocol sees it: wall-clock milliseconds and timers. `systemClock` is the real one;
 * `VirtualClock` is a deterministic stand-in for tests, where time moves only when the test says so.
 */

/** An opaque timer handle; pass it back to the clock that created it. */
export type TimerHandle = object;

export interface Clock {
  /** Unix epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

interface VirtualTimer {
  due: number;
  /** Scheduling order: breaks ties between timers due at the same instant. */
  order: number;
  fn: () => void;
  /** Period of an interval; undefined for a one-shot timeout. */
  period: number | undefined;
}

/** 2023-11-14T22:13:20Z: frames need a non-zero CreatedDate, so virtual time does not start at 0. */
export const VIRTUAL_EPOCH_MS = 1_700_000_000_000;

/**
 * A clock whose time advances only through `advance` and `runAll`. Timers run in due-time order (ties in
 * scheduling order), with `now()` equal to their due time, including timers scheduled by running timers.
 * Like Node, delays below 1 ms (or not finite) count as 1 ms, so a timer chain always moves time forward.
 */
export class VirtualClock implements Clock {
  private time: number;
  private order = 0;
  private running = false;
  /** Binary min-heap on (due, order). Cleared timers stay in it until popped; `live` says which count. */
  private readonly heap: VirtualTimer[] = [];
  private readonly live = new Set<VirtualTimer>();

  constructor(startMs = VIRTUAL_EPOCH_MS) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  /** Timers (timeouts and intervals) that have not run or been cleared. */
  get pending(): number {
    return this.live.size;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule({ due: this.time + delay(ms), order: 0, fn, period: undefined });
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const period = delay(ms);
    return this.schedule({ due: this.time + period, order: 0, fn, period });
  }

  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle as VirtualTimer);
  }

  clearInterval(handle: TimerHandle): void {
    this.live.delete(handle as VirtualTimer);
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`cannot advance by ${ms} ms`);
    const target = this.time + ms;
    this.drive(() => {
      const next = this.peek();
      return next !== undefined && next.due <= target;
    }, Number.POSITIVE_INFINITY);
    this.time = target;
  }

  /**
   * Runs timers, jumping time to each, until none is left. Throws after `maxTimers` callbacks: an interval
   * never lets the clock go idle, so this is for code whose timers all end.
   */
  runAll(maxTimers = 100_000): void {
    this.drive(() => this.peek() !== undefined, maxTimers);
  }

  private drive(hasNext: () => boolean, maxTimers: number): void {
    if (this.running) throw new Error("VirtualClock: advance/runAll called from inside a timer");
    this.running = true;
    try {
      for (let ran = 0; hasNext(); ran++) {
        if (ran >= maxTimers) throw new Error(`VirtualClock: still busy after ${maxTimers} timers`);
        const timer = this.pop()!;
        this.time = timer.due;
        if (timer.period === undefined) {
          this.live.delete(timer);
        } else {
          // Re-arm first, so the callback may clear its own interval.
          timer.due += timer.period;
          timer.order = ++this.order;
          this.push(timer);
        }
        timer.fn();
      }
    } finally {
      this.running = false;
    }
  }

  private schedule(timer: VirtualTimer): TimerHandle {
    timer.order = ++this.order;
    this.live.add(timer);
    this.push(timer);
    return timer;
  }

  /** The next live timer, discarding cleared ones from the top of the heap. */
  private peek(): VirtualTimer | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0]!)) this.pop();
    return this.heap[0];
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): VirtualTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
        if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least]!, heap[i]!];
        i = least;
      }
    }
    return top;
  }
}

function delay(ms: number): number {
  return Number.isFinite(ms) && ms >= 1 ? ms : 1;
}

function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}
