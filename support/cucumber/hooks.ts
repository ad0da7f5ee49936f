/**
 * Run and scenario hooks: the target starts once per worker and is disposed at the end; each scenario's
 * sessions are ended and its documents deleted; a scenario whose needs the target cannot meet is skipped
 * with the reason printed, never passed; so is every scenario when the target cannot be had at all.
 */
import { After, AfterAll, Before, BeforeAll, setDefaultTimeout } from "@cucumber/cucumber";
import { SESSIONS_MEDIA_TYPE } from "../evidence/evidence";
import { attachRunMetadata, describeRun, type RunMetadata } from "../evidence/runMetadata";
import type { Capability } from "../targets/target";
import { currentRun, finishRun, isInterrupted, startRun, unavailableReason } from "./runContext";
import type { ConformanceWorld } from "./world";

// Steps that wait on sessions disable cucumber's timeout and enforce their own, derived from the policy.
setDefaultTimeout(60_000);

/** This worker's run metadata, until its first scenario attaches it to the message stream. */
let runMetadata: RunMetadata | undefined;

/** Sessions the target had recorded when the current scenario began (scenarios run one at a time per worker). */
let sessionsBefore = 0;

// Starting a target may take minutes once: the container target builds its agent image on first use (its
// own waits are bounded: pulls, builds and container starts each have a limit).
BeforeAll({ timeout: 20 * 60_000 }, async function (this: { parameters: unknown }) {
  const run = await startRun(this.parameters);
  runMetadata = describeRun("target" in run ? run.target.description : run.description, run.policy);
});

AfterAll({ timeout: 120_000 }, async () => {
  await finishRun();
});

Before(async function (this: ConformanceWorld, { pickle }) {
  this.pickleName = pickle.name;
  if (runMetadata) {
    await attachRunMetadata((data, mediaType) => this.attach(data, mediaType), runMetadata);
    runMetadata = undefined;
  }
  // Said once when the target did not start; each scenario carries it in the report.
  const unavailable = unavailableReason();
  if (unavailable !== undefined) {
    this.log(`skipped: ${unavailable}`);
    return "skipped";
  }
  sessionsBefore = currentRun().target.sessionIds.length;
  if (isInterrupted()) {
    this.log("skipped: the run was interrupted");
    return "skipped";
  }
  const needs = pickle.tags.map((t) => t.name).filter((t) => t.startsWith("@needs:"));
  for (const need of needs) {
    const capability = capabilityFor(need.slice("@needs:".length));
    if (!capability.available) {
      const reason = `skipped on the ${currentRun().target.description.kind} target: ${capability.reason}`;
      process.stderr.write(`\n${pickle.name}: ${reason}\n`);
      this.log(reason);
      return "skipped";
    }
  }
  return undefined;
});

After({ timeout: 60_000 }, async function (this: ConformanceWorld) {
  if (unavailableReason() !== undefined) return;
  const problems = await this.cleanUp();
  for (const problem of problems) this.log(`cleanup: ${problem}`);
  const sessionIds = currentRun().target.sessionIds.slice(sessionsBefore);
  if (sessionIds.length > 0) await this.attach(JSON.stringify({ sessionIds }), SESSIONS_MEDIA_TYPE);
});

/** run-as and kms from the target; the rest (session, logs-read, log groups, ...) from its preflight. */
function capabilityFor(name: string): Capability {
  const { capabilities, preflight } = currentRun().target;
  switch (name) {
    case "run-as":
      return capabilities.runAs;
    case "kms":
      return capabilities.kmsKey;
    default:
      return (
        (preflight.capabilities as Record<string, Capability | undefined>)[name] ?? {
          available: false,
          reason: `unknown capability @needs:${name}`,
        }
      );
  }
}
