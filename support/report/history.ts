/**
 * history.jsonl: one line per run (verdict counts, key percentiles, run metadata without the caller's ARN),
 * appended by every run, for nightly trends and the regression note. A run already recorded (same run id,
 * e.g. when its reports are rebuilt) is not appended again.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { MetricId, MetricSummary } from "./latency";
import type { ConformanceReport } from "./schema";

/** The regression note: p99 of command to observable above the baseline's median by more than this. */
export const REGRESSION_THRESHOLD = 0.5;
/** The baseline: this many of the target's latest earlier runs... */
export const BASELINE_RUNS = 7;
/** ...and at least this many, or there is no note (one or two runs are too noisy to compare with). */
export const MIN_BASELINE_RUNS = 3;
/** Runs shown in the trend chart. */
export const TREND_RUNS = 30;

const Stat = z.object({
  count: z.number().int(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});

export const HistoryEntrySchema = z.object({
  schemaVersion: z.literal("1.0"),
  runId: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  verdict: z.string(),
  requirements: z.object({ pass: z.number(), fail: z.number(), error: z.number(), skipped: z.number() }),
  /** Requirements passed over requirements that ran (pass, fail or error); null when none ran. */
  passRate: z.number().nullable(),
  latency: z.record(z.string(), Stat),
  target: z
    .object({
      kind: z.string(),
      region: z.string(),
      nodeIds: z.array(z.string()),
      agentVersion: z.string().nullable(),
      timeScale: z.number(),
    })
    .nullable(),
  accountId: z.string().nullable(),
  harnessVersion: z.string().nullable(),
  policy: z.object({ name: z.string(), sha256: z.string() }).nullable(),
});

export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export interface TrendPoint {
  runId: string;
  startedAt: string | null;
  p50: number | null;
  p99: number | null;
  passRate: number | null;
}

export interface Regression {
  metric: MetricId;
  p99: number;
  baselineMedian: number;
  baselineRuns: number;
  /** p99 / baseline median − 1 */
  increase: number;
  threshold: number;
  message: string;
}

export function historyEntry(report: ConformanceReport, metrics: readonly MetricSummary[]): HistoryEntry {
  const { pass, fail, error } = report.counts.requirements;
  const ran = pass + fail + error;
  const { run } = report;
  return {
    schemaVersion: "1.0",
    runId: [...run.ids].sort().join("+"),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    verdict: report.verdict,
    requirements: report.counts.requirements,
    passRate: ran > 0 ? pass / ran : null,
    latency: Object.fromEntries(
      metrics.map(({ id, count, p50, p90, p99, max }) => [id, { count, p50, p90, p99, max }]),
    ),
    target: run.target && {
      kind: run.target.kind,
      region: run.target.region,
      nodeIds: run.target.nodeIds,
      agentVersion: run.target.agentVersion,
      timeScale: run.target.timeScale,
    },
    accountId: run.caller?.accountId ?? null,
    harnessVersion: run.harnessVersion,
    policy: run.policy && { name: run.policy.name, sha256: run.policy.sha256 },
  };
}

/** The file's valid entries, oldest first; lines this version cannot read are left out. */
export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line) => {
      if (line.trim() === "") return [];
      try {
        const parsed = HistoryEntrySchema.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
}

/** Appends the entry unless its run is already recorded; true when it was appended. */
export function appendHistory(file: string, entry: HistoryEntry, known: readonly HistoryEntry[]): boolean {
  if (known.some((e) => e.runId === entry.runId)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
  return true;
}

/** Runs comparable with this one: same target kind, region and managed nodes. */
function sameTarget(a: HistoryEntry, b: HistoryEntry): boolean {
  const identity = (e: HistoryEntry) => JSON.stringify([e.target?.kind, e.target?.region, e.target?.nodeIds]);
  return identity(a) === identity(b);
}

/** The target's latest runs before this one, then this one: command to observable and pass rate. */
export function trendOf(current: HistoryEntry, earlier: readonly HistoryEntry[]): TrendPoint[] {
  return [...earlier.filter((e) => e.runId !== current.runId && sameTarget(e, current)), current]
    .slice(-TREND_RUNS)
    .map((e) => ({
      runId: e.runId,
      startedAt: e.startedAt,
      p50: e.latency.commandToObservable?.p50 ?? null,
      p99: e.latency.commandToObservable?.p99 ?? null,
      passRate: e.passRate,
    }));
}

/**
 * A regression when this run's p99 of command to observable exceeds the median p99 of the target's last
 * BASELINE_RUNS earlier runs by more than REGRESSION_THRESHOLD.
 */
export function detectRegression(current: HistoryEntry, earlier: readonly HistoryEntry[]): Regression | null {
  const metric = "commandToObservable";
  const p99 = current.latency[metric]?.p99;
  if (p99 === null || p99 === undefined) return null;
  const baseline = earlier
    .filter((e) => e.runId !== current.runId && sameTarget(e, current))
    .flatMap((e) => {
      const value = e.latency[metric]?.p99;
      return value === null || value === undefined ? [] : [value];
    })
    .slice(-BASELINE_RUNS);
  if (baseline.length < MIN_BASELINE_RUNS) return null;
  const baselineMedian = median(baseline);
  if (baselineMedian <= 0 || p99 <= baselineMedian * (1 + REGRESSION_THRESHOLD)) return null;
  const increase = p99 / baselineMedian - 1;
  return {
    metric,
    p99,
    baselineMedian,
    baselineRuns: baseline.length,
    increase,
    threshold: REGRESSION_THRESHOLD,
    message:
      `latency regression: p99 command to observable is ${p99} ms, ${Math.round(increase * 100)}% above ` +
      `the median of the last ${baseline.length} runs on this target (${baselineMedian} ms; threshold ` +
      `${Math.round(REGRESSION_THRESHOLD * 100)}%)`,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
