/**
 * The emulator's time scale. It applies to the idle timeout and the maximum session duration only:
 * `--time-scale 60` makes one configured minute last one real second. Log upload cadence, protocol
 * timers and every latency the harness measures run on real time, always.
 */
export interface ServiceTimer {
  cancel(): void;
}

export class TimeScale {
  constructor(readonly factor = 1) {
    if (!(factor > 0) || !Number.isFinite(factor))
      throw new Error(`time scale must be a positive number, got ${factor}`);
  }

  /** Real milliseconds that a configured duration lasts. */
  realMs(configuredMs: number): number {
    return configuredMs / this.factor;
  }

  /** Runs `fn` after a configured (scaled) duration. */
  after(configuredMs: number, fn: () => void): ServiceTimer {
    const handle = setTimeout(fn, this.realMs(configuredMs));
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  }
}
