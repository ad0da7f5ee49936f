/**
 * How long an aws run will take, printed before it starts: on AWS the idle-timeout and maximum-duration
 * scenarios wait real minutes (the policy's probes; AWS's minimum idle timeout is one minute), and the log
 * checks wait for CloudWatch. A rough sum per scenario from its steps: "expected" with typical service
 * latencies, "at most" with every wait running to its bound.
 */
import type { Policy } from "../config/policy";

export interface EstimatedScenario {
  name: string;
  steps: readonly string[];
}

export interface ScenarioEstimate {
  name: string;
  expectedMs: number;
  atMostMs: number;
}

export interface RunEstimate {
  scenarios: ScenarioEstimate[];
  /** Runs, one after another (node x region). */
  cells: number;
  parallel: number;
  expectedMs: number;
  atMostMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Per run: credentials, node discovery, the preflight. */
const START_UP = { expected: 5 * SECOND, atMost: 30 * SECOND };
/** Per scenario that starts a session: terminate, delete its document. */
const TEARDOWN = { expected: 2 * SECOND, atMost: 12 * SECOND };

interface Context {
  idleMs: number;
  maxMs: number;
  toleranceMs: number;
  latencyMs: number;
}

type Cost = (ctx: Context, match: RegExpExecArray) => { expected: number; atMost: number };

/** Step text patterns and what they cost on AWS; the first match wins. */
const STEP_COSTS: Array<[RegExp, Cost]> = [
  [/a shell session|I start a shell session/, () => ({ expected: 5 * SECOND, atMost: 25 * SECOND })],
  [
    /closed after the idle timeout/,
    (c) => ({ expected: c.idleMs + c.toleranceMs / 2, atMost: c.idleMs + c.toleranceMs + 5 * SECOND }),
  ],
  [/for twice the idle timeout/, (c) => ({ expected: 2 * c.idleMs, atMost: 2 * c.idleMs + 5 * SECOND })],
  [
    /closed after the maximum session duration/,
    (c) => ({ expected: c.maxMs + c.toleranceMs / 2, atMost: c.maxMs + c.toleranceMs + 5 * SECOND }),
  ],
  [
    /not in the log stream while the session is open/,
    (c) => ({ expected: c.latencyMs, atMost: c.latencyMs }),
  ],
  [/log stream(?!ing)|without escape codes/, (c) => ({ expected: 5 * SECOND, atMost: 3 * c.latencyMs })],
  [
    /^I run (\d+) marker commands?$/,
    (_c, m) => ({ expected: Number(m[1]) * SECOND, atMost: Number(m[1]) * 30 * SECOND }),
  ],
  [/I run a command/, () => ({ expected: SECOND, atMost: 30 * SECOND })],
  [/listed as|the session's owner/, () => ({ expected: SECOND, atMost: 10 * SECOND })],
  [
    /the client is told|channel is closed|end the session with exit/,
    () => ({ expected: SECOND, atMost: 15 * SECOND }),
  ],
  [/.*/, () => ({ expected: 200, atMost: 2 * SECOND })],
];

export function estimateRun(
  scenarios: readonly EstimatedScenario[],
  policy: Policy,
  options: { cells?: number; parallel?: number; timeScale?: number } = {},
): RunEstimate {
  const scale = options.timeScale ?? 1;
  const ctx: Context = {
    idleMs: (policy.probes.idleTimeoutMinutes * MINUTE) / scale,
    maxMs: (policy.probes.maxSessionDurationMinutes * MINUTE) / scale,
    toleranceMs: (policy.probes.closeToleranceSeconds * SECOND) / scale,
    latencyMs: policy.commandToLog.maxSeconds.aws * SECOND,
  };
  const estimates = scenarios.map((scenario): ScenarioEstimate => {
    let expected = 0;
    let atMost = 0;
    const startsSession = scenario.steps.some((step) => /shell session/.test(step));
    if (startsSession) {
      expected += TEARDOWN.expected;
      atMost += TEARDOWN.atMost;
    }
    for (const step of scenario.steps) {
      for (const [pattern, cost] of STEP_COSTS) {
        const match = pattern.exec(step);
        if (!match) continue;
        const c = cost(ctx, match);
        expected += c.expected;
        atMost += c.atMost;
        break;
      }
    }
    return { name: scenario.name, expectedMs: expected, atMostMs: atMost };
  });
  const cells = Math.max(1, options.cells ?? 1);
  const parallel = Math.max(1, Math.min(options.parallel ?? 1, estimates.length || 1));
  const sum = (pick: (e: ScenarioEstimate) => number) => estimates.reduce((total, e) => total + pick(e), 0);
  return {
    scenarios: estimates,
    cells,
    parallel,
    expectedMs: cells * (START_UP.expected + sum((e) => e.expectedMs) / parallel),
    atMostMs: cells * (START_UP.atMost + sum((e) => e.atMostMs) / parallel),
  };
}

export function formatEstimate(estimate: RunEstimate, policy: Policy): string {
  const runs =
    estimate.cells > 1 ? ` x ${estimate.cells} runs (node x region, one after another)` : " on one node";
  const concurrency =
    estimate.parallel > 1 ? `${estimate.parallel} scenarios at a time` : "one scenario at a time";
  return (
    `Expected duration: about ${roughDuration(estimate.expectedMs)} (at most ${roughDuration(estimate.atMostMs)}) ` +
    `for ${estimate.scenarios.length} scenario${estimate.scenarios.length === 1 ? "" : "s"}${runs}, ${concurrency}; the idle timeout ` +
    `(${policy.probes.idleTimeoutMinutes} min) and maximum duration (${policy.probes.maxSessionDurationMinutes} min) ` +
    `probes are real minutes on AWS`
  );
}

/** 40s, 3m, 1h05m: minutes rounded up, as a user reads a wait. */
export function roughDuration(ms: number): string {
  if (ms < MINUTE) return `${Math.max(1, Math.ceil(ms / SECOND))}s`;
  const minutes = Math.ceil(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
