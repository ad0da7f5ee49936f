/**
 * latency.json: the run's latency samples from its evidence, and their percentiles (design.md,
 * "Measurements"). Every attempt counts, retried ones included: a latency outlier is still an observation.
 * Times are real milliseconds; the time scale of a local run never applies to latency.
 */
import type { Regression, TrendPoint } from "./history";
import { type Percentiles, percentiles } from "./percentiles";
import type { ConformanceReport } from "./schema";
import type { RecordedEvidence, RunStream, Scenario } from "./stream";

export const METRICS = [
  {
    id: "commandToIngested",
    label: "Command to ingested",
    formula: "t2 − t0",
    description: "keystrokes sent (harness clock) to the event's ingestionTime (logs service clock)",
  },
  {
    id: "commandToObservable",
    label: "Command to observable",
    formula: "t3 − t0",
    description: "keystrokes sent to the harness first seeing the event (both harness clock)",
  },
  {
    id: "agentUploadDelay",
    label: "Agent upload delay",
    formula: "t1 − t0",
    description: "keystrokes sent to the event's timestamp (agent clock; can be negative with clock skew)",
  },
  {
    id: "sessionStart",
    label: "Session start",
    formula: "prompt − StartSession",
    description: "StartSession called to the shell's first output",
  },
  {
    id: "idleTimeoutAccuracy",
    label: "Idle-timeout accuracy",
    formula: "observed − expected close",
    description: "observed close minus (last input + idle timeout); negative means early",
  },
] as const;

export type MetricId = (typeof METRICS)[number]["id"];

export type MetricSummary = (typeof METRICS)[number] & Percentiles;

/** One command's four instants (design.md): t0 sent, t1 event timestamp, t2 ingested, t3 seen. */
export interface CommandTiming {
  scenario: string;
  requirement: string | null;
  attempt: number;
  sessionId: string | null;
  command: number;
  t0: number;
  t1: number | null;
  t2: number | null;
  t3: number | null;
}

export interface LatencyReport {
  schemaVersion: "1.0";
  generatedAt: string;
  run: ConformanceReport["run"];
  unit: "ms";
  metrics: MetricSummary[];
  samples: Record<MetricId, number[]>;
  commands: CommandTiming[];
  /** This target's recent runs from the history, oldest first, this run last. */
  trend: TrendPoint[];
  regression: Regression | null;
}

export interface Measurements {
  metrics: MetricSummary[];
  samples: Record<MetricId, number[]>;
  commands: CommandTiming[];
}

export function measure(run: RunStream): Measurements {
  const samples: Record<MetricId, number[]> = {
    commandToIngested: [],
    commandToObservable: [],
    agentUploadDelay: [],
    sessionStart: [],
    idleTimeoutAccuracy: [],
  };
  const commands: CommandTiming[] = [];
  for (const scenario of run.scenarios) {
    for (const attempt of scenario.attempts) {
      for (const e of attempt.evidence) {
        const details = e.details ?? {};
        switch (e.kind) {
          case "command-to-log": {
            const timing = commandTiming(scenario, attempt.attempt, e);
            if (!timing) break;
            commands.push(timing);
            const { t0, t1, t2, t3 } = timing;
            if (t2 !== null) samples.commandToIngested.push(t2 - t0);
            if (t3 !== null) samples.commandToObservable.push(t3 - t0);
            if (t1 !== null) samples.agentUploadDelay.push(t1 - t0);
            break;
          }
          case "session-start":
            if (typeof e.measured === "number") samples.sessionStart.push(e.measured);
            break;
          case "idle timeout close":
            if (typeof details.driftMs === "number") samples.idleTimeoutAccuracy.push(details.driftMs);
            break;
        }
      }
    }
  }
  return {
    metrics: METRICS.map((metric) => ({ ...metric, ...percentiles(samples[metric.id]) })),
    samples,
    commands,
  };
}

/** A command-to-log evidence item's instants; undefined when it has no t0. */
function commandTiming(scenario: Scenario, attempt: number, e: RecordedEvidence): CommandTiming | undefined {
  const details = e.details ?? {};
  const instant = (key: string) => (typeof details[key] === "number" ? (details[key] as number) : null);
  const t0 = instant("t0");
  if (t0 === null) return undefined;
  return {
    scenario: scenario.key,
    requirement: scenario.tags.find((t) => t.startsWith("@req:"))?.slice("@req:".length) ?? null,
    attempt,
    sessionId: e.sessionId ?? null,
    command: instant("command") ?? 0,
    t0,
    t1: instant("t1"),
    t2: instant("t2"),
    t3: instant("t3"),
  };
}

export function latencyReport(
  conformance: ConformanceReport,
  measurements: Measurements,
  trend: TrendPoint[],
  regression: Regression | null,
): LatencyReport {
  return {
    schemaVersion: "1.0",
    generatedAt: conformance.generatedAt,
    run: conformance.run,
    unit: "ms",
    ...measurements,
    trend,
    regression,
  };
}
