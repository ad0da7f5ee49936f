import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { createLogsProvider } from "../../emulator/logs";
import { CTX, NOW, type Out, rejects } from "./logs-support";

async function setup(options: { filterScanBudget?: number; streams?: string[] } = {}) {
  const { provider, store } = createLogsProvider({
    now: () => NOW,
    filterScanBudget: options.filterScanBudget,
  });
  const call = async (op: string, input: Record<string, unknown> = {}): Promise<Out> =>
    await provider.operations[op]!(input, CTX);
  await call("CreateLogGroup", { logGroupName: "g" });
  for (const s of options.streams ?? ["a", "b"])
    await call("CreateLogStream", { logGroupName: "g", logStreamName: s });
  const put = (stream: string, logEvents: { timestamp: number; message: string }[]) =>
    call("PutLogEvents", { logGroupName: "g", logStreamName: stream, logEvents });
  const filter = (input: Record<string, unknown> = {}) =>
    call("FilterLogEvents", { logGroupName: "g", ...input });
  /** Every page until there is no nextToken. */
  const filterAll = async (input: Record<string, unknown> = {}) => {
    const events: Out[] = [];
    const pages: Out[] = [];
    let nextToken: string | undefined;
    for (let i = 0; i < 10_000; i++) {
      const page = await filter({ ...input, nextToken });
      pages.push(page);
      events.push(...page.events);
      nextToken = page.nextToken;
      if (!nextToken) return { events, pages };
    }
    throw new Error("pagination did not terminate");
  };
  return { call, put, filter, filterAll, store };
}

const msgs = (events: Out[]) => events.map((e: Out) => e.message);
/** Property runs; raise with LOGS_PROPERTY_RUNS for a longer soak. */
const RUNS = Number(process.env["LOGS_PROPERTY_RUNS"] ?? 100);

describe("FilterLogEvents", () => {
  test("interleaves streams by timestamp, then ingestion order; AWS members", async () => {
    const { put, filter } = await setup();
    await put("a", [
      { timestamp: NOW - 30, message: "a1" },
      { timestamp: NOW - 10, message: "a2" },
    ]);
    await put("b", [
      { timestamp: NOW - 20, message: "b1" },
      { timestamp: NOW - 10, message: "b2" },
    ]);
    await put("a", [{ timestamp: NOW - 10, message: "a3" }]);
    const out = await filter();
    assert.deepEqual(msgs(out.events), ["a1", "b1", "a2", "b2", "a3"]);
    assert.deepEqual(out.searchedLogStreams, []);
    assert.equal(out.nextToken, undefined);
    const first = out.events[0];
    assert.deepEqual(Object.keys(first).sort(), [
      "eventId",
      "ingestionTime",
      "logStreamName",
      "message",
      "timestamp",
    ]);
    assert.equal(first.logStreamName, "a");
    assert.equal(first.timestamp, NOW - 30);
    assert.equal(first.ingestionTime, NOW);
    for (const e of out.events) assert.match(e.eventId, /^[0-9]{56}$/);
    assert.equal(new Set(out.events.map((e: Out) => e.eventId)).size, 5);
  });

  test("logStreamNames, logStreamNamePrefix, and not both", async () => {
    const { put, filter } = await setup({ streams: ["sess-1", "sess-2", "other"] });
    await put("sess-1", [{ timestamp: NOW - 3, message: "1" }]);
    await put("sess-2", [{ timestamp: NOW - 2, message: "2" }]);
    await put("other", [{ timestamp: NOW - 1, message: "o" }]);
    assert.deepEqual(msgs((await filter({ logStreamNames: ["sess-2", "other"] })).events), ["2", "o"]);
    assert.deepEqual(msgs((await filter({ logStreamNames: ["sess-2", "sess-2"] })).events), ["2"]);
    assert.deepEqual(msgs((await filter({ logStreamNamePrefix: "sess-" })).events), ["1", "2"]);
    assert.deepEqual(msgs((await filter({ logStreamNamePrefix: "zzz" })).events), []);
    await rejects(
      filter({ logStreamNames: ["sess-1"], logStreamNamePrefix: "sess-" }),
      "InvalidParameterException",
      "Cannot specify both logStreamNames and logStreamNamePrefix.",
    );
    await rejects(
      filter({ logStreamNames: ["sess-1", "missing"] }),
      "ResourceNotFoundException",
      "The specified log stream does not exist.",
    );
    await rejects(filter({ logStreamNames: [] }), "InvalidParameterException", /'logStreamNames'/);
  });

  test("a stream or prefix restriction does not scan other streams", async () => {
    const { put, filter } = await setup({ filterScanBudget: 10, streams: ["noise", "sess-1"] });
    for (let b = 0; b < 10; b++)
      await put(
        "noise",
        Array.from({ length: 100 }, (_, i) => ({ timestamp: NOW - 5000 + b * 100 + i, message: "noise" })),
      );
    await put("sess-1", [{ timestamp: NOW, message: "MARKER" }]);
    for (const input of [{ logStreamNames: ["sess-1"] }, { logStreamNamePrefix: "sess" }]) {
      const out = await filter({ ...input, filterPattern: "MARKER" });
      assert.deepEqual(msgs(out.events), ["MARKER"]);
      assert.equal(out.nextToken, undefined);
    }
  });

  test("startTime and endTime are both inclusive", async () => {
    const { put, filter } = await setup();
    await put(
      "a",
      Array.from({ length: 10 }, (_, i) => ({ timestamp: NOW - 100 + i * 10, message: `e${i}` })),
    );
    assert.deepEqual(msgs((await filter({ startTime: NOW - 80, endTime: NOW - 50 })).events), [
      "e2",
      "e3",
      "e4",
      "e5",
    ]);
    assert.deepEqual(msgs((await filter({ startTime: NOW })).events), []);
    assert.deepEqual(msgs((await filter({ endTime: NOW - 100 })).events), ["e0"]);
  });

  test("limit paging: tokens until the last page, which has none", async () => {
    const { put, filter, filterAll } = await setup();
    await put(
      "a",
      Array.from({ length: 7 }, (_, i) => ({ timestamp: NOW - 100 + i, message: `a${i}` })),
    );
    await put(
      "b",
      Array.from({ length: 5 }, (_, i) => ({ timestamp: NOW - 100 + i, message: `b${i}` })),
    );
    const { events, pages } = await filterAll({ limit: 3 });
    assert.equal(events.length, 12);
    assert.deepEqual(
      pages.map((p: Out) => p.events.length),
      [3, 3, 3, 3],
    );
    assert.deepEqual(msgs(events).slice(0, 4), ["a0", "b0", "a1", "b1"]);
    // limit that divides the total exactly: the last full page carries no token
    const exact = await filter({ limit: 12 });
    assert.equal(exact.events.length, 12);
    assert.equal(exact.nextToken, undefined);
  });

  test("empty pages with a nextToken when the scan budget runs out", async () => {
    const { put, filterAll } = await setup({ filterScanBudget: 4 });
    await put(
      "a",
      Array.from({ length: 20 }, (_, i) => ({
        timestamp: NOW - 100 + i,
        message: i === 17 ? "hit" : "miss",
      })),
    );
    const { events, pages } = await filterAll({ filterPattern: "hit" });
    assert.deepEqual(msgs(events), ["hit"]);
    assert.equal(pages.length, 5);
    assert.deepEqual(pages[0].events, []);
    assert.ok(pages[0].nextToken);
    assert.equal(pages[4].nextToken, undefined);
  });

  test("filter patterns: terms, phrases, exclusions, OR, JSON; invalid pattern", async () => {
    const { put, filter } = await setup();
    const session = (sid: string, data: string[], latency: number) =>
      JSON.stringify({ eventVersion: "1.0", sessionId: sid, sessionData: data, latency });
    await put("a", [
      { timestamp: NOW - 6, message: "ERROR disk full" },
      { timestamp: NOW - 5, message: "WARN disk almost full" },
      { timestamp: NOW - 4, message: "INFO all good" },
      { timestamp: NOW - 3, message: session("s-1", ["$ echo MARK-1", "MARK-1"], 100) },
      { timestamp: NOW - 2, message: session("s-2", ["$ ls"], 900) },
      { timestamp: NOW - 1, message: "{ not json" },
    ]);
    const run = async (filterPattern: string) => msgs((await filter({ filterPattern })).events);
    assert.deepEqual(await run("disk"), ["ERROR disk full", "WARN disk almost full"]);
    assert.deepEqual(await run('"disk full"'), ["ERROR disk full"]);
    assert.deepEqual(await run("disk -ERROR"), ["WARN disk almost full"]);
    assert.deepEqual(await run("?ERROR ?INFO"), ["ERROR disk full", "INFO all good"]);
    assert.deepEqual(await run("MARK-1"), [session("s-1", ["$ echo MARK-1", "MARK-1"], 100)]);
    assert.deepEqual(await run('{ $.sessionId = "s-2" }'), [session("s-2", ["$ ls"], 900)]);
    assert.deepEqual(await run("{ $.latency > 500 }"), [session("s-2", ["$ ls"], 900)]);
    assert.deepEqual(await run('{ $.sessionData[1] = "MARK-*" }'), [
      session("s-1", ["$ echo MARK-1", "MARK-1"], 100),
    ]);
    assert.deepEqual(await run('{ $.sessionId = "s-1" || $.latency >= 900 }').then((r) => r.length), 2);
    assert.deepEqual(await run("[level = ERROR, ...]"), ["ERROR disk full"]);
    for (const bad of ["{ $.a = ", '"open', "{ $.a > x }"])
      await rejects(filter({ filterPattern: bad }), "InvalidParameterException", "Invalid filter pattern");
  });

  test("startFromHead false: newest first, paging keeps the direction", async () => {
    const { put, filter, filterAll } = await setup();
    await put("a", [
      { timestamp: NOW - 30, message: "a1" },
      { timestamp: NOW - 10, message: "a2" },
    ]);
    await put("b", [
      { timestamp: NOW - 20, message: "b1" },
      { timestamp: NOW - 10, message: "b2" },
    ]);
    const all = await filterAll({ startFromHead: false, limit: 1 });
    assert.deepEqual(msgs(all.events), ["b2", "a2", "b1", "a1"]);
    // the token's direction wins over startFromHead
    const first = await filter({ startFromHead: false, limit: 2 });
    const rest = await filter({ startFromHead: true, limit: 2, nextToken: first.nextToken });
    assert.deepEqual(msgs(rest.events), ["b1", "a1"]);
    await rejects(
      filter({ startFromHead: false, startTime: Date.UTC(2023, 11, 31) }),
      "InvalidParameterException",
      /startFromHead/,
    );
    await filter({ startFromHead: false, startTime: Date.UTC(2024, 0, 1) });
  });

  test("responses stop at about 1 MB", async () => {
    const { put, filterAll } = await setup();
    const big = "x".repeat(300_000);
    for (let i = 0; i < 4; i++) await put("a", [{ timestamp: NOW - 10 + i, message: `${i}${big}` }]);
    const { events, pages } = await filterAll();
    assert.equal(events.length, 4);
    assert.deepEqual(
      pages.map((p: Out) => p.events.length),
      [3, 1],
    );
  });

  test("errors: group, token, limit", async () => {
    const { call, filter } = await setup();
    await rejects(
      call("FilterLogEvents", { logGroupName: "nope" }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
    await rejects(
      filter({ nextToken: "bogus" }),
      "InvalidParameterException",
      "The specified nextToken is invalid.",
    );
    await rejects(filter({ limit: 0 }), "InvalidParameterException", /'limit'/);
    await rejects(filter({ limit: 10_001 }), "InvalidParameterException", /less than or equal to 10000/);
    await rejects(
      filter({ filterPattern: "x".repeat(1025) }),
      "InvalidParameterException",
      /'filterPattern'/,
    );
  });
});

describe("FilterLogEvents properties", () => {
  const putArb = fc.record({
    stream: fc.integer({ min: 0, max: 3 }),
    offsets: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
  });

  test("an empty pattern returns every event exactly once, in order, across pages of any limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(putArb, { maxLength: 12 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        async (puts, limit, budget, fromHead, startOffset, endOffset) => {
          const streams = ["s0", "s1", "s2", "s3"];
          const { put, filterAll } = await setup({ filterScanBudget: budget, streams });
          const expected: { stream: string; timestamp: number; message: string; seq: number }[] = [];
          let seq = 0;
          for (const p of puts) {
            const events = [...p.offsets]
              .sort((x, y) => x - y)
              .map((o) => {
                const e = { timestamp: NOW - 1000 + o, message: `m${seq}` };
                expected.push({ stream: streams[p.stream]!, ...e, seq: seq++ });
                return e;
              });
            await put(streams[p.stream]!, events);
          }
          const startTime = startOffset === undefined ? undefined : NOW - 1000 + startOffset;
          const endTime = endOffset === undefined ? undefined : NOW - 1000 + endOffset;
          const inRange = expected.filter(
            (e) =>
              (startTime === undefined || e.timestamp >= startTime) &&
              (endTime === undefined || e.timestamp <= endTime),
          );
          inRange.sort((x, y) => x.timestamp - y.timestamp || x.seq - y.seq);
          if (!fromHead) inRange.reverse();
          const { events } = await filterAll({ limit, startFromHead: fromHead, startTime, endTime });
          assert.deepEqual(
            events.map((e: Out) => [e.logStreamName, e.timestamp, e.message]),
            inRange.map((e) => [e.stream, e.timestamp, e.message]),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("a term pattern returns exactly the matching events, in order, with any stream restriction", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            stream: fc.integer({ min: 0, max: 2 }),
            events: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 20 }), hit: fc.boolean() }), {
              minLength: 1,
              maxLength: 6,
            }),
          }),
          { maxLength: 10 },
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.subarray(["s0", "s1", "s2"], { minLength: 1 }),
        async (puts, limit, selected) => {
          const streams = ["s0", "s1", "s2"];
          const { put, filterAll } = await setup({ filterScanBudget: 3, streams });
          const expected: { stream: string; timestamp: number; message: string; seq: number }[] = [];
          let seq = 0;
          for (const p of puts) {
            const events = [...p.events]
              .sort((x, y) => x.offset - y.offset)
              .map((e) => {
                const ev = { timestamp: NOW - 500 + e.offset, message: `${e.hit ? "HIT" : "miss"} ${seq}` };
                if (e.hit && selected.includes(streams[p.stream]!))
                  expected.push({ stream: streams[p.stream]!, ...ev, seq });
                seq++;
                return ev;
              });
            await put(streams[p.stream]!, events);
          }
          expected.sort((x, y) => x.timestamp - y.timestamp || x.seq - y.seq);
          const { events } = await filterAll({ limit, filterPattern: "HIT", logStreamNames: selected });
          assert.deepEqual(
            events.map((e: Out) => e.message),
            expected.map((e) => e.message),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
