/**
 * The log watchers' adaptive poll loop: poll, then wait; the wait starts at `minMs`, grows x1.5 up to
 * `maxMs` while polls find nothing new, and drops back to `minMs` when one does.
 */
import { setTimeout as delay } from "node:timers/promises";

/** The wait between polls; must settle (either way) when `signal` aborts. */
export type PollSleep = (ms: number, signal: AbortSignal) => Promise<unknown>;

/** Unref'd: a poll loop alone never keeps the process alive. */
export const unrefSleep: PollSleep = (ms, signal) => delay(ms, undefined, { signal, ref: false });

export interface PollLoopOptions {
  minMs?: number;
  maxMs?: number;
  signal: AbortSignal;
  sleep: PollSleep;
}

/**
 * Polls until `signal` aborts. `poll` resolves with how many new items it found. A poll that fails while
 * the signal is not aborted ends the loop with its error; one that fails because of the abort ends it quietly.
 */
export async function pollAdaptively(
  poll: (signal: AbortSignal) => Promise<number>,
  { minMs = 100, maxMs = 1000, signal, sleep }: PollLoopOptions,
): Promise<void> {
  let wait = minMs;
  while (!signal.aborted) {
    let fresh: number;
    try {
      fresh = await poll(signal);
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if (fresh > 0) wait = minMs;
    await sleep(wait, signal).catch(() => undefined);
    wait = Math.min(wait * 1.5, maxMs);
  }
}
