/**
 * conformance.json: the run's scenarios folded into requirements (by `@req:` tag), each with its verdict,
 * measured against required, the scenarios that decided it, its evidence and its compliance mapping.
 */
import { complianceOf, complianceView } from "./compliance";
import {
  type CheckSummary,
  type ConformanceReport,
  type EvidenceEntry,
  type RequirementResult,
  type RequirementVerdict,
  SCHEMA_VERSION,
  type ScenarioSummary,
} from "./schema";
import type { Attempt, RecordedEvidence, RunStream, Scenario } from "./stream";

const REQ_TAG = "@req:";
const NOT_SELECTED = "not selected: the run's tag or name filter left it out";

export function buildConformance(
  run: RunStream,
  generatedAt: Date,
  generatorVersion: string,
): ConformanceReport {
  const requirements = groupByRequirement(run.scenarios).map(([id, scenarios]) => requirement(id, scenarios));
  const count = (verdict: RequirementVerdict) => requirements.filter((r) => r.verdict === verdict).length;
  const counts = {
    pass: count("pass"),
    fail: count("fail"),
    error: count("error"),
    skipped: count("skipped"),
  };
  const scenarioCounts: Record<string, number> = {};
  for (const scenario of run.scenarios) {
    const status = scenario.attempts.at(-1)?.status ?? "not run";
    scenarioCounts[status] = (scenarioCounts[status] ?? 0) + 1;
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: generatedAt.toISOString(),
    generator: { name: "ssm-conformance", version: generatorVersion },
    verdict: counts.fail > 0 ? "fail" : counts.error > 0 ? "error" : counts.pass > 0 ? "pass" : "not tested",
    run: runSection(run),
    counts: { requirements: counts, scenarios: scenarioCounts },
    requirements,
    compliance: complianceView(requirements),
  };
}

function runSection(run: RunStream): ConformanceReport["run"] {
  const [first] = run.metadata;
  const nodeIds = [...new Set(run.metadata.flatMap((m) => m.target.nodeIds))];
  return {
    ids: run.runIds,
    startedAt: run.startedAt ?? null,
    finishedAt: run.finishedAt ?? null,
    harnessVersion: first?.harnessVersion ?? null,
    cucumberVersion: run.cucumberVersion ?? null,
    target: first
      ? {
          kind: first.target.kind,
          region: first.target.region,
          endpoint: first.target.endpoint ?? null,
          logsBackend: first.target.logsBackend,
          nodeIds,
          agentVersion: first.target.agentVersion ?? null,
          timeScale: first.target.timeScale,
        }
      : null,
    caller: first?.caller ?? null,
    policy: first?.policy ?? null,
  };
}

/** Requirement ids in the order the spec first names them; a scenario without one stands for itself. */
function groupByRequirement(scenarios: readonly Scenario[]): Array<[string, Scenario[]]> {
  const groups = new Map<string, Scenario[]>();
  for (const scenario of scenarios) {
    const ids = scenario.tags.filter((t) => t.startsWith(REQ_TAG)).map((t) => t.slice(REQ_TAG.length));
    for (const id of ids.length > 0 ? ids : [scenario.key]) {
      groups.set(id, [...(groups.get(id) ?? []), scenario]);
    }
  }
  return [...groups];
}

function requirement(id: string, scenarios: Scenario[]): RequirementResult {
  const judged = scenarios.map((scenario) => ({ scenario, ...judge(scenario.attempts.at(-1)) }));
  const verdict = (["fail", "error", "pass"] as const).find((v) => judged.some((j) => j.verdict === v));
  const deciding = judged.filter((j) => j.verdict === (verdict ?? "skipped"));
  const reasons = [...new Set(deciding.flatMap((j) => (j.reason ? [j.reason] : [])))];
  const last = scenarios.flatMap((s) => s.attempts.slice(-1));
  return {
    id,
    title: scenarios[0]!.name,
    feature: scenarios[0]!.feature,
    verdict: verdict ?? "skipped",
    reason: reasons.length > 0 ? reasons.join("; ") : null,
    checks: checks(last.flatMap((a) => a.evidence)),
    scenarios: scenarios.map(summary),
    evidence: scenarios.flatMap((s) => s.attempts.flatMap((a) => a.evidence.map((e) => entry(s, a, e)))),
    compliance: complianceOf(scenarios.flatMap((s) => s.tags)),
  };
}

/** A scenario's verdict from its last attempt: a check that did not hold fails, anything else errors. */
function judge(attempt: Attempt | undefined): { verdict: RequirementVerdict; reason?: string } {
  if (!attempt) return { verdict: "skipped", reason: NOT_SELECTED };
  switch (attempt.status) {
    case "passed":
      return { verdict: "pass" };
    case "skipped":
      return { verdict: "skipped", reason: attempt.skipReason };
    default: {
      const failedCheck = attempt.failure?.assertion || attempt.evidence.some((e) => e.ok === false);
      return { verdict: failedCheck ? "fail" : "error", reason: attempt.failure?.message };
    }
  }
}

function summary(scenario: Scenario): ScenarioSummary {
  const last = scenario.attempts.at(-1);
  return {
    key: scenario.key,
    name: scenario.name,
    feature: scenario.feature,
    tags: scenario.tags,
    status: last?.status ?? "not run",
    attempts: scenario.attempts.length,
    durationMs: last?.durationMs ?? null,
    failure: last?.failure?.message ?? null,
    skipReason: last?.skipReason ?? null,
    sessionIds: last?.sessionIds ?? [],
  };
}

/** One line per evidence kind that was judged (has `ok`): its worst sample against what was required. */
function checks(evidence: readonly RecordedEvidence[]): CheckSummary[] {
  const byKind = new Map<string, RecordedEvidence[]>();
  for (const e of evidence.filter((e) => e.ok !== undefined)) {
    byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e]);
  }
  return [...byKind].map(([kind, samples]) => {
    const worst = samples.find((s) => s.ok === false) ?? largest(samples) ?? samples[0]!;
    return {
      kind,
      measured: worst.measured,
      required: worst.required ?? null,
      unit: worst.unit ?? null,
      ok: samples.every((s) => s.ok),
      samples: samples.length,
    };
  });
}

function largest(samples: readonly RecordedEvidence[]): RecordedEvidence | undefined {
  if (!samples.every((s) => typeof s.measured === "number")) return undefined;
  return samples.reduce((a, b) => ((b.measured as number) > (a.measured as number) ? b : a));
}

function entry(scenario: Scenario, attempt: Attempt, e: RecordedEvidence): EvidenceEntry {
  const { kind, measured, required, unit, ok, sessionId, logGroupName, logStreamName, at, details } = e;
  return {
    scenario: scenario.key,
    attempt: attempt.attempt,
    ...{ kind, measured, required, unit, ok, sessionId, logGroupName, logStreamName, at, details },
  };
}
