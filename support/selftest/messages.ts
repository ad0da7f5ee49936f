/**
 * Reads one run's Cucumber message stream (messages.ndjson) into what the self-test needs per scenario:
 * its requirement id, outcome, and the message of the step that failed. Stdout is never scraped.
 */

export type ScenarioStatus = "passed" | "failed" | "skipped";

export interface ScenarioResult {
  /** The requirement id of its `@req:` tag (e.g. IDLE-01); the scenario's name when it has none. */
  req: string;
  name: string;
  /** The feature file. */
  uri: string;
  tags: string[];
  status: ScenarioStatus;
  /** The failing step, as written in the feature. */
  step?: string;
  /** Why it failed: the exception's message (the assertion text and its diff), without the stack. */
  message?: string;
  durationMs: number;
}

export interface RunMessages {
  scenarios: ScenarioResult[];
  /** Why the run could not start (a BeforeAll hook failed: the target did not start). */
  setupError?: string;
}

interface Pickle {
  id: string;
  uri: string;
  name: string;
  tags?: { name: string }[];
  steps?: { id: string; text: string }[];
}

interface StepResult {
  status: string;
  message?: string;
  exception?: { type?: string; message?: string };
}

interface Timestamp {
  seconds: number;
  nanos: number;
}

/** The parts of a Cucumber message envelope read here. */
interface Envelope {
  pickle?: Pickle;
  testCase?: { id: string; pickleId: string; testSteps?: { id: string; pickleStepId?: string }[] };
  hook?: { id: string; type?: string };
  testRunHookStarted?: { id: string; hookId: string };
  testRunHookFinished?: { testRunHookStartedId: string; result: StepResult };
  testCaseStarted?: { id: string; testCaseId: string; timestamp: Timestamp };
  testStepFinished?: { testCaseStartedId: string; testStepId: string; testStepResult: StepResult };
  testCaseFinished?: { testCaseStartedId: string; timestamp: Timestamp; willBeRetried?: boolean };
}

/** Parses the stream; lines that are not JSON (a truncated last line) are ignored. */
export function parseMessages(ndjson: string): RunMessages {
  const pickles = new Map<string, Pickle>();
  const pickleOfCase = new Map<string, string>();
  const stepTextOfCase = new Map<string, Map<string, string>>();
  const beforeAllHooks = new Set<string>();
  const runningBeforeAll = new Set<string>();
  const started = new Map<string, { testCaseId: string; at: Timestamp }>();
  const steps = new Map<string, { stepId: string; result: StepResult }[]>();
  const finished: ScenarioResult[] = [];
  let setupError: string | undefined;

  for (const line of ndjson.split("\n")) {
    if (line.trim() === "") continue;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(line) as Envelope;
    } catch {
      continue;
    }
    if (envelope.pickle) pickles.set(envelope.pickle.id, envelope.pickle);
    if (envelope.testCase) {
      const testCase = envelope.testCase;
      pickleOfCase.set(testCase.id, testCase.pickleId);
      const pickle = pickles.get(testCase.pickleId);
      const texts = new Map<string, string>();
      for (const step of testCase.testSteps ?? []) {
        const text = pickle?.steps?.find((s) => s.id === step.pickleStepId)?.text;
        if (text) texts.set(step.id, text);
      }
      stepTextOfCase.set(testCase.id, texts);
    }
    if (envelope.hook && String(envelope.hook.type) === "BEFORE_TEST_RUN")
      beforeAllHooks.add(envelope.hook.id);
    if (envelope.testRunHookStarted && beforeAllHooks.has(envelope.testRunHookStarted.hookId)) {
      runningBeforeAll.add(envelope.testRunHookStarted.id);
    }
    const hookFinished = envelope.testRunHookFinished;
    if (hookFinished && runningBeforeAll.has(hookFinished.testRunHookStartedId)) {
      if (hookFinished.result.status === "FAILED")
        setupError ??= firstLine(messageOf(hookFinished.result) ?? "a BeforeAll hook failed");
    }
    if (envelope.testCaseStarted) {
      const { id, testCaseId, timestamp } = envelope.testCaseStarted;
      started.set(id, { testCaseId, at: timestamp });
      steps.set(id, []);
    }
    if (envelope.testStepFinished) {
      const { testCaseStartedId, testStepId, testStepResult } = envelope.testStepFinished;
      steps.get(testCaseStartedId)?.push({ stepId: testStepId, result: testStepResult });
    }
    if (envelope.testCaseFinished && !envelope.testCaseFinished.willBeRetried) {
      const { testCaseStartedId, timestamp } = envelope.testCaseFinished;
      const start = started.get(testCaseStartedId);
      const pickle = start && pickles.get(pickleOfCase.get(start.testCaseId) ?? "");
      if (!start || !pickle) continue;
      const results = steps.get(testCaseStartedId) ?? [];
      const bad = results.find((s) => s.result.status !== "PASSED" && s.result.status !== "SKIPPED");
      const tags = (pickle.tags ?? []).map((t) => t.name);
      finished.push({
        req: requirementOf(tags) ?? pickle.name,
        name: pickle.name,
        uri: pickle.uri,
        tags,
        status: bad ? "failed" : results.some((s) => s.result.status === "SKIPPED") ? "skipped" : "passed",
        ...(bad && {
          step: stepTextOfCase.get(start.testCaseId)?.get(bad.stepId) ?? "a hook",
          message: messageOf(bad.result) ?? bad.result.status.toLowerCase(),
        }),
        durationMs: millis(timestamp) - millis(start.at),
      });
    }
  }
  return { scenarios: finished, ...(setupError !== undefined && { setupError }) };
}

/** `@req:IDLE-01` -> `IDLE-01`. */
export function requirementOf(tags: readonly string[]): string | undefined {
  return tags.find((t) => t.startsWith("@req:"))?.slice("@req:".length);
}

/** The exception's message when the stream has it (newer protocol), else the formatted message up to the stack. */
function messageOf(result: StepResult): string | undefined {
  const text = result.exception?.message ?? result.message;
  if (text === undefined) return undefined;
  const stack = text.search(/\n\s+at /);
  return (stack === -1 ? text : text.slice(0, stack)).trim();
}

export function firstLine(text: string): string {
  return text.split("\n")[0]!.replace(/^AssertionError \[ERR_ASSERTION\]: /, "");
}

function millis(t: Timestamp | undefined): number {
  return t ? t.seconds * 1000 + Math.round(t.nanos / 1e6) : 0;
}
