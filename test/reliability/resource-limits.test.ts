/**
 * Resource limits: a session whose shell floods output (`yes`, unpaced) while its client misbehaves cannot
 * make the stack use unbounded memory. The stack runs in a child process (emulator/cli.ts) so its resident
 * memory is its own; the client is a raw WebSocket client in this process (flood-client.ts) that either
 * stops reading its socket or reads and never acknowledges. The bounds that hold it: the agent pauses the
 * shell past MAX_UNACKED_OUTPUT_BYTES of unacknowledged output, and the gateway drops (for the sender to
 * resend) frames for a peer whose socket queue passed MAX_QUEUED_BYTES. Measured: the stack's RSS, sampled
 * every 250 ms during the flood, stays within RSS_GROWTH_BOUND of its RSS before the flood. Before those
 * bounds it grew by ~15 MiB/s for as long as the flood lasted.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeSessionsCommand, SSMClient, TerminateSessionCommand } from "@aws-sdk/client-ssm";
import { type ChildStack, rssOf, sleep, startChildStack, TEST_CREDENTIALS } from "../../bench/lib/support";
import { SessionClient } from "../../support/session/sessionClient";
import { type FloodSession, openFloodSession } from "./flood-client";

const FLOOD_MS = 6_000;
const RSS_GROWTH_BOUND = 48 * 1024 * 1024;

describe("reliability: a flooding session cannot grow the stack's memory without bound", () => {
  let stack: ChildStack;
  let ssm: SSMClient;
  const floods: FloodSession[] = [];
  before(async () => {
    stack = await startChildStack({ pacing: "unpaced" });
    ssm = new SSMClient({ endpoint: stack.endpoint, region: stack.region, credentials: TEST_CREDENTIALS });
  });
  after(async () => {
    for (const f of floods) f.close();
    ssm?.destroy();
    await stack?.stop();
  });

  for (const mode of ["no-read", "no-ack"] as const) {
    test(`a client that ${mode === "no-read" ? "stops reading its socket" : "reads but never acknowledges"}: RSS stays within ${RSS_GROWTH_BOUND / 2 ** 20} MiB over ${FLOOD_MS / 1000} s of yes`, async () => {
      await sleep(500);
      const before = rssOf(stack.pid);
      const flood = await openFloodSession(stack.endpoint, stack.nodeIds[0]!, mode);
      floods.push(flood);
      const { sessionId } = flood;
      let peak = before;
      const deadline = Date.now() + FLOOD_MS;
      while (Date.now() < deadline) {
        await sleep(250);
        peak = Math.max(peak, rssOf(stack.pid));
      }
      const growth = peak - before;
      assert.ok(
        growth < RSS_GROWTH_BOUND,
        `the stack's RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB (from ${(before / 2 ** 20).toFixed(0)} MiB) during the flood`,
      );
      // The flood is still contained, not over: the session is alive and can be ended normally.
      await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));
      flood.close();
      const active = await ssm.send(
        new DescribeSessionsCommand({ State: "Active", Filters: [{ key: "SessionId", value: sessionId }] }),
      );
      assert.equal(active.Sessions?.length ?? 0, 0, "the flooding session ended on TerminateSession");
    });
  }

  test("afterwards a normal session works and sees all of a command's output", async () => {
    const client = await SessionClient.start({ Target: stack.nodeIds[0]! }, { ssm });
    try {
      const out = await client.run("seq 1 2000 | tail -n 1", 20_000);
      assert.equal(out.output.trim(), "2000");
    } finally {
      await client.dispose();
    }
  });
});
