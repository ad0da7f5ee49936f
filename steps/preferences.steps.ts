import assert from "node:assert/strict";
import { Given, Then } from "@cucumber/cucumber";
import { readAccountPreferences } from "../support/checks/accountPreferences";
import {
  encryptionRule,
  idleTimeoutRule,
  loggingRule,
  maxDurationRule,
  type RuleResult,
  retentionRule,
  streamingRule,
} from "../support/checks/preferenceRules";
import type { ConformanceWorld } from "../support/cucumber/world";

Given("the account's default session preferences", async function (this: ConformanceWorld) {
  const { ssm, logs } = this.target.clients;
  this.state.account = await readAccountPreferences(ssm, logs);
  await this.attach(JSON.stringify(this.state.account, null, 2), "application/json");
});

const rules: Array<[string, (w: ConformanceWorld) => RuleResult]> = [
  [
    "the idle session timeout is at most the policy's maximum",
    (w) => idleTimeoutRule(w.state.account!, w.policy),
  ],
  [
    "a maximum session duration is set and is at most the policy's maximum",
    (w) => maxDurationRule(w.state.account!, w.policy),
  ],
  [
    "CloudWatch logging is configured to an existing log group",
    (w) => loggingRule(w.state.account!, w.policy),
  ],
  ["log streaming is enabled", (w) => streamingRule(w.state.account!, w.policy)],
  [
    "log encryption is required and the log group has a KMS key",
    (w) => encryptionRule(w.state.account!, w.policy),
  ],
  [
    "the log group keeps events at least as long as the policy requires",
    (w) => retentionRule(w.state.account!, w.policy),
  ],
];

for (const [sentence, rule] of rules) {
  Then(sentence, async function (this: ConformanceWorld) {
    const result = rule(this);
    await this.evidence({
      kind: "preference",
      measured: result.measured,
      required: result.required,
      unit: result.unit,
      ok: result.ok,
      details: {
        message: result.message,
        document: this.state.account?.documentName,
        version: this.state.account?.documentVersion,
      },
    });
    assert.ok(result.ok, result.message);
  });
}
