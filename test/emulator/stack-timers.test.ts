/**
 * The service-side timers (spec 10.3, 10.4) at time scale 60, where one configured minute lasts one second:
 * the idle timeout, what resets it (keys and resizes do, shell output does not), and the maximum duration.
 */
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { IDLE_TIMEOUT_OUTPUT, MAX_DURATION_OUTPUT } from "../../emulator/messages/closeReasons";
import {
  type SessionClient,
  type SessionClosed,
  SessionNotResumableError,
} from "../../support/session/sessionClient";
import {
  createSessionDocument,
  describeSession,
  isAlive,
  startTestStack,
  type TestStack,
  waitUntil,
} from "./stack-support";

const TIME_SCALE = 60;
/** One configured minute at scale 60. */
const ONE_MINUTE_MS = 60_000 / TIME_SCALE;
/**
 * How late a close may be observed (timer and event-loop latency on a loaded 2-core machine), and how
 * early: an idle close is measured from the client's own last send, so it is never early; the maximum
 * duration runs from when the service relayed the first output, a little before the client saw it.
 */
const LATE_TOLERANCE_MS = 400;
const EARLY_TOLERANCE_MS = 20;
const MAX_DURATION_EARLY_TOLERANCE_MS = 150;

describe("stack: idle timeout and maximum session duration (time scale 60)", { concurrency: true }, () => {
  let t: TestStack;
  let idleDocument: string;
  let maxDocument: string;
  before(async () => {
    t = await startTestStack({ timeScale: TIME_SCALE });
    idleDocument = await createSessionDocument(t.ssm, { idleSessionTimeout: "1" });
    maxDocument = await createSessionDocument(t.ssm, { idleSessionTimeout: "60", maxSessionDuration: "1" });
  });
  after(async () => {
    await t?.stop();
  });

  /** Asserts the session closed `expectedMs` after `from` (within tolerance) with the given Output. */
  function assertClosedAfter(
    ctx: TestContext,
    closed: SessionClosed,
    from: number,
    expectedMs: number,
    output: string,
    early = EARLY_TOLERANCE_MS,
  ): void {
    assert.equal(closed.kind, "channel_closed", `closed by the service, got ${closed.kind}`);
    assert.equal(closed.output, output, "channel_closed Output");
    const elapsed = closed.at - from;
    ctx.diagnostic(`closed ${elapsed} ms after the reference instant (configured ${expectedMs} ms)`);
    assert.ok(
      elapsed >= expectedMs - early && elapsed <= expectedMs + LATE_TOLERANCE_MS,
      `closed ${elapsed} ms after the reference instant; expected ${expectedMs} ms (-${early}/+${LATE_TOLERANCE_MS})`,
    );
  }

  /** Repeats `act` every `everyMs` for `forMs`, checking the session stays open; returns the last act's instant. */
  async function keepActive(client: SessionClient, act: () => number, everyMs: number, forMs: number) {
    const until = Date.now() + forMs;
    let last = act();
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      assert.equal(
        client.isClosed,
        false,
        `the session closed while active, ${Date.now() - last} ms after the last activity`,
      );
      last = act();
    }
    return last;
  }

  test("an idle session is closed with the idle text, is Terminated and cannot be resumed", async (ctx) => {
    const client = await t.open({ Target: t.stack.nodeIds[0]!, DocumentName: idleDocument });
    // The last client input is this command (after the Size message SessionClient sends at the prompt).
    const { output, sentAt: lastInput } = await client.run("echo $$");
    const shellPid = Number(output.trim());
    const closed = await client.closed;
    assertClosedAfter(ctx, closed, lastInput, ONE_MINUTE_MS, IDLE_TIMEOUT_OUTPUT);
    await waitUntil(
      () => (isAlive(shellPid) ? undefined : true),
      3_000,
      `the idle session's shell ${shellPid} to be killed`,
    );

    const session = await describeSession(t.ssm, client.sessionId, "History");
    assert.equal(session?.Status, "Terminated", "DescribeSessions(History) shows the session Terminated");
    assert.ok(session.EndDate instanceof Date, "EndDate is set");
    await assert.rejects(client.resume(), SessionNotResumableError, "ResumeSession gives no token");
  });

  test("typing keeps an idle session alive; when typing stops it times out", async (ctx) => {
    const client = await t.open({ Target: t.stack.nodeIds[1]!, DocumentName: idleDocument });
    const last = await keepActive(client, () => client.send(" "), 300, 3 * ONE_MINUTE_MS);
    assertClosedAfter(ctx, await client.closed, last, ONE_MINUTE_MS, IDLE_TIMEOUT_OUTPUT);
  });

  test("a resize alone keeps an idle session alive", async (ctx) => {
    const client = await t.open({ Target: t.stack.nodeIds[0]!, DocumentName: idleDocument });
    let cols = 100;
    const last = await keepActive(client, () => client.resize(cols++, 40), 300, 3 * ONE_MINUTE_MS);
    assertClosedAfter(ctx, await client.closed, last, ONE_MINUTE_MS, IDLE_TIMEOUT_OUTPUT);
  });

  test("shell output alone does not keep an idle session alive", async (ctx) => {
    const client = await t.open({ Target: t.stack.nodeIds[1]!, DocumentName: idleDocument });
    const lastInput = client.send("while true; do echo tick; sleep 0.2; done\r");
    await client.waitFor(/\ntick\r?\n[\s\S]*\ntick\r?\n/, 1_000).catch(() => undefined);
    const closed = await client.closed;
    const ticks = client.transcript.text.split("\n").filter((l) => l.replace(/\r$/, "") === "tick").length;
    assert.ok(ticks >= 3, `the loop produced output while idle (${ticks} lines)`);
    assertClosedAfter(ctx, closed, lastInput, ONE_MINUTE_MS, IDLE_TIMEOUT_OUTPUT);
  });

  test("the maximum session duration ends a busy session", async (ctx) => {
    const client = await t.open({ Target: t.stack.nodeIds[0]!, DocumentName: maxDocument });
    const ready = Date.now();
    const typing = setInterval(() => {
      if (!client.isClosed) client.send("x");
    }, 100);
    try {
      const closed = await client.closed;
      // The session became usable at the prompt; it may run for one configured minute from then.
      assertClosedAfter(
        ctx,
        closed,
        ready,
        ONE_MINUTE_MS,
        MAX_DURATION_OUTPUT,
        MAX_DURATION_EARLY_TOLERANCE_MS,
      );
    } finally {
      clearInterval(typing);
    }
    const session = await describeSession(t.ssm, client.sessionId, "History");
    assert.equal(session?.Status, "Terminated");
    assert.equal(session.MaxSessionDuration, "1");
  });
});
