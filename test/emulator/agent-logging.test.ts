import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { InputLogEvent, PutLogEventsRequest } from "@aws-sdk/client-cloudwatch-logs";
import { goMarshal } from "../../emulator/agent/logging/goJson";
import type { LogsApi } from "../../emulator/agent/logging/logsApi";
import { SessionLogRecorder } from "../../emulator/agent/logging/recorder";
import {
  StreamingShipper,
  type StreamingShipperOptions,
  UploadAtEndShipper,
} from "../../emulator/agent/logging/shippers";
import { decodeUtf8Go } from "../../emulator/agent/shell/utf8";
import { createLogger } from "../../emulator/logger";

const awsError = (name: string) => Object.assign(new Error(`${name}: injected`), { name });

/** In-memory CloudWatch Logs: one group, streams, sequence tokens, and injected failures per operation. */
class FakeLogs implements LogsApi {
  readonly calls: string[] = [];
  readonly puts: { at: number; input: PutLogEventsRequest }[] = [];
  readonly streams = new Map<string, InputLogEvent[]>();
  readonly failures: Record<string, string[]> = {};
  /** Return nextSequenceToken from PutLogEvents (real CloudWatch Logs no longer needs it). */
  tokens = true;
  private seq = 0;
  putDelayMs = 0;

  fail(op: string, code: string): void {
    this.failures[op] = [...(this.failures[op] ?? []), code];
  }

  private check(op: string): void {
    this.calls.push(op);
    const code = this.failures[op]?.shift();
    if (code) throw awsError(code);
  }

  async describeLogGroups() {
    this.check("describeLogGroups");
    return { logGroups: [{ logGroupName: "g" }] };
  }

  async createLogStream(input: { logStreamName: string | undefined }) {
    this.check("createLogStream");
    if (this.streams.has(input.logStreamName!)) throw awsError("ResourceAlreadyExistsException");
    this.streams.set(input.logStreamName!, []);
    return {};
  }

  async describeLogStreams(input: { logStreamNamePrefix?: string }) {
    this.check("describeLogStreams");
    const name = input.logStreamNamePrefix!;
    const uploadSequenceToken = this.tokens ? String(this.seq) : undefined;
    return { logStreams: this.streams.has(name) ? [{ logStreamName: name, uploadSequenceToken }] : [] };
  }

  async putLogEvents(input: PutLogEventsRequest) {
    this.check("putLogEvents");
    const at = Date.now();
    if (this.putDelayMs) await sleep(this.putDelayMs);
    const stream = this.streams.get(input.logStreamName!);
    if (!stream) throw awsError("ResourceNotFoundException");
    if (this.tokens && input.sequenceToken !== String(this.seq))
      throw awsError("InvalidSequenceTokenException");
    stream.push(...input.logEvents!);
    this.puts.push({ at, input });
    this.seq++;
    return this.tokens ? { nextSequenceToken: String(this.seq) } : {};
  }

  /** Events of the session's stream, messages parsed as JSON. */
  sessionData(): string[][] {
    return (this.streams.get("sess-1") ?? []).map((e) => JSON.parse(e.message!).sessionData);
  }
}

function streaming(
  logs: FakeLogs,
  recorder: SessionLogRecorder,
  extra: Partial<StreamingShipperOptions> = {},
) {
  const shipper = new StreamingShipper({
    logsApi: logs,
    recorder,
    logGroupName: "g",
    sessionId: "sess-1",
    region: "us-east-1",
    targetId: "i-0123456789abcdef0",
    sessionOwner: "arn:aws:iam::123456789012:user/alice",
    runAsUser: "ssm-user",
    uploadIntervalMs: 10,
    ...extra,
  });
  shipper.start();
  return shipper;
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}

describe("StreamingShipper", () => {
  it("builds the agent's JSON event: key order, eventTime, sessionData, timestamp", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const now = Date.UTC(2024, 9, 21, 18, 8, 11, 789);
    const shipper = streaming(logs, recorder, { now: () => now });
    recorder.append(Buffer.from("# echo\t'<a> & b'\r\n<a> & b\r\n\r\n# "));
    await until(() => logs.puts.length === 1);
    assert.equal((await shipper.finish()).status, "complete");
    const [first, last] = logs.streams.get("sess-1")!;
    assert.equal(
      first!.message,
      '{"eventVersion":"1.0","eventTime":"2024-10-21T18:08:11Z","awsRegion":"us-east-1",' +
        '"target":{"id":"i-0123456789abcdef0"},"userIdentity":{"arn":"arn:aws:iam::123456789012:user/alice"},' +
        '"runAsUser":"ssm-user","sessionId":"sess-1",' +
        '"sessionData":["# echo \'\\u003ca\\u003e \\u0026 b\'","\\u003ca\\u003e \\u0026 b",""]}',
    );
    assert.equal(first!.timestamp, now);
    assert.deepEqual(JSON.parse(last!.message!).sessionData, ["# "]);
  });

  it("ships complete lines only; a partial line waits for its end or the session end", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const shipper = streaming(logs, recorder);
    recorder.append(Buffer.from("$ ech"));
    await sleep(60);
    assert.equal(logs.puts.length, 0);
    recorder.append(Buffer.from("o hi\r\nhi\r\n$ "));
    await until(() => logs.puts.length === 1);
    assert.deepEqual(logs.sessionData(), [["$ echo hi", "hi"]]);
    await shipper.finish();
    assert.deepEqual(logs.sessionData(), [["$ echo hi", "hi"], ["$ "]]);
    assert.deepEqual(logs.calls.slice(0, 3), ["createLogStream", "describeLogStreams", "putLogEvents"]);
  });

  it("packs lines into events of at most 33,000 bytes, at most 4 events per put", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const lines = Array.from({ length: 15 }, (_, i) => `${String(i).padStart(2, "0")}${"x".repeat(9_998)}\n`);
    recorder.append(Buffer.from(lines.join("")));
    recorder.append(Buffer.from(`${"y".repeat(40_000)}\n`)); // longer than the read buffer: cut at 33,000
    const shipper = streaming(logs, recorder);
    await shipper.finish();
    assert.deepEqual(
      logs.puts.map((p) => p.input.logEvents!.length),
      [4, 3],
    );
    const data = logs.sessionData();
    assert.deepEqual(
      data.map((d) => d.length),
      [3, 3, 3, 3, 3, 1, 1],
    );
    for (const d of data) assert.ok(d.join("\n").length <= 33_000);
    assert.deepEqual(
      data.slice(0, 5).flat(),
      lines.map((l) => l.slice(0, -1)),
    );
    assert.deepEqual(data.slice(5).flat(), ["y".repeat(33_000), "y".repeat(7_000)]);
  });

  it("strips ANSI sequences from each line", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    recorder.append(
      Buffer.from("\x1b]0;t\x07\x1b[?2004h# ls --color\r\n\x1b[0m\x1b[01;34mdir\x1b[0m\r\nbad\x1b(B\r\n"),
    );
    await streaming(logs, recorder).finish();
    assert.deepEqual(logs.sessionData(), [["# ls --color", "dir", "bad\x1b(B"]]);
  });

  it("retries the same lines after a transient error: nothing lost, nothing duplicated", async () => {
    const logs = new FakeLogs();
    logs.fail("putLogEvents", "ServiceUnavailableException");
    logs.fail("putLogEvents", "ThrottlingException");
    const recorder = new SessionLogRecorder();
    const shipper = streaming(logs, recorder);
    recorder.append(Buffer.from("one\r\ntwo\r\n"));
    await until(() => logs.puts.length === 1);
    recorder.append(Buffer.from("three\r\n"));
    const result = await shipper.finish();
    assert.equal(result.status, "complete");
    assert.deepEqual(logs.sessionData().flat(), ["one", "two", "three"]);
    assert.equal(logs.calls.filter((c) => c === "createLogStream").length, 1);
  });

  it("refetches the sequence token when it is rejected or not returned", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const shipper = streaming(logs, recorder);
    recorder.append(Buffer.from("a\n"));
    await until(() => logs.puts.length === 1);
    logs.fail("putLogEvents", "InvalidSequenceTokenException");
    recorder.append(Buffer.from("b\n"));
    await until(() => logs.puts.length === 2);
    logs.tokens = false;
    recorder.append(Buffer.from("c\n"));
    await until(() => logs.puts.length === 3);
    recorder.append(Buffer.from("d\n"));
    await shipper.finish();
    assert.deepEqual(logs.sessionData().flat(), ["a", "b", "c", "d"]);
    assert.deepEqual(logs.calls, [
      ...["createLogStream", "describeLogStreams", "putLogEvents"],
      ...["putLogEvents", "describeLogStreams", "putLogEvents"],
      "putLogEvents",
      ...["describeLogStreams", "putLogEvents"],
    ]);
  });

  it("stops streaming for the session on ResourceNotFoundException", async () => {
    const logs = new FakeLogs();
    logs.fail("putLogEvents", "ResourceNotFoundException");
    const recorder = new SessionLogRecorder();
    const lines: string[] = [];
    const sink = { write: (l: string) => lines.push(l) } as unknown as typeof process.stderr;
    const logger = createLogger("error", "agent", sink);
    const shipper = streaming(logs, recorder, { logger });
    recorder.append(Buffer.from("lost\n"));
    assert.equal((await shipper.done).status, "stopped");
    recorder.append(Buffer.from("more\n"));
    await sleep(50);
    assert.equal((await shipper.finish()).status, "stopped");
    assert.deepEqual(logs.calls, ["createLogStream", "describeLogStreams", "putLogEvents"]);
    assert.match(lines.join(""), /Log group "g" or log stream "sess-1" not found\. Log stream stopped\./);
  });

  it("tolerates an existing stream and stops when the stream cannot be created", async () => {
    const logs = new FakeLogs();
    logs.streams.set("sess-1", []);
    const recorder = new SessionLogRecorder();
    recorder.append(Buffer.from("x\n"));
    assert.equal((await streaming(logs, recorder).finish()).status, "complete");
    assert.deepEqual(logs.sessionData(), [["x"]]);

    const denied = new FakeLogs();
    denied.fail("createLogStream", "AccessDeniedException");
    assert.equal((await streaming(denied, recorder).finish()).status, "stopped");
  });

  it("ticks every second by default (never scaled)", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const start = Date.now();
    const shipper = streaming(logs, recorder, { uploadIntervalMs: undefined });
    recorder.append(Buffer.from("first\n"));
    await until(() => logs.puts.length === 1, 3000);
    const elapsed = logs.puts[0]!.at - start;
    assert.ok(elapsed >= 990 && elapsed < 1500, `first put after ${elapsed} ms`);
    await shipper.finish();
  });

  it("applies the batch transform hook before each put", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const seen: string[] = [];
    const shipper = streaming(logs, recorder, {
      hooks: {
        transformBatch: (events, context) => {
          seen.push(`${context.mode}:${events.length}`);
          return events.filter((e) => !e.message!.includes("secret"));
        },
      },
    });
    recorder.append(Buffer.from("secret\n"));
    await until(() => seen.length === 1);
    recorder.append(Buffer.from("public\n"));
    await shipper.finish();
    assert.deepEqual(seen, ["streaming:1", "streaming:1"]);
    assert.deepEqual(logs.sessionData(), [["public"]]);
  });

  it("finish() gives up after its timeout", async () => {
    const logs = new FakeLogs();
    logs.putDelayMs = 500;
    const recorder = new SessionLogRecorder();
    recorder.append(Buffer.from("slow\n"));
    const result = await streaming(logs, recorder, { finishTimeoutMs: 100 }).finish();
    assert.equal(result.status, "timeout");
    await sleep(500); // let the slow put settle
  });
});

describe("UploadAtEndShipper", () => {
  it("uploads the raw transcript at finish: CRLF -> LF, ANSI kept, final newline removed", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const shipper = new UploadAtEndShipper({
      logsApi: logs,
      recorder,
      logGroupName: "g",
      sessionId: "sess-1",
      uploadIntervalMs: 100,
    });
    recorder.append(Buffer.from("$ ls\r\n\x1b[0m\x1b[01;34mdir\x1b[0m\tf\r\n$ exit\r\n"));
    await sleep(50);
    assert.equal(logs.calls.length, 0);
    const started = Date.now();
    assert.equal((await shipper.finish()).status, "complete");
    assert.ok(logs.puts[0]!.at - started >= 95, "the first put comes one tick after finish");
    assert.deepEqual(
      logs.streams.get("sess-1")!.map((e) => e.message),
      ["$ ls\n\x1b[0m\x1b[01;34mdir\x1b[0m\tf\n$ exit"],
    );
  });

  it("splits a large transcript into events of at most 200,000 bytes, 4 per put, one put per tick", async () => {
    const logs = new FakeLogs();
    const recorder = new SessionLogRecorder();
    const line = `${"z".repeat(99)}\n`;
    recorder.append(Buffer.from(line.repeat(10_000))); // 1,000,000 bytes
    const shipper = new UploadAtEndShipper({
      logsApi: logs,
      recorder,
      logGroupName: "g",
      sessionId: "sess-1",
      uploadIntervalMs: 200,
    });
    const started = Date.now();
    await shipper.finish();
    assert.deepEqual(
      logs.puts.map((p) => p.input.logEvents!.map((e) => e.message!.length)),
      [[199_999, 199_999, 199_999, 199_999], [199_999]],
    );
    // A tick never comes before its time on the 200 ms grid (a late one may come right after the previous).
    assert.ok(logs.puts[1]!.at - started >= 395, "the second put waits for the second tick");
  });
});

describe("Go JSON and UTF-8 helpers", () => {
  it("escapes like Go's encoding/json", () => {
    assert.equal(
      goMarshal('<>&"\\\u0001\b\f\n\r\t\u2028\u007f é'),
      '"\\u003c\\u003e\\u0026\\"\\\\\\u0001\\b\\f\\n\\r\\t\\u2028\u007f é"',
    );
    assert.equal(goMarshal(Buffer.from([0x61, 0xe2, 0x82, 0x62, 0xff])), '"a\\ufffd\\ufffdb\\ufffd"');
  });

  it("decodes invalid UTF-8 with one U+FFFD per byte, as Go does", () => {
    assert.equal(
      decodeUtf8Go(Buffer.from([0xe2, 0xac, 0x0a, 0xed, 0xa0, 0x80])),
      "\ufffd\ufffd\n\ufffd\ufffd\ufffd",
    );
  });
});

describe("SessionLogRecorder", () => {
  it("keeps what was sent up to its cap and counts the rest", () => {
    const recorder = new SessionLogRecorder({ capBytes: 10 });
    recorder.append(Buffer.from("12345"));
    const view = recorder.contents();
    recorder.append(Buffer.from("6789abc"));
    assert.equal(view.toString(), "12345");
    assert.equal(recorder.contents().toString(), "123456789a");
    assert.equal(recorder.droppedBytes, 2);
  });
});
