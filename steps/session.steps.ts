import assert from "node:assert/strict";
import { DescribeSessionsCommand, ResumeSessionCommand, StartSessionCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { Given, Then, When } from "@cucumber/cucumber";
import { describeSessionEventually } from "../support/checks/sessionListing";
import type { ConformanceWorld } from "../support/cucumber/world";
import { SessionClosedError } from "../support/session/sessionClient";

const CLOSE_WAIT_MS = 15_000;
/** How long a session that started anyway is watched for a late refusal. */
const REFUSAL_WAIT_MS = 3_000;

Given("a shell session on the managed node", async function (this: ConformanceWorld) {
  await this.startShell();
});

Given("a shell session with those preferences", async function (this: ConformanceWorld) {
  await this.startShell();
});

When("I start a shell session with those preferences", async function (this: ConformanceWorld) {
  try {
    await this.startShell();
  } catch (error) {
    this.state.startError = error as Error;
  }
});

When("I start a session on a node that is not connected", async function (this: ConformanceWorld) {
  try {
    await this.target.clients.ssm.send(new StartSessionCommand({ Target: "i-0badc0ffee0000000" }));
  } catch (error) {
    this.state.startError = error as Error;
  }
});

Then("the request is refused with {string}", function (this: ConformanceWorld, code: string) {
  const error = this.state.startError;
  assert.ok(error, `expected StartSession to be refused with ${code}, but it succeeded`);
  assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
});

Then("the session is refused with {string}", async function (this: ConformanceWorld, text: string) {
  // The agent refuses after the data channel opened: the client sees channel_closed with its reason,
  // before the prompt. A session that gave a prompt was not refused; a late close still counts.
  const closed =
    this.state.startError instanceof SessionClosedError
      ? this.state.startError.closedBy
      : this.state.session
        ? await Promise.race([this.session.closed, delay(REFUSAL_WAIT_MS)])
        : undefined;
  assert.ok(
    closed,
    `expected the session to be refused with ${JSON.stringify(text)}, but ${
      this.state.startError?.message ??
      `it started: session ${this.state.session?.sessionId} gave a prompt and was still open ${REFUSAL_WAIT_MS / 1000} s later`
    }`,
  );
  await this.evidence({
    kind: "refusal-message",
    measured: closed.output,
    required: text,
    ok: closed.output === text,
  });
  assert.equal(closed.output, text, "the service's channel_closed Output");
});

Then("the session is listed as {string}", async function (this: ConformanceWorld, status: string) {
  const session = await describeSessionEventually(
    this.target.clients.ssm,
    this.session.sessionId,
    (s) => s.Status === status,
  );
  await this.evidence({
    kind: "session-status",
    measured: session?.Status ?? null,
    required: status,
    ok: session?.Status === status,
    sessionId: this.session.sessionId,
  });
  assert.equal(session?.Status, status, `DescribeSessions status of ${this.session.sessionId}`);
});

Then(
  "the session is listed as {string} with an end date",
  async function (this: ConformanceWorld, status: string) {
    const session = await describeSessionEventually(
      this.target.clients.ssm,
      this.session.sessionId,
      (s) => s.Status === status,
    );
    assert.equal(session?.Status, status, `DescribeSessions status of ${this.session.sessionId}`);
    assert.ok(session?.EndDate instanceof Date, `session ${this.session.sessionId} has no EndDate`);
  },
);

Then("the session's owner is the caller's identity", async function (this: ConformanceWorld) {
  const [identity, listed] = await Promise.all([
    this.target.clients.sts.send(new GetCallerIdentityCommand({})),
    this.target.clients.ssm.send(
      new DescribeSessionsCommand({
        State: "Active",
        Filters: [{ key: "SessionId", value: this.session.sessionId }],
      }),
    ),
  ]);
  const owner = listed.Sessions?.[0]?.Owner;
  assert.equal(
    owner,
    identity.Arn,
    `Owner of ${this.session.sessionId} is ${owner}, not the caller ${identity.Arn}`,
  );
});

When("I terminate the session", async function (this: ConformanceWorld) {
  await this.session.terminate();
});

When("I end the session with exit", async function (this: ConformanceWorld) {
  this.type("exit\r");
  await waitClosed(this, CLOSE_WAIT_MS);
});

Then("the session's channel is closed", async function (this: ConformanceWorld) {
  const closed = await waitClosed(this, CLOSE_WAIT_MS);
  assert.equal(
    closed.kind,
    "channel_closed",
    closed.kind === "terminated-by-client"
      ? `the service did not close session ${this.session.sessionId}'s channel after TerminateSession (the client stopped waiting)`
      : `session ${this.session.sessionId} ended by ${closed.kind}, not channel_closed`,
  );
});

Then("the session cannot be resumed", async function (this: ConformanceWorld) {
  let token: string | undefined;
  try {
    token = (
      await this.target.clients.ssm.send(new ResumeSessionCommand({ SessionId: this.session.sessionId }))
    ).TokenValue;
  } catch {
    // Refused outright: not resumable either.
  }
  await this.evidence({
    kind: "resume-after-close",
    measured: token ? "resumable" : "not resumable",
    required: "not resumable",
    ok: !token,
    sessionId: this.session.sessionId,
  });
  assert.ok(!token, `ResumeSession gave a token for ${this.session.sessionId} after it was closed`);
});

Then("the client is told {string}", async function (this: ConformanceWorld, text: string) {
  const closed = await waitClosed(this, CLOSE_WAIT_MS);
  assert.equal(closed.output, text, `channel_closed Output of ${this.session.sessionId}`);
});

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

async function waitClosed(world: ConformanceWorld, timeoutMs: number) {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`session ${world.session.sessionId} still open after ${timeoutMs} ms`)),
      timeoutMs,
    ).unref(),
  );
  return Promise.race([world.session.closed, timeout]);
}
