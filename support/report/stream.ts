/**
 * Reads a Cucumber message stream (messages.ndjson) into what the reports need: every scenario of the
 * spec (run or not) with each attempt's status, duration, failure, skip reason and evidence, plus the run's
 * metadata. Every string is redacted as it is read, so no report can leak a secret the stream holds.
 */
import type * as messages from "@cucumber/messages";
import { AttachmentContentEncoding, TestStepResultStatus } from "@cucumber/messages";
import { EVIDENCE_MEDIA_TYPE, type Evidence, SESSIONS_MEDIA_TYPE } from "../evidence/evidence";
import { RUN_METADATA_MEDIA_TYPE, type RunMetadata } from "../evidence/runMetadata";
import { redact, redactDeep } from "./redact";

export type ScenarioStatus = "passed" | "failed" | "skipped" | "undefined" | "pending" | "ambiguous";

/** Evidence as attached, with the instant it was attached. */
export interface RecordedEvidence extends Evidence {
  at: string;
}

export interface Attempt {
  /** 0 for the first attempt, 1 for the first retry, ... */
  attempt: number;
  status: ScenarioStatus;
  startedAt: string;
  /** Null when the attempt never finished (the run was cut short). */
  durationMs: number | null;
  /** Why it did not pass: its most severe failed, ambiguous, undefined or pending step (the first of them). */
  failure?: { message: string; assertion: boolean };
  /** The hooks' `skipped ...` log line, when the attempt was skipped. */
  skipReason?: string;
  evidence: RecordedEvidence[];
  /** Every session the attempt started, refused or failed ones included. */
  sessionIds: string[];
}

export interface Scenario {
  /** `uri:line`: the same in every run and shard. */
  key: string;
  name: string;
  feature: string;
  uri: string;
  line: number;
  tags: string[];
  /** Every attempt in order; the last decides. Empty when the run's filters left the scenario out. */
  attempts: Attempt[];
}

export interface RunStream {
  /** Cucumber's testRunStarted ids: one per stream, several once shards are merged. */
  runIds: string[];
  startedAt?: string;
  finishedAt?: string;
  /** One per worker that ran a scenario (identical but for a parallel or sharded run's node ids). */
  metadata: RunMetadata[];
  cucumberVersion?: string;
  scenarios: Scenario[];
}

const LOG_MEDIA_TYPE = "text/x.cucumber.log+plain";

/** Cucumber's order of severity: the most severe step status is the scenario's. */
const SEVERITY: readonly TestStepResultStatus[] = [
  TestStepResultStatus.UNKNOWN,
  TestStepResultStatus.PASSED,
  TestStepResultStatus.SKIPPED,
  TestStepResultStatus.PENDING,
  TestStepResultStatus.UNDEFINED,
  TestStepResultStatus.AMBIGUOUS,
  TestStepResultStatus.FAILED,
];

interface OpenAttempt {
  attempt: Attempt;
  startedMs: number;
  testCase: messages.TestCase;
  pickle: messages.Pickle;
  worst: TestStepResultStatus;
  /** The most severe step problem so far (the first of equal severity). */
  problem?: NonNullable<Attempt["failure"]>;
  finished: boolean;
}

export function readStream(ndjson: string): RunStream {
  const features = new Map<string, string>();
  const pickles = new Map<string, { pickle: messages.Pickle; scenario: Scenario }>();
  const testCases = new Map<string, messages.TestCase>();
  const attempts = new Map<string, OpenAttempt>();
  const run: RunStream = { runIds: [], metadata: [], scenarios: [] };

  for (const line of ndjson.split("\n")) {
    if (line.trim() === "") continue;
    const envelope = JSON.parse(line) as messages.Envelope;
    const { gherkinDocument, pickle, testCase, testCaseStarted, testStepFinished, attachment } = envelope;
    const { testCaseFinished, testRunStarted, testRunFinished, meta } = envelope;
    if (meta) run.cucumberVersion = meta.implementation.version;
    if (gherkinDocument?.uri && gherkinDocument.feature) {
      features.set(gherkinDocument.uri, gherkinDocument.feature.name);
    }
    if (testRunStarted) {
      run.startedAt = iso(toMs(testRunStarted.timestamp));
      if (testRunStarted.id) run.runIds.push(testRunStarted.id);
    }
    if (testRunFinished) run.finishedAt = iso(toMs(testRunFinished.timestamp));
    if (pickle) {
      const scenario = scenarioOf(pickle, features);
      pickles.set(pickle.id, { pickle, scenario });
      run.scenarios.push(scenario);
    }
    if (testCase) testCases.set(testCase.id, testCase);
    if (testCaseStarted) {
      const tc = testCases.get(testCaseStarted.testCaseId);
      const owner = tc && pickles.get(tc.pickleId);
      if (!tc || !owner) continue;
      const startedMs = toMs(testCaseStarted.timestamp);
      const attempt: Attempt = {
        attempt: testCaseStarted.attempt,
        status: "passed",
        startedAt: iso(startedMs),
        durationMs: null,
        evidence: [],
        sessionIds: [],
      };
      owner.scenario.attempts.push(attempt);
      attempts.set(testCaseStarted.id, {
        attempt,
        startedMs,
        testCase: tc,
        pickle: owner.pickle,
        worst: TestStepResultStatus.UNKNOWN,
        finished: false,
      });
    }
    if (testStepFinished) {
      const current = attempts.get(testStepFinished.testCaseStartedId);
      if (current) recordStep(current, testStepFinished);
    }
    if (attachment?.testCaseStartedId) {
      const current = attempts.get(attachment.testCaseStartedId);
      if (current) recordAttachment(current, attachment, run);
    }
    if (testCaseFinished) {
      const current = attempts.get(testCaseFinished.testCaseStartedId);
      if (!current) continue;
      current.finished = true;
      current.attempt.durationMs = toMs(testCaseFinished.timestamp) - current.startedMs;
    }
  }
  for (const current of attempts.values()) settle(current);
  return run;
}

function scenarioOf(pickle: messages.Pickle, features: Map<string, string>): Scenario {
  const line = pickle.location?.line ?? 0;
  return {
    key: `${pickle.uri}:${line}`,
    name: redact(pickle.name),
    feature: redact(features.get(pickle.uri) ?? pickle.uri),
    uri: pickle.uri,
    line,
    tags: pickle.tags.map((t) => t.name),
    attempts: [],
  };
}

function recordStep(current: OpenAttempt, finished: messages.TestStepFinished): void {
  const { status, exception, message } = finished.testStepResult;
  const severity = SEVERITY.indexOf(status);
  if (severity <= SEVERITY.indexOf(current.worst)) return;
  current.worst = status;
  if (status === TestStepResultStatus.FAILED) {
    current.problem = {
      message: redact(exception?.message ?? message ?? "the step failed"),
      assertion: exception?.type === "AssertionError",
    };
  } else if (severity > SEVERITY.indexOf(TestStepResultStatus.SKIPPED)) {
    const step = current.testCase.testSteps.find((s) => s.id === finished.testStepId);
    const text = current.pickle.steps.find((s) => s.id === step?.pickleStepId)?.text ?? "a hook";
    current.problem = { message: redact(`${status.toLowerCase()} step: ${text}`), assertion: false };
  }
}

/** Fixes an attempt's outcome once the stream has been read. */
function settle({ attempt, worst, problem, finished }: OpenAttempt): void {
  if (!finished) {
    attempt.status = "failed";
    attempt.failure = { message: "the scenario did not finish (the run was cut short)", assertion: false };
    return;
  }
  attempt.status =
    worst === TestStepResultStatus.UNKNOWN ? "passed" : (worst.toLowerCase() as ScenarioStatus);
  if (problem && attempt.status !== "passed" && attempt.status !== "skipped") attempt.failure = problem;
  if (attempt.status === "skipped") attempt.skipReason ??= "skipped";
  else delete attempt.skipReason;
}

function recordAttachment(current: OpenAttempt, attachment: messages.Attachment, run: RunStream): void {
  const body =
    attachment.contentEncoding === AttachmentContentEncoding.BASE64
      ? Buffer.from(attachment.body, "base64").toString("utf8")
      : attachment.body;
  const at = iso(attachment.timestamp ? toMs(attachment.timestamp) : current.startedMs);
  switch (attachment.mediaType) {
    case EVIDENCE_MEDIA_TYPE:
      current.attempt.evidence.push({ ...redactDeep(JSON.parse(body) as Evidence), at });
      break;
    case SESSIONS_MEDIA_TYPE:
      current.attempt.sessionIds.push(
        ...redactDeep((JSON.parse(body) as { sessionIds: string[] }).sessionIds),
      );
      break;
    case RUN_METADATA_MEDIA_TYPE:
      run.metadata.push(redactDeep(JSON.parse(body) as RunMetadata));
      break;
    case LOG_MEDIA_TYPE:
      if (body.startsWith("skipped")) current.attempt.skipReason ??= redact(body);
      break;
  }
}

function toMs(timestamp: messages.Timestamp): number {
  return timestamp.seconds * 1000 + Math.round(timestamp.nanos / 1e6);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * One run from several streams (the shards of a run, or the workers' streams): scenarios are matched by
 * `uri:line`, a scenario's attempts from every stream are kept in time order, and the run spans them all.
 */
export function mergeStreams(streams: readonly RunStream[]): RunStream {
  const scenarios = new Map<string, Scenario>();
  for (const stream of streams) {
    for (const scenario of stream.scenarios) {
      const known = scenarios.get(scenario.key);
      if (known) known.attempts.push(...scenario.attempts);
      else scenarios.set(scenario.key, { ...scenario, attempts: [...scenario.attempts] });
    }
  }
  for (const scenario of scenarios.values()) {
    scenario.attempts.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
  const starts = streams.flatMap((s) => (s.startedAt ? [s.startedAt] : [])).sort();
  const ends = streams.flatMap((s) => (s.finishedAt ? [s.finishedAt] : [])).sort();
  return {
    runIds: streams.flatMap((s) => s.runIds),
    startedAt: starts[0],
    finishedAt: ends.at(-1),
    metadata: streams.flatMap((s) => s.metadata),
    cucumberVersion: streams.find((s) => s.cucumberVersion)?.cucumberVersion,
    scenarios: [...scenarios.values()],
  };
}
