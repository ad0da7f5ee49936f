import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLogsProvider } from "../../emulator/logs";
import { CTX, NOW, type Out, rejects } from "./logs-support";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function setup(clock: { t: number } = { t: NOW }) {
  const { provider, store } = createLogsProvider({ now: () => clock.t });
  const call = async (op: string, input: Record<string, unknown> = {}): Promise<Out> =>
    await provider.operations[op]!(input, CTX);
  await call("CreateLogGroup", { logGroupName: "g" });
  await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
  const put = (logEvents: { timestamp: number; message: string }[], stream = "s") =>
    call("PutLogEvents", { logGroupName: "g", logStreamName: stream, logEvents });
  const get = (input: Record<string, unknown> = {}) =>
    call("GetLogEvents", { logGroupName: "g", logStreamName: "s", ...input });
  return { call, put, get, store, clock };
}

const FORWARD = /^f\/[0-9]{56}\/s$/;
const BACKWARD = /^b\/[0-9]{56}\/s$/;

describe("PutLogEvents", () => {
  test("stores events with ingestionTime and returns a nextSequenceToken; sequenceToken is ignored", async () => {
    const { put, get, call, clock } = await setup();
    clock.t = NOW + 123;
    const out = await call("PutLogEvents", {
      logGroupName: "g",
      logStreamName: "s",
      sequenceToken: "not-a-valid-token",
      logEvents: [
        { timestamp: NOW - 10, message: "one" },
        { timestamp: NOW - 10, message: "two" },
      ],
    });
    assert.match(out.nextSequenceToken, /^[0-9]{56}$/);
    assert.equal("rejectedLogEventsInfo" in out, false);
    const again = await put([{ timestamp: NOW, message: "three" }]);
    assert.notEqual(again.nextSequenceToken, out.nextSequenceToken);
    const { events } = await get({ startFromHead: true });
    assert.deepEqual(events, [
      { timestamp: NOW - 10, message: "one", ingestionTime: NOW + 123 },
      { timestamp: NOW - 10, message: "two", ingestionTime: NOW + 123 },
      { timestamp: NOW, message: "three", ingestionTime: NOW + 123 },
    ]);
  });

  test("batch size: sum(UTF-8 bytes + 26) <= 1,048,576, exactly at the boundary", async () => {
    const { put, get } = await setup();
    const max = 1_048_576;
    await put([{ timestamp: NOW, message: "x".repeat(max - 26) }]);
    await rejects(
      put([{ timestamp: NOW, message: "x".repeat(max - 25) }]),
      "InvalidParameterException",
      "Upload too large: 1048577 bytes exceeds limit of 1048576",
    );
    // two events: overhead counted per event
    await put([
      { timestamp: NOW, message: "a".repeat(max / 2 - 26) },
      { timestamp: NOW, message: "b".repeat(max / 2 - 26) },
    ]);
    await rejects(
      put([
        { timestamp: NOW, message: "a".repeat(max / 2 - 26) },
        { timestamp: NOW, message: "b".repeat(max / 2 - 25) },
      ]),
      "InvalidParameterException",
      /^Upload too large: 1048577 bytes/,
    );
    // multi-byte characters count by UTF-8 bytes: é is 2 bytes
    await put([{ timestamp: NOW, message: "é".repeat((max - 26) / 2) }]);
    await rejects(
      put([{ timestamp: NOW, message: `${"é".repeat((max - 26) / 2)}x` }]),
      "InvalidParameterException",
    );
    const { events } = await get({ startFromHead: true, limit: 10 });
    assert.ok(events.length >= 1);
  });

  test("10,000 events per batch; 10,001 and 0 rejected", async () => {
    const { put, get } = await setup();
    const batch = Array.from({ length: 10_000 }, (_, i) => ({
      timestamp: NOW - 10_000 + i,
      message: `m${i}`,
    }));
    const out = await put(batch);
    assert.equal("rejectedLogEventsInfo" in out, false);
    const head = await get({ startFromHead: true });
    assert.equal(head.events.length, 10_000);
    await rejects(
      put([...batch, { timestamp: NOW, message: "one too many" }]),
      "InvalidParameterException",
      /at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000$/,
    );
    await rejects(
      put([]),
      "InvalidParameterException",
      "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test("each message must have at least 1 character; timestamp required", async () => {
    const { put, call } = await setup();
    await rejects(
      put([
        { timestamp: NOW, message: "ok" },
        { timestamp: NOW, message: "" },
      ]),
      "InvalidParameterException",
      "1 validation error detected: Value '' at 'logEvents.2.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    await rejects(
      call("PutLogEvents", { logGroupName: "g", logStreamName: "s", logEvents: [{ message: "x" }] }),
      "InvalidParameterException",
      /Value null at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member must not be null/,
    );
    await rejects(
      call("PutLogEvents", { logGroupName: "g", logStreamName: "s" }),
      "InvalidParameterException",
      /Value null at 'logEvents'/,
    );
  });

  test("out-of-order batch rejected whole", async () => {
    const { put, get } = await setup();
    await rejects(
      put([
        { timestamp: NOW, message: "b" },
        { timestamp: NOW - 1, message: "a" },
      ]),
      "InvalidParameterException",
      "Log events in a single PutLogEvents request must be in chronological order.",
    );
    assert.deepEqual((await get()).events, []);
  });

  test("a batch may span 24 h, not more", async () => {
    const { put } = await setup();
    await put([
      { timestamp: NOW - DAY, message: "a" },
      { timestamp: NOW, message: "b" },
    ]);
    await rejects(
      put([
        { timestamp: NOW - DAY - 1, message: "a" },
        { timestamp: NOW, message: "b" },
      ]),
      "InvalidParameterException",
      "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
    );
  });

  test("too old (> 14 days) and too new (> 2 h ahead) are rejected by index, the rest accepted", async () => {
    const { put, get } = await setup();
    // spans need separate batches (24 h rule): first the old edge
    const old = await put([
      { timestamp: NOW - 14 * DAY - 2, message: "too old 0" },
      { timestamp: NOW - 14 * DAY - 1, message: "too old 1" },
      { timestamp: NOW - 14 * DAY, message: "oldest accepted" },
    ]);
    assert.deepEqual(old.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2 });
    const fresh = await put([
      { timestamp: NOW, message: "now" },
      { timestamp: NOW + 2 * HOUR, message: "newest accepted" },
      { timestamp: NOW + 2 * HOUR + 1, message: "too new 2" },
      { timestamp: NOW + 3 * HOUR, message: "too new 3" },
    ]);
    assert.deepEqual(fresh.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 2 });
    assert.match(fresh.nextSequenceToken, /^[0-9]{56}$/);
    const { events } = await get({ startFromHead: true });
    assert.deepEqual(
      events.map((e: Out) => e.message),
      ["oldest accepted", "now", "newest accepted"],
    );
  });

  test("events older than the group's retention are expired", async () => {
    const { put, get, call } = await setup();
    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 1 });
    const out = await put([
      { timestamp: NOW - 2 * DAY + HOUR, message: "expired 0" },
      { timestamp: NOW - DAY - 1, message: "expired 1" },
      { timestamp: NOW - DAY, message: "kept" },
    ]);
    assert.deepEqual(out.rejectedLogEventsInfo, { expiredLogEventEndIndex: 2 });
    await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 3 });
    const both = await put([
      { timestamp: NOW - 15 * DAY, message: "too old and expired" },
      { timestamp: NOW - 15 * DAY + HOUR, message: "too old and expired" },
    ]);
    assert.deepEqual(both.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 2 });
    assert.deepEqual(
      (await get()).events.map((e: Out) => e.message),
      ["kept"],
    );
  });

  test("missing group or stream", async () => {
    const { call } = await setup();
    const ev = [{ timestamp: NOW, message: "x" }];
    await rejects(
      call("PutLogEvents", { logGroupName: "nope", logStreamName: "s", logEvents: ev }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
    await rejects(
      call("PutLogEvents", { logGroupName: "g", logStreamName: "nope", logEvents: ev }),
      "ResourceNotFoundException",
      "The specified log stream does not exist.",
    );
  });

  test("a later batch with earlier timestamps is merged in timestamp order", async () => {
    const { put, get } = await setup();
    await put([
      { timestamp: NOW - 100, message: "c" },
      { timestamp: NOW - 50, message: "e" },
    ]);
    await put([
      { timestamp: NOW - 200, message: "a" },
      { timestamp: NOW - 100, message: "d" },
      { timestamp: NOW - 100, message: "d2" },
    ]);
    await put([{ timestamp: NOW - 150, message: "b" }]);
    assert.deepEqual(
      (await get({ startFromHead: true })).events.map((e: Out) => e.message),
      ["a", "b", "c", "d", "d2", "e"],
    );
  });
});

describe("GetLogEvents", () => {
  async function tenEvents() {
    const ctx = await setup();
    await ctx.put(
      Array.from({ length: 10 }, (_, i) => ({ timestamp: NOW - 10_000 + i * 1000, message: `e${i}` })),
    );
    return ctx;
  }
  const msgs = (out: Out) => out.events.map((e: Out) => e.message);

  test("default: the latest events, oldest first within the page; tokens shaped like AWS", async () => {
    const { get } = await tenEvents();
    const out = await get({ limit: 3 });
    assert.deepEqual(msgs(out), ["e7", "e8", "e9"]);
    assert.match(out.nextForwardToken, FORWARD);
    assert.match(out.nextBackwardToken, BACKWARD);
    assert.deepEqual(msgs(await get()), ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"]);
  });

  test("backward paging to the head, then the same backward token", async () => {
    const { get } = await tenEvents();
    const pages: string[][] = [];
    let out = await get({ limit: 4 });
    pages.push(msgs(out));
    while (true) {
      const next = await get({ limit: 4, nextToken: out.nextBackwardToken });
      if (next.events.length === 0) {
        assert.equal(next.nextBackwardToken, out.nextBackwardToken);
        break;
      }
      pages.push(msgs(next));
      out = next;
    }
    assert.deepEqual(pages, [
      ["e6", "e7", "e8", "e9"],
      ["e2", "e3", "e4", "e5"],
      ["e0", "e1"],
    ]);
  });

  test("forward paging with startFromHead, then the same forward token at the end (and again)", async () => {
    const { get, put } = await tenEvents();
    let out = await get({ startFromHead: true, limit: 4 });
    const pages = [msgs(out)];
    let token = out.nextForwardToken;
    while (true) {
      out = await get({ startFromHead: true, limit: 4, nextToken: token });
      if (out.nextForwardToken === token) {
        assert.deepEqual(out.events, []);
        break;
      }
      pages.push(msgs(out));
      token = out.nextForwardToken;
    }
    assert.deepEqual(pages, [
      ["e0", "e1", "e2", "e3"],
      ["e4", "e5", "e6", "e7"],
      ["e8", "e9"],
    ]);
    const again = await get({ startFromHead: true, nextToken: token });
    assert.equal(again.nextForwardToken, token);
    assert.deepEqual(again.events, []);
    // the backward token from the end reads back the last events
    const back = await get({ limit: 2, nextToken: again.nextBackwardToken });
    assert.deepEqual(msgs(back), ["e8", "e9"]);
    // tailing: new events show up behind the same forward token
    await put([{ timestamp: NOW, message: "late" }]);
    const tail = await get({ startFromHead: true, nextToken: token });
    assert.deepEqual(msgs(tail), ["late"]);
    assert.notEqual(tail.nextForwardToken, token);
  });

  test("a forward token without startFromHead reads the tail after the token (pages get skipped, as in AWS)", async () => {
    const { get } = await tenEvents();
    const first = await get({ startFromHead: true, limit: 2 });
    const skipped = await get({ limit: 2, nextToken: first.nextForwardToken });
    assert.deepEqual(msgs(skipped), ["e8", "e9"]);
  });

  test("startTime inclusive, endTime exclusive", async () => {
    const { get } = await tenEvents();
    const out = await get({ startFromHead: true, startTime: NOW - 8000, endTime: NOW - 5000 });
    assert.deepEqual(msgs(out), ["e2", "e3", "e4"]);
    const fwd = await get({ startFromHead: true, startTime: NOW - 8000, endTime: NOW - 5000, limit: 2 });
    const rest = await get({
      startFromHead: true,
      startTime: NOW - 8000,
      endTime: NOW - 5000,
      limit: 2,
      nextToken: fwd.nextForwardToken,
    });
    assert.deepEqual(msgs(rest), ["e4"]);
    const none = await get({ startTime: NOW + 1 });
    assert.deepEqual(none.events, []);
  });

  test("empty stream: no events, zero tokens", async () => {
    const { get } = await setup();
    const out = await get();
    assert.deepEqual(out, {
      events: [],
      nextForwardToken: `f/${"0".repeat(56)}/s`,
      nextBackwardToken: `b/${"0".repeat(56)}/s`,
    });
    const again = await get({ startFromHead: true, nextToken: out.nextForwardToken });
    assert.equal(again.nextForwardToken, out.nextForwardToken);
  });

  test("a page holds at most 1 MB", async () => {
    const { put, get } = await setup();
    const big = "x".repeat(400_000);
    for (let i = 0; i < 3; i++) await put([{ timestamp: NOW - 100 + i, message: `${i}${big}` }]);
    const first = await get({ startFromHead: true });
    assert.equal(first.events.length, 2);
    const second = await get({ startFromHead: true, nextToken: first.nextForwardToken });
    assert.equal(second.events.length, 1);
    assert.equal(second.events[0].message[0], "2");
    const latest = await get();
    assert.deepEqual(
      latest.events.map((e: Out) => e.message[0]),
      ["1", "2"],
    );
  });

  test("errors", async () => {
    const { get, call } = await tenEvents();
    await rejects(
      get({ nextToken: "f/123/s" }),
      "InvalidParameterException",
      "The specified nextToken is invalid.",
    );
    await rejects(get({ limit: 0 }), "InvalidParameterException", /'limit'.*greater than or equal to 1/);
    await rejects(get({ limit: 10_001 }), "InvalidParameterException", /less than or equal to 10000/);
    await rejects(
      call("GetLogEvents", { logGroupName: "g", logStreamName: "nope" }),
      "ResourceNotFoundException",
      "The specified log stream does not exist.",
    );
    await rejects(
      call("GetLogEvents", { logGroupName: "nope", logStreamName: "s" }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
    await rejects(
      call("GetLogEvents", { logGroupName: "g" }),
      "InvalidParameterException",
      /Value null at 'logStreamName'/,
    );
    const viaArn = await call("GetLogEvents", {
      logGroupIdentifier: "arn:aws:logs:us-east-1:000000000000:log-group:g",
      logStreamName: "s",
      limit: 1,
    });
    assert.deepEqual(msgs(viaArn), ["e9"]);
  });
});
