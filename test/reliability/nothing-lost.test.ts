/**
 * Nothing lost: SESSIONS concurrent sessions run COMMANDS commands each on the embedded stack with streamed
 * session logs, while the client's data channel is dropped and resumed at random points (dropConnection()
 * then resume(), chosen by a seeded PRNG: after how many commands, and how long after the keys were sent,
 * i.e. usually in the middle of the command's output). Checked:
 * - every byte of output arrives, once and in order: each command prints a deterministic block (`seq`)
 *   whose SHA-256 and length must equal the expected block's;
 * - every command's marker is in the session's CloudWatch log stream exactly once, and in command order.
 * npm test runs it short (20 x 10); `npm run soak` runs 100 x 50 (RELIABILITY_SESSIONS, RELIABILITY_COMMANDS
 * and RELIABILITY_SEED override; a failure names its seed, which replays the run).
 *
 * Timeouts are generous, because the machine may be loaded (round trips of seconds were seen): they are
 * there to catch a session that stops, which is then named with its seed and data-channel position. Run
 * with SSMC_TRACE=1 to get the session's last sequence numbers, acks and resends of client, relay and agent
 * (protocol/trace.ts) in the message.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSessionsCommand } from "@aws-sdk/client-ssm";
import { traceOf } from "../../protocol";
import {
  createSessionDocument,
  startTestStack,
  streamedLines,
  type TestStack,
  unique,
  waitUntil,
} from "../emulator/stack-support";
import { prng } from "../support/prng";

const SESSIONS = Number(process.env.RELIABILITY_SESSIONS ?? 20);
const COMMANDS = Number(process.env.RELIABILITY_COMMANDS ?? 10);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_128);
/** Lines of output per command. */
const LINES = 120;
/** Share of commands during which the data channel is dropped and resumed. */
const DROP_RATE = 0.2;
/** For one command's output, resume included; and for a session's prompt (all sessions start at once). */
const COMMAND_TIMEOUT_MS = 60_000;
const OPEN_TIMEOUT_MS = 120_000;

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** `promise`, or the error `timeout()` makes once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The session's trace (SSMC_TRACE=1), for a failure message. */
function traced(sessionId: string): string {
  const trace = traceOf(sessionId);
  return trace.length > 0 ? `\n${trace.slice(-150).join("\n")}` : " (SSMC_TRACE=1 adds the session's trace)";
}

describe(`reliability: nothing lost (${SESSIONS} sessions x ${COMMANDS} commands, drops and resumes, seed ${SEED})`, () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack({ pacing: "faithful" });
  });
  after(async () => {
    await t?.stop();
  });

  test("every output byte arrives once and in order, and every command is logged exactly once, in order", async () => {
    const group = unique("/reliability/nothing-lost");
    await t.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const documentName = await createSessionDocument(t.ssm, {
      cloudWatchLogGroupName: group,
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: false,
      idleSessionTimeout: "20",
    });
    const random = prng(SEED);
    // Every random choice is drawn up front, so concurrency cannot change which run a seed describes.
    const plans = Array.from({ length: SESSIONS }, () =>
      Array.from({ length: COMMANDS }, () => (random() < DROP_RATE ? Math.floor(random() * 40) : -1)),
    );
    let drops = 0;
    const failures: string[] = [];
    // Every session is open before any command runs. Opening 100 at once saturates a small machine for
    // tens of seconds (measured: API calls, ResumeSession included, answered after up to 18 s), and a
    // resume in that storm is slow for reasons that have nothing to do with the data channel.
    const clients = await Promise.all(
      plans.map((_, s) =>
        t
          .open(
            { Target: t.stack.nodeIds[s % t.stack.nodeIds.length]!, DocumentName: documentName },
            { openTimeoutMs: OPEN_TIMEOUT_MS },
          )
          .catch((error: Error) => {
            const sessionId = /session (\S+?):/.exec(error.message)?.[1] ?? "";
            throw new Error(`session ${s}, seed ${SEED}: ${error.message}${traced(sessionId)}`);
          }),
      ),
    );
    const sessions = await Promise.all(
      plans.map(async (plan, s) => {
        const client = clients[s]!;
        const markers: string[] = [];
        for (let c = 0; c < COMMANDS; c++) {
          const first = (s * COMMANDS + c) * 1000 + 1;
          const marker = `nl-${s}-${c}-${first}`;
          markers.push(marker);
          // The marker is typed in two quoted halves, so only the output line carries it whole.
          const command = `echo "${marker.slice(0, 3)}""${marker.slice(3)}"; seq ${first} ${first + LINES - 1}`;
          // Settled at once, so a timeout that fires while a resume is still pending is not unhandled.
          const running = client.run(command, COMMAND_TIMEOUT_MS).then(
            (result) => ({ result }),
            (error: Error) => ({ error }),
          );
          const dropAfterMs = plan[c]!;
          let dropped = "";
          if (dropAfterMs >= 0) {
            await new Promise((resolve) => setTimeout(resolve, dropAfterMs));
            client.dropConnection();
            drops++;
            await new Promise((resolve) => setTimeout(resolve, 20));
            const resumeStart = Date.now();
            await within(
              client.resume(),
              COMMAND_TIMEOUT_MS,
              () =>
                new Error(
                  `session ${s} (${client.sessionId}) command ${c}, seed ${SEED}: resume() did not complete`,
                ),
            );
            dropped = ` (dropped after ${dropAfterMs} ms; the resume took ${Date.now() - resumeStart} ms)`;
          }
          const outcome = await running;
          if ("error" in outcome) {
            const { expecting, unacked } = client.streamPosition;
            throw new Error(
              `session ${s} (${client.sessionId}) command ${c}${dropped}, ` +
                `seed ${SEED}: ${outcome.error.message}; last output seq received ${expecting - 1}, ` +
                `${unacked} input message(s) unacked${traced(client.sessionId)}`,
            );
          }
          const { result } = outcome;
          const expected = [marker, ...Array.from({ length: LINES }, (_, i) => String(first + i))].join("\n");
          // Typed ahead of the prompt (the keys leave as soon as the previous marker shows), the line is
          // echoed before bash prints its prompt, which then leads the marker's line: the block starts there.
          const text = result.output.replaceAll("\r\n", "\n").replace(/\n$/, "");
          const got = text.slice(Math.max(0, text.indexOf(marker)));
          if (got.length !== expected.length || sha(got) !== sha(expected)) {
            failures.push(
              `session ${s} command ${c}${dropped}: ` +
                `${got.length} chars, expected ${expected.length}; first lines ${JSON.stringify(got.slice(0, 80))}`,
            );
          }
        }
        return { client, markers };
      }),
    );
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} command output(s) differ`);
    assert.ok(drops > 0, "the seed should drop some connections");

    // The logs: every marker once, in order, in its own session's stream. Streaming ships every second;
    // end the sessions so the agents flush, then read each stream.
    await Promise.all(sessions.map(({ client }) => client.terminate()));
    const problems: string[] = [];
    await Promise.all(
      sessions.map(async ({ client, markers }, s) => {
        const lines = await waitUntil(
          async () => {
            const got = await streamedLines(t.logs, group, client.sessionId);
            return markers.every((m) => got.includes(m)) ? got : undefined;
          },
          30_000,
          `every marker of session ${s} in its log stream`,
          250,
        ).catch((error: Error) => {
          problems.push(error.message);
          return [] as string[];
        });
        const positions = markers.map((m) => lines.flatMap((line, i) => (line === m ? [i] : [])));
        positions.forEach((found, c) => {
          if (found.length !== 1) problems.push(`session ${s}: marker ${c} logged ${found.length} times`);
        });
        const order = positions.map((p) => p[0] ?? -1);
        if (order.some((p, i) => i > 0 && p < order[i - 1]!))
          problems.push(`session ${s}: markers out of order`);
      }),
    );
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} logging problem(s)`);

    const active = await t.ssm.send(new DescribeSessionsCommand({ State: "Active" }));
    assert.equal(active.Sessions?.length ?? 0, 0, "no session is left active");
  });
});
