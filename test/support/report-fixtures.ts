/**
 * Synthetic Cucumber message streams for the report tests: the envelopes cucumber 12 writes, for scenarios
 * that pass, fail, error, skip, retry, are undefined or are left out by a filter, with evidence attached.
 */
import type { Evidence } from "../../support/evidence/evidence";
import { EVIDENCE_MEDIA_TYPE, SESSIONS_MEDIA_TYPE } from "../../support/evidence/evidence";
import { RUN_METADATA_MEDIA_TYPE, type RunMetadata } from "../../support/evidence/runMetadata";

export type StepStatus = "PASSED" | "FAILED" | "SKIPPED" | "UNDEFINED" | "PENDING" | "AMBIGUOUS";

export interface FixtureAttempt {
  /** One status per step (the Before hook is added, passed, unless `skipReason` is set). */
  steps: StepStatus[];
  error?: { type: string; message: string };
  evidence?: Evidence[];
  skipReason?: string;
  sessionIds?: string[];
  durationMs?: number;
}

export interface FixtureScenario {
  name: string;
  tags: string[];
  /** None: the run's filter left the scenario out. */
  attempts: FixtureAttempt[];
}

export interface FixtureRun {
  runId: string;
  startMs: number;
  uri?: string;
  metadata?: RunMetadata;
  scenarios: FixtureScenario[];
}

export function metadata(overrides: Partial<RunMetadata> = {}): RunMetadata {
  return {
    harnessVersion: "0.1.0",
    target: {
      kind: "embedded",
      region: "us-east-1",
      endpoint: "http://127.0.0.1:4566",
      logsBackend: "ssm-conformance emulator (in-process)",
      nodeIds: ["i-0e5c1a2b3c4d5e6f7"],
      agentVersion: "3.3.0.0",
      timeScale: 60,
      accountId: "000000000000",
      callerArn: "arn:aws:iam::000000000000:user/tester",
      runId: "20260101-000000-abc123",
    },
    caller: { accountId: "000000000000", arn: "arn:aws:iam::000000000000:user/tester" },
    policy: { name: "pci-dss", path: "/policies/pci-dss.yaml", sha256: "a".repeat(64) },
    ...overrides,
  };
}

/** command-to-log evidence for commands sent at `t0` with the given (t1, t2, t3) offsets in ms. */
export function commandEvidence(
  t0: number,
  offsets: Array<[number, number, number]>,
  limitMs = 5000,
): Evidence[] {
  return offsets.map(([d1, d2, d3], i) => ({
    kind: "command-to-log",
    measured: d3,
    required: limitMs,
    unit: "ms",
    ok: d3 <= limitMs,
    sessionId: "tester-0123456789abcdef0",
    logGroupName: "/ssm-conformance/sessions/plain",
    logStreamName: "tester-0123456789abcdef0",
    details: {
      command: i + 1,
      marker: `ssmc-x-${i + 1}`,
      t0: t0 + i,
      t1: t0 + i + d1,
      t2: t0 + i + d2,
      t3: t0 + i + d3,
    },
  }));
}

export function messageStream(run: FixtureRun): string {
  const uri = run.uri ?? "features/fixture.feature";
  let clock = run.startMs;
  let ids = 0;
  const id = (prefix: string) => `${prefix}-${run.runId}-${++ids}`;
  const ts = (ms = clock) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  const out: object[] = [
    {
      meta: {
        protocolVersion: "32.2.0",
        implementation: { name: "cucumber-js", version: "12.9.0" },
        runtime: { name: "node.js", version: "20.20.2" },
        os: { name: "linux" },
        cpu: { name: "x64" },
      },
    },
    { gherkinDocument: { uri, feature: { name: "Fixture feature", children: [] }, comments: [] } },
  ];
  const pickles = run.scenarios.map((scenario, i) => {
    const pickle = {
      id: id("pickle"),
      uri,
      location: { line: 10 + i * 10, column: 3 },
      name: scenario.name,
      language: "en",
      steps: [1, 2, 3].map((n) => ({
        id: id("pstep"),
        text: `step ${n} of ${scenario.name}`,
        type: "Action",
        astNodeIds: [],
      })),
      tags: scenario.tags.map((name) => ({ name, astNodeId: "t" })),
      astNodeIds: [],
    };
    out.push({ pickle });
    return pickle;
  });
  const testRunStartedId = run.runId;
  out.push({ testRunStarted: { id: testRunStartedId, timestamp: ts() } });
  let first = true;
  run.scenarios.forEach((scenario, i) => {
    if (scenario.attempts.length === 0) return;
    const pickle = pickles[i]!;
    const hookStep = { id: id("step"), hookId: "hook-before" };
    const steps = pickle.steps.map((s) => ({ id: id("step"), pickleStepId: s.id, stepDefinitionIds: [] }));
    const testCase = {
      id: id("case"),
      pickleId: pickle.id,
      testSteps: [hookStep, ...steps],
      testRunStartedId,
    };
    out.push({ testCase });
    scenario.attempts.forEach((attempt, n) => {
      const started = id("started");
      out.push({ testCaseStarted: { id: started, testCaseId: testCase.id, attempt: n, timestamp: ts() } });
      const attach = (body: string, mediaType: string, testStepId: string) =>
        out.push({
          attachment: {
            body,
            contentEncoding: "IDENTITY",
            mediaType,
            testCaseStartedId: started,
            testStepId,
            timestamp: ts(),
          },
        });
      const finish = (testStepId: string, status: StepStatus, error?: FixtureAttempt["error"]) =>
        out.push({
          testStepFinished: {
            testCaseStartedId: started,
            testStepId,
            testStepResult: {
              duration: { seconds: 0, nanos: 1e6 },
              status,
              ...(error && { message: `${error.type}: ${error.message}`, exception: error }),
            },
            timestamp: ts(),
          },
        });
      if (first && run.metadata) attach(JSON.stringify(run.metadata), RUN_METADATA_MEDIA_TYPE, hookStep.id);
      first = false;
      if (attempt.skipReason) attach(attempt.skipReason, "text/x.cucumber.log+plain", hookStep.id);
      finish(hookStep.id, attempt.skipReason ? "SKIPPED" : "PASSED");
      attempt.steps.forEach((status, k) => {
        const step = steps[k]!;
        if (k === attempt.steps.length - 1) {
          for (const e of attempt.evidence ?? []) attach(JSON.stringify(e), EVIDENCE_MEDIA_TYPE, step.id);
          if (attempt.sessionIds)
            attach(JSON.stringify({ sessionIds: attempt.sessionIds }), SESSIONS_MEDIA_TYPE, step.id);
        }
        finish(step.id, status, status === "FAILED" ? attempt.error : undefined);
      });
      clock += attempt.durationMs ?? 1000;
      out.push({
        testCaseFinished: {
          testCaseStartedId: started,
          timestamp: ts(),
          willBeRetried: n < scenario.attempts.length - 1,
        },
      });
    });
  });
  out.push({ testRunFinished: { testRunStartedId, timestamp: ts(), success: true } });
  return `${out.map((e) => JSON.stringify(e)).join("\n")}\n`;
}

/** A run with every outcome the reports distinguish. */
export function mixedRun(runId: string, startMs: number, meta: RunMetadata = metadata()): FixtureRun {
  return {
    runId,
    startMs,
    metadata: meta,
    scenarios: [
      {
        name: "Each command reaches the log group",
        tags: ["@req:LOG-01", "@pci:10.2.1", "@pci:10.3.3", "@nist:AU-12"],
        attempts: [
          {
            steps: ["PASSED", "PASSED", "PASSED"],
            evidence: [
              { kind: "session-start", measured: 180, unit: "ms", sessionId: "tester-0123456789abcdef0" },
              ...commandEvidence(startMs, [
                [400, 900, 1200],
                [350, 800, 1100],
                [-20, 700, 1300],
              ]),
            ],
            sessionIds: ["tester-0123456789abcdef0"],
          },
        ],
      },
      {
        name: "An idle shell is closed after the idle timeout",
        tags: ["@req:IDLE-01", "@pci:8.2.8", "@nist:AC-11", "@nist:AC-12"],
        attempts: [
          {
            steps: ["PASSED", "PASSED", "FAILED"],
            error: {
              type: "AssertionError",
              message: "idle timeout: the session closed after 3.10 s, later than 1.00 s + 1.00 s tolerance",
            },
            evidence: [
              {
                kind: "idle timeout close",
                measured: 3100,
                required: "1000 (+1000)",
                unit: "ms",
                ok: false,
                sessionId: "tester-1",
                details: { driftMs: 2100 },
              },
            ],
          },
        ],
      },
      {
        name: "Typing keeps a session alive",
        tags: ["@req:IDLE-02", "@pci:8.2.8", "@nist:AC-11"],
        attempts: [
          {
            steps: ["PASSED", "PASSED", "PASSED"],
            evidence: [
              {
                kind: "idle timeout close",
                measured: 995,
                required: "1000 (+1000)",
                unit: "ms",
                ok: true,
                details: { driftMs: -5 },
              },
            ],
          },
        ],
      },
      {
        name: "A KMS-encrypted session works",
        tags: ["@req:ENC-03", "@nist:SC-8", "@needs:kms"],
        attempts: [
          {
            steps: ["SKIPPED", "SKIPPED", "SKIPPED"],
            skipReason: "skipped on the aws target: no KMS key the caller may use",
          },
        ],
      },
      {
        name: "A session is listed as connected",
        tags: ["@req:LIFE-01", "@nist:AC-12"],
        attempts: [
          { steps: ["PASSED", "FAILED", "SKIPPED"], error: { type: "Error", message: "flaky network" } },
          {
            steps: ["PASSED", "PASSED", "PASSED"],
            evidence: [{ kind: "session-status", measured: "Connected", required: "Connected", ok: true }],
          },
        ],
      },
      {
        name: "Log events say who did what",
        tags: ["@req:LOG-02", "@pci:10.2.2", "@nist:AU-3"],
        attempts: [
          {
            steps: ["PASSED", "FAILED", "SKIPPED"],
            error: { type: "TypeError", message: "cannot read properties of undefined (reading 'arn')" },
          },
        ],
      },
      {
        name: "Session logs are kept long enough",
        tags: ["@req:PREF-06", "@pci:10.5.1", "@nist:AU-11"],
        attempts: [{ steps: ["PASSED", "UNDEFINED", "SKIPPED"] }],
      },
      {
        name: "A session to a node that is not connected is refused",
        tags: ["@req:LIFE-03", "@local-only"],
        attempts: [],
      },
    ],
  };
}
