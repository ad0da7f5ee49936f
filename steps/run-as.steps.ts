import assert from "node:assert/strict";
import { Given, Then } from "@cucumber/cucumber";
import type { ConformanceWorld } from "../support/cucumber/world";

/** The target's second user (capabilities.runAs.user): ssm-runas in the agent container. */
function secondUser(world: ConformanceWorld): string {
  const { runAs } = world.target.capabilities;
  assert.ok(runAs.available && runAs.user, "the target names no Run As user");
  return runAs.user;
}

Given(
  "session preferences that run shells as the second user and stream logs to the plain log group",
  function (this: ConformanceWorld) {
    this.state.inputs = {
      cloudWatchLogGroupName: this.target.logGroups.plain,
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: false,
      runAsEnabled: true,
      runAsDefaultUser: secondUser(this),
    };
  },
);

Then("whoami in the session says the second user", async function (this: ConformanceWorld) {
  const expected = secondUser(this);
  const whoami = await this.session.run("whoami");
  const user = whoami.output.trim();
  await this.evidence({
    kind: "run-as-user",
    measured: user,
    required: expected,
    ok: user === expected,
    sessionId: this.session.sessionId,
  });
  assert.equal(user, expected, "whoami in the session");
});
