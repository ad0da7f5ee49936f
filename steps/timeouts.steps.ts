import assert from "node:assert/strict";
import { Given, Then, When } from "@cucumber/cucumber";
import { judgeClose } from "../support/checks/closeTiming";
import type { ConformanceWorld } from "../support/cucumber/world";
import { repeatEvery } from "../support/session/activity";

const IDLE_TEXT = "Your session timed out due to inactivity and has been terminated.";

Given("session preferences with the policy's probe idle timeout", function (this: ConformanceWorld) {
  this.state.inputs = {
    ...this.state.inputs,
    idleSessionTimeout: String(this.policy.probes.idleTimeoutMinutes),
  };
});

Given(
  "session preferences with the policy's probe maximum session duration",
  function (this: ConformanceWorld) {
    this.state.inputs = {
      ...this.state.inputs,
      maxSessionDuration: String(this.policy.probes.maxSessionDurationMinutes),
    };
  },
);

When("the session stays idle", function (this: ConformanceWorld) {
  // Nothing is sent from here on; the last input was the client's Size message after the prompt.
});

// The waits below last minutes on AWS: cucumber's timeout is off and each wait bounds itself.
When(
  "I type a key every quarter of the idle timeout for twice the idle timeout",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const idleMs = this.realMinutes(this.policy.probes.idleTimeoutMinutes);
    // A space and a backspace: activity that leaves the command line as it was.
    await keepActive(this, idleMs / 4, idleMs * 2, (n) => this.type(n % 2 === 0 ? " " : "\x7f"));
  },
);

When(
  "I resize the terminal every quarter of the idle timeout for twice the idle timeout",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const idleMs = this.realMinutes(this.policy.probes.idleTimeoutMinutes);
    await keepActive(this, idleMs / 4, idleMs * 2, (n) => this.resize(n % 2 === 0 ? 120 : 121, 40));
  },
);

When("a command prints a line every quarter of the idle timeout", function (this: ConformanceWorld) {
  const seconds = this.realMinutes(this.policy.probes.idleTimeoutMinutes) / 4 / 1000;
  this.type(`while :; do echo still-working; sleep ${seconds.toFixed(3)}; done\r`);
});

When("I keep typing", function (this: ConformanceWorld) {
  const { idleTimeoutMinutes, maxSessionDurationMinutes } = this.policy.probes;
  const intervalMs = this.realMinutes(Math.min(idleTimeoutMinutes, maxSessionDurationMinutes)) / 4;
  const activity = repeatEvery(intervalMs, (n) => {
    if (this.session.isClosed) throw new Error("closed");
    this.type(n % 2 === 0 ? " " : "\x7f");
  });
  this.state.stopActivity = () => activity.stop();
});

Then("the session is still open", async function (this: ConformanceWorld) {
  if (this.session.isClosed) {
    const closed = await this.session.closed;
    const after = ((closed.at - this.state.interactiveAt!) / 1000).toFixed(1);
    assert.fail(
      `session ${this.session.sessionId} was closed ${closed.kind === "channel_closed" ? "by the service" : `(${closed.kind})`} ${after} s after it started (${JSON.stringify(closed.output)}) although the client kept it active`,
    );
  }
  const marker = this.newMarker();
  const result = await this.runMarked(`echo ${marker}`, marker);
  assert.match(result.output, new RegExp(marker), "the shell should still answer");
});

Then(
  "the session is closed after the idle timeout, within the policy's tolerance",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const idleMs = this.realMinutes(this.policy.probes.idleTimeoutMinutes);
    await judgeSessionClose(this, "idle timeout", this.state.lastActivityAt!, idleMs);
  },
);

Then(
  "the session is closed after the maximum session duration, within the policy's tolerance",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const maxMs = this.realMinutes(this.policy.probes.maxSessionDurationMinutes);
    // Whether the clock starts at StartSession or when the session becomes interactive is not documented
    // (session-manager-spec.md 17, question 3): measure from the prompt and accept the set-up time early.
    const setUpMs = this.state.interactiveAt! - this.state.startedAt!;
    await judgeSessionClose(this, "maximum session duration", this.state.interactiveAt!, maxMs, setUpMs);
  },
);

Then(
  "the client is told why, with a message other than the inactivity message",
  async function (this: ConformanceWorld) {
    const closed = await this.session.closed;
    assert.ok(
      closed.output !== "" && closed.output !== IDLE_TEXT,
      `channel_closed Output was ${JSON.stringify(closed.output)}`,
    );
  },
);

async function keepActive(
  world: ConformanceWorld,
  intervalMs: number,
  forMs: number,
  act: (n: number) => void,
) {
  const activity = repeatEvery(intervalMs, act);
  await Promise.race([new Promise((resolve) => setTimeout(resolve, forMs)), world.session.closed]);
  await activity.stop();
}

async function judgeSessionClose(
  world: ConformanceWorld,
  what: string,
  fromMs: number,
  expectedMs: number,
  earlyAllowanceMs = 0,
) {
  const toleranceMs = world.target.realMs(world.policy.probes.closeToleranceSeconds * 1000);
  const deadlineMs = fromMs + expectedMs + toleranceMs + 5_000;
  const timeout = new Promise<undefined>((resolve) =>
    setTimeout(() => resolve(undefined), Math.max(0, deadlineMs - Date.now())).unref(),
  );
  const closed = await Promise.race([world.session.closed, timeout]);
  await world.state.stopActivity?.();
  if (!closed) {
    await world.evidence({
      kind: `${what} close`,
      measured: null,
      required: expectedMs,
      unit: "ms",
      ok: false,
      sessionId: world.session.sessionId,
    });
    assert.fail(
      `${what}: session ${world.session.sessionId} was still open ${((Date.now() - fromMs) / 1000).toFixed(1)} s after the reference instant; expected a close after ${(expectedMs / 1000).toFixed(1)} s`,
    );
  }
  const judgement = judgeClose(what, fromMs, closed.at, expectedMs, toleranceMs, earlyAllowanceMs);
  await world.evidence({
    kind: `${what} close`,
    measured: judgement.observedMs,
    required: `${expectedMs} (+${toleranceMs})`,
    unit: "ms",
    ok: judgement.ok,
    sessionId: world.session.sessionId,
    details: {
      driftMs: judgement.driftMs,
      timeScale: world.target.description.timeScale,
      closeOutput: closed.output,
    },
  });
  assert.ok(judgement.ok, `${judgement.message} (session ${world.session.sessionId})`);
}
