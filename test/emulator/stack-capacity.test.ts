/**
 * Capacity and shutdown. Many sessions at once across both nodes, each streaming its log (spec 13.3): every
 * command lands in its own session's stream exactly once and in order, and no session's output leaks into
 * another's. Then stop() with sessions open: it resolves within a few seconds, every client is told, and no
 * session shell (nor a foreground job in one) outlives the stack.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSessionsCommand } from "@aws-sdk/client-ssm";
import { STACK_STOP_OUTPUT } from "../../emulator/messages/closeReasons";
import type { SessionClient } from "../../support/session/sessionClient";
import {
  childrenOf,
  childShellPids,
  createSessionDocument,
  isAlive,
  startTestStack,
  streamedLines,
  type TestStack,
  unique,
  waitUntil,
} from "./stack-support";

const SESSIONS = 20;
const COMMANDS = 10;
const STOP_SESSIONS = 4;
const STOP_BOUND_MS = 5_000;

describe("stack: concurrent sessions and stop()", () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack();
  });
  after(async () => {
    await t?.stop(); // also after the stop() test: stop is idempotent
  });

  test(`${SESSIONS} concurrent sessions each log ${COMMANDS} commands in their own stream, once and in order`, async () => {
    const group = unique("/stack/concurrent");
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const document = await createSessionDocument(t.ssm, {
      cloudWatchLogGroupName: group,
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: false,
    });
    const run = unique("c");
    const markerOf = (session: number, command: number) => `${run}-s${session}-c${command}`;
    const markerPattern = new RegExp(`^${run}-s(\\d+)-c(\\d+)$`);

    const sessionIds = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, s) => {
        const target = t.stack.nodeIds[s % t.stack.nodeIds.length]!;
        const client = await t.open({ Target: target, DocumentName: document });
        for (let c = 0; c < COMMANDS; c++) {
          const result = await client.run(`echo ${markerOf(s, c)}`);
          assert.equal(result.output.trim(), markerOf(s, c), `session ${s} command ${c} output`);
        }
        return client.sessionId;
      }),
    );
    assert.equal(new Set(sessionIds).size, SESSIONS, "every session has its own id");

    await Promise.all(
      sessionIds.map(async (sessionId, s) => {
        const expected = Array.from({ length: COMMANDS }, (_, c) => markerOf(s, c));
        const markers = await waitUntil(
          async () => {
            const lines = (await streamedLines(t.logs, group, sessionId)).filter((l) =>
              markerPattern.test(l),
            );
            return lines.length >= COMMANDS ? lines : undefined;
          },
          10_000,
          `${COMMANDS} marker lines in ${group}/${sessionId}`,
          100,
        );
        assert.deepEqual(
          markers,
          expected,
          `stream ${sessionId} (session ${s}) holds its own ${COMMANDS} outputs, once each, in order`,
        );
      }),
    );
  });

  // Last in this file: it stops the stack, with the sessions above still open and a few more.
  test("stop() with sessions open resolves promptly and leaves no shell behind", async (ctx) => {
    const shellsBefore = childShellPids();
    // One more session streams its log, one runs a foreground job: stop() must finish and kill both.
    const group = unique("/stack/stop");
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const streaming = await createSessionDocument(t.ssm, {
      cloudWatchLogGroupName: group,
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: false,
    });
    const clients: SessionClient[] = await Promise.all(
      Array.from({ length: STOP_SESSIONS }, (_, i) =>
        t.open({
          Target: t.stack.nodeIds[i % t.stack.nodeIds.length]!,
          DocumentName: i === 1 ? streaming : undefined,
        }),
      ),
    );
    const shellPids = await Promise.all(
      clients.map(async (c) => Number((await c.run("echo $$")).output.trim())),
    );
    const shells = childShellPids();
    for (const pid of shellPids) {
      assert.ok(
        shells.includes(pid),
        `session shell ${pid} is a child of this process (the in-process agents)`,
      );
    }
    clients[0]!.send("sleep 300\r");
    const sleepPid = await waitUntil(
      () => childrenOf(shellPids[0]!)[0],
      3_000,
      `the foreground sleep to start under shell ${shellPids[0]}`,
    );
    const tracked = [...new Set([...shellsBefore, ...shells, sleepPid])];
    const open = (await t.ssm.send(new DescribeSessionsCommand({ State: "Active", MaxResults: 200 })))
      .Sessions?.length;

    const started = Date.now();
    await t.stack.stop();
    const took = Date.now() - started;
    ctx.diagnostic(`stop() took ${took} ms with ${open} sessions open`);
    assert.ok(
      took <= STOP_BOUND_MS,
      `stop() took ${took} ms with ${open} sessions open, expected <= ${STOP_BOUND_MS} ms`,
    );

    for (const client of clients) {
      const closed = await Promise.race([
        client.closed,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000)),
      ]);
      assert.ok(closed, `client of ${client.sessionId} was told the session ended`);
      assert.equal(closed.kind, "channel_closed");
      assert.equal(closed.output, STACK_STOP_OUTPUT);
    }
    const survivors = await waitUntil(
      () => (tracked.some(isAlive) ? undefined : []),
      1_000,
      "every shell and the foreground job to be gone",
    ).catch(() => tracked.filter(isAlive));
    assert.deepEqual(survivors, [], `processes still alive after stop(): ${survivors.join(", ")}`);
    assert.deepEqual(childShellPids(), [], "no shell child of this process is left");
  });
});
