/** What every benchmark returns: a table (one row per case) and optional notes that interpret it. */
export interface BenchResult {
  rows: Array<Record<string, string | number>>;
  notes?: string[];
}

/** Runs `op` repeatedly for about `ms` milliseconds after a warm-up and returns operations per second. */
export function opsPerSecond(op: () => void, ms = 1500): number {
  const deadline = performance.now() + ms / 5;
  while (performance.now() < deadline) op();
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 256; i++) op();
    count += 256;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}
