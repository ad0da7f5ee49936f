/**
 * Run and scenario hooks: the target starts once per worker and is disposed at the end; each scenario's
 * sessions are ended and its documents deleted; a scenario whose needs the target cannot meet is skipped
 * with the reason printed, never passed.
 */
import { After, AfterAll, Before, BeforeAll, setDefaultTimeout } from "@cucumber/cucumber";
import type { Capability } from "../targets/target";
import { currentRun, finishRun, isInterrupted, startRun } from "./runContext";
import type { ConformanceWorld } from "./world";

// Steps that wait on sessions disable cucumber's timeout and enforce their own, derived from the policy.
setDefaultTimeout(60_000);

BeforeAll({ timeout: 120_000 }, async function (this: { parameters: unknown }) {
  await startRun(this.parameters);
});

AfterAll({ timeout: 120_000 }, async () => {
  await finishRun();
});

Before(function (this: ConformanceWorld, { pickle }) {
  this.pickleName = pickle.name;
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
  const problems = await this.cleanUp();
  for (const problem of problems) this.log(`cleanup: ${problem}`);
});

function capabilityFor(name: string): Capability {
  const { capabilities } = currentRun().target;
  switch (name) {
    case "run-as":
      return capabilities.runAs;
    case "kms":
      return capabilities.kmsKey;
    default:
      return { available: false, reason: `unknown capability @needs:${name}` };
  }
}
