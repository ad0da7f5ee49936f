/** Follows cucumber's message stream: scenario outcomes, the scenarios planned, and a failed BeforeAll. */
import type { runCucumber } from "@cucumber/cucumber/api";

export type Envelope = Parameters<NonNullable<Parameters<typeof runCucumber>[2]>>[0];

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface PlannedScenario {
  /** uri:line */
  location: string;
  name: string;
}

export class Tally {
  readonly counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  /** Each scenario, in the order they started. */
  readonly scenarios: PlannedScenario[] = [];
  /** Why a BeforeAll hook failed (the target could not start), when one did. */
  setupFailure?: string;

  private readonly pickles = new Map<string, PlannedScenario>();
  private readonly pickleOfTestCase = new Map<string, string>();
  private readonly beforeAllHooks = new Set<string>();
  private readonly runningBeforeAll = new Set<string>();
  private readonly stepStatuses = new Map<string, string[]>();

  readonly onMessage = (envelope: Envelope): void => {
    const { pickle, testCase, hook, testRunHookStarted, testRunHookFinished } = envelope;
    const { testCaseStarted, testStepFinished, testCaseFinished } = envelope;
    if (pickle)
      this.pickles.set(pickle.id, { location: `${pickle.uri}:${pickle.location?.line}`, name: pickle.name });
    if (testCase) this.pickleOfTestCase.set(testCase.id, testCase.pickleId);
    if (hook && String(hook.type) === "BEFORE_TEST_RUN") this.beforeAllHooks.add(hook.id);
    if (testRunHookStarted && this.beforeAllHooks.has(testRunHookStarted.hookId)) {
      this.runningBeforeAll.add(testRunHookStarted.id);
    }
    if (testRunHookFinished && this.runningBeforeAll.has(testRunHookFinished.testRunHookStartedId)) {
      const { status, exception, message } = testRunHookFinished.result;
      if (String(status) === "FAILED") {
        this.setupFailure ??= (exception?.message ?? message ?? "a BeforeAll hook failed").split("\n")[0];
      }
    }
    if (testCaseStarted) {
      this.stepStatuses.set(testCaseStarted.id, []);
      const pickleId = this.pickleOfTestCase.get(testCaseStarted.testCaseId);
      const scenario = pickleId === undefined ? undefined : this.pickles.get(pickleId);
      if (testCaseStarted.attempt === 0 && scenario) this.scenarios.push(scenario);
    }
    if (testStepFinished) {
      this.stepStatuses
        .get(testStepFinished.testCaseStartedId)
        ?.push(String(testStepFinished.testStepResult.status));
    }
    if (testCaseFinished && !testCaseFinished.willBeRetried) {
      this.counts[outcome(this.stepStatuses.get(testCaseFinished.testCaseStartedId) ?? [])]++;
    }
  };
}

/** Any step neither passed nor skipped (failed, undefined, pending, ambiguous) fails the scenario. */
function outcome(statuses: string[]): keyof Counts {
  if (statuses.some((status) => status !== "PASSED" && status !== "SKIPPED")) return "failed";
  return statuses.includes("SKIPPED") ? "skipped" : "passed";
}
