import { setTimeout as sleep, setImmediate as yieldToLoop } from "node:timers/promises";
import { Utf8Chunker } from "./chunker";

/** `faithful`: 1 ms pause after every chunk, as the agent's write pump sleeps; `unpaced`: as fast as possible. */
export type Pacing = "faithful" | "unpaced";

/** The producer's flow control (node-pty's pause/resume), driven by the pump's read-ahead bound. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface OutputPumpOptions {
  /** Receives each chunk, in order. */
  onChunk: (chunk: Buffer) => void;
  source: FlowControl;
  /** Nothing is delivered for this long after the pump is created (the agent waits 1 s). */
  initialDelayMs?: number;
  maxChunkBytes?: number;
  pacing?: Pacing;
  /** Bytes read from the producer but not yet delivered, beyond which the producer is paused. */
  readAheadBytes?: number;
}

/** How many unpaced chunks go out before the pump yields to the event loop (so pause() can land). */
const UNPACED_BURST = 64;

/**
 * The agent's output pump (spec 10.5) as a pull-based pump with backpressure. The producer pushes what it
 * reads; the pump delivers it in chunks of at most `maxChunkBytes` (see Utf8Chunker) while the consumer
 * has not paused it. Read-ahead is bounded: past `readAheadBytes` the producer is paused, so the kernel
 * pty buffer fills and the shell blocks, exactly as when the agent stops reading. The bound is not zero
 * because node-pty destroys its socket 200 ms after the shell exits, dropping whatever the kernel still
 * holds; reading ahead a little keeps the final output of a shell that exits during a pause.
 */
export class OutputPump {
  /** Resolves once everything pushed before end() was delivered, or at stop(). */
  readonly done: Promise<void>;

  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private readonly chunker: Utf8Chunker;
  private readonly readAheadBytes: number;
  private consumerPaused = false;
  private sourcePaused = false;
  private ended = false;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: OutputPumpOptions) {
    this.chunker = new Utf8Chunker(options.maxChunkBytes ?? 1024);
    this.readAheadBytes = options.readAheadBytes ?? 64 * 1024;
    this.done = this.run(options.initialDelayMs ?? 1000);
  }

  get paused(): boolean {
    return this.consumerPaused;
  }

  /** Bytes read from the producer and not yet delivered. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.chunker.pending.length;
  }

  push(data: Buffer): void {
    if (this.ended || data.length === 0) return;
    this.queue.push(data);
    this.queuedBytes += data.length;
    this.applyFlowControl();
    this.wake();
  }

  /** The producer has closed: deliver what is queued, then finish. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Discards undelivered output and finishes at once (the agent closes the pty after a kill). */
  stop(): void {
    this.ended = true;
    this.abort.abort();
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.applyFlowControl(); // let the producer read on to its end, where the data is dropped
    this.wake();
  }

  pause(): void {
    this.consumerPaused = true;
  }

  resume(): void {
    this.consumerPaused = false;
    this.wake();
  }

  private async run(initialDelayMs: number): Promise<void> {
    const { signal } = this.abort;
    await sleep(initialDelayMs, undefined, { signal }).catch(() => undefined);
    let burst = 0;
    while (!signal.aborted) {
      if (this.consumerPaused || this.queuedBytes === 0) {
        if (!this.consumerPaused && this.ended) return; // at most 3 undecodable bytes stay behind, as in the agent
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        continue;
      }
      const chunk = this.chunker.next(this.take(this.chunker.readSize));
      this.applyFlowControl();
      if (chunk.length > 0) this.options.onChunk(chunk);
      if (this.options.pacing === "unpaced") {
        if (++burst >= UNPACED_BURST) {
          burst = 0;
          await yieldToLoop();
        }
      } else {
        await sleep(1, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private take(max: number): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    while (size < max && this.queue.length > 0) {
      const head = this.queue[0]!;
      const want = max - size;
      if (head.length <= want) {
        parts.push(head);
        this.queue.shift();
        size += head.length;
      } else {
        parts.push(head.subarray(0, want));
        this.queue[0] = head.subarray(want);
        size += want;
      }
    }
    this.queuedBytes -= size;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  }

  private applyFlowControl(): void {
    if (!this.sourcePaused && this.queuedBytes >= this.readAheadBytes) {
      this.sourcePaused = true;
      this.options.source.pause();
    } else if (this.sourcePaused && this.queuedBytes < this.readAheadBytes / 2) {
      this.sourcePaused = false;
      this.options.source.resume();
    }
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }
}
