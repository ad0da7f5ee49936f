import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { createLogsProvider } from "../../emulator/logs";
import { BLOCK_EVENTS, GramIndex, gramProbe } from "../../emulator/logs/gramIndex";
import { CTX, NOW, type Out } from "./logs-support";

const RUNS = Number(process.env["LOGS_PROPERTY_RUNS"] ?? 40);

describe("gram index", () => {
  test("a block is skipped only when none of its messages contains the literal", () => {
    const messages = Array.from({ length: 3 * BLOCK_EVENTS }, (_, i) => `line ${i} of the session`);
    messages[BLOCK_EVENTS + 5] = `prefix__marker_0f3a__suffix`;
    const index = new GramIndex();
    index.extend(messages, messages.length);
    const probe = gramProbe("__marker_0f3a__")!;
    assert.deepEqual(
      [0, 1, 2].map((b) => index.mayContain(b, probe)),
      [false, true, false],
    );
    assert.equal(gramProbe("abc"), undefined, "shorter than a gram: no probe");
  });

  test("truncate forgets the blocks from the insert position on, and extend rebuilds them", () => {
    const messages = Array.from({ length: 2 * BLOCK_EVENTS }, () => "plain");
    const index = new GramIndex();
    index.extend(messages, messages.length);
    messages[BLOCK_EVENTS + 1] = "now with a needle";
    index.truncate(BLOCK_EVENTS + 1);
    index.extend(messages, messages.length);
    assert.equal(index.mayContain(1, gramProbe("needle")!), true);
  });
});

describe("FilterLogEvents with a literal over indexed streams", () => {
  test("finds an event put late into the middle of an already indexed stream", () => {
    const { provider } = createLogsProvider({ now: () => NOW });
    const call = (op: string, input: Record<string, unknown>): Out => provider.operations[op]!(input, CTX);
    call("CreateLogGroup", { logGroupName: "g" });
    call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    const logEvents = Array.from({ length: 8 * BLOCK_EVENTS }, (_, i) => ({
      timestamp: NOW - 60_000 + i * 10,
      message: `plain line ${i}`,
    }));
    call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents });
    const search = () =>
      call("FilterLogEvents", { logGroupName: "g", filterPattern: '"__late_marker__"' }).events.map(
        (e: Out) => e.message,
      );
    assert.deepEqual(search(), []); // builds the index
    // Lands at index 5: the first block is re-indexed, not left as it was.
    const late = { timestamp: NOW - 60_000 + 45, message: "x __late_marker__ y" };
    call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [late] });
    assert.deepEqual(search(), [late.message]);
  });

  test("returns exactly the events a scan would, across appends, late inserts and pages", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Batches: stream, a timestamp offset (late batches land in the middle), and which events hit.
        fc.array(
          fc.record({
            stream: fc.integer({ min: 0, max: 1 }),
            offset: fc.integer({ min: 0, max: 2000 }),
            hits: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }),
          }),
          { minLength: 4, maxLength: 16 },
        ),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        async (batches, limit, fromHead) => {
          const { provider } = createLogsProvider({ now: () => NOW });
          const call = (op: string, input: Record<string, unknown>): Out =>
            provider.operations[op]!(input, CTX);
          call("CreateLogGroup", { logGroupName: "g" });
          for (const s of ["s0", "s1"]) call("CreateLogStream", { logGroupName: "g", logStreamName: s });
          const all: { stream: string; timestamp: number; message: string; seq: number }[] = [];
          let seq = 0;
          const search = () => {
            const found: string[] = [];
            let nextToken: string | undefined;
            do {
              const page = call("FilterLogEvents", {
                logGroupName: "g",
                filterPattern: '"ab-cd"',
                limit,
                startFromHead: fromHead,
                startTime: fromHead ? undefined : Date.UTC(2024, 0, 1),
                nextToken,
              });
              found.push(...page.events.map((e: Out) => e.message));
              nextToken = page.nextToken;
            } while (nextToken);
            const expected = all
              .filter((e) => e.message.includes("ab-cd"))
              .sort((x, y) => x.timestamp - y.timestamp || x.seq - y.seq)
              .map((e) => e.message);
            if (!fromHead) expected.reverse();
            assert.deepEqual(found, expected);
          };
          for (const batch of batches) {
            const stream = `s${batch.stream}`;
            // A literal split across a message boundary, or broken inside, must not match.
            const logEvents = batch.hits.map((h, k) => ({
              timestamp: NOW - 10_000 + batch.offset + k,
              message: [`x ab-cd ${seq + k}`, `ab-c ${seq + k} d`, `${seq + k} ab-`][h % 3]!,
            }));
            call("PutLogEvents", { logGroupName: "g", logStreamName: stream, logEvents });
            for (const e of logEvents) all.push({ stream, ...e, seq: seq++ });
            search();
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
