/** Background activity for the idle and max-duration scenarios: repeat an input until told to stop. */

export interface Activity {
  /** Resolves after the activity has stopped; it stops by itself when `act` throws (session closed). */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

export function repeatEvery(intervalMs: number, act: (n: number) => void): Activity {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const tick = (n: number) => {
    if (stopped) return finish();
    try {
      act(n);
    } catch {
      stopped = true;
      return finish();
    }
    timer = setTimeout(() => tick(n + 1), intervalMs);
  };
  tick(0);
  return {
    done,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      finish();
      return done;
    },
  };
}
