/**
 * Frame and request fuzzing (fast-check, fixed seed, time-boxed): the stack never crashes, answers each
 * malformed input with its documented error or close reason, and serves a normal session afterwards.
 * - random first text frames on the data channel: closed with 1008 and one of the gateway's reasons
 *   (or 1007 for text that is not UTF-8, ws's own answer);
 * - mutated and random binary frames after a valid open: dropped or relayed tolerantly, never fatal; the
 *   socket stays usable (a well-formed frame still reaches the agent, which acknowledges it);
 * - malformed API requests (bodies, targets, content types, headers): an AWS-shaped 4xx error, never a 5xx
 *   and never a dropped connection.
 * FUZZ_SEED and FUZZ_RUNS override the seed and the number of runs per property.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StartSessionCommand, TerminateSessionCommand } from "@aws-sdk/client-ssm";
import fc from "fast-check";
import WebSocket from "ws";
import {
  clientOpenDataChannel,
  decodeFrame,
  encodeFrame,
  MessageType,
  PayloadType,
  streamDataFrame,
} from "../../protocol";
import { CLIENT_VERSION } from "../../support/session/sessionClient";
import { startTestStack, type TestStack } from "../emulator/stack-support";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const TIME_LIMIT_MS = 15_000;
const OPEN_REASONS = [
  /first frame must be a text frame/,
  /open frame is not a JSON object/,
  /TokenValue is missing/,
  /TokenValue is invalid or was already used/,
  /TokenValue does not belong to this channel/,
  /TokenValue has expired/,
];

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

function closeOf(socket: WebSocket, timeoutMs = 5_000): Promise<{ code: number; reason: string } | "open"> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("open"), timeoutMs);
    socket.once("close", (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString("utf8") });
    });
  });
}

describe(`reliability: fuzzing the data channel and the API (seed ${SEED})`, () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack();
  });
  after(async () => {
    await t?.stop();
  });

  test("random first frames are refused with a documented close reason", async () => {
    const started = await t.ssm.send(new StartSessionCommand({ Target: t.stack.nodeIds[0]! }));
    const firstFrame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 2 }),
      fc
        .record({
          MessageSchemaVersion: fc.constantFrom("1.0", "", 1),
          RequestId: fc.uuid(),
          TokenValue: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(undefined), fc.integer()),
          ClientId: fc.uuid(),
        })
        .map((o) => JSON.stringify(o)),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(firstFrame, async (frame) => {
        const socket = await connect(started.StreamUrl!);
        socket.on("error", () => undefined);
        const closed = closeOf(socket);
        socket.send(frame);
        const outcome = await closed;
        if (outcome === "open") {
          socket.terminate();
          throw new Error(
            `the gateway kept the socket open after ${JSON.stringify(String(frame).slice(0, 80))}`,
          );
        }
        if (outcome.code === 1007) return; // ws: a text frame that is not valid UTF-8
        assert.equal(outcome.code, 1008, `close code for ${JSON.stringify(String(frame).slice(0, 80))}`);
        assert.ok(
          OPEN_REASONS.some((r) => r.test(outcome.reason)),
          `undocumented close reason ${JSON.stringify(outcome.reason)}`,
        );
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
    await t.ssm.send(new TerminateSessionCommand({ SessionId: started.SessionId! }));
  });

  test("mutated and random binary frames after a valid open never break the channel", async () => {
    const started = await t.ssm.send(new StartSessionCommand({ Target: t.stack.nodeIds[0]! }));
    const socket = await connect(started.StreamUrl!);
    socket.on("error", () => undefined);
    const acks: number[] = [];
    let closedBy: { code: number; reason: string } | undefined;
    socket.on("close", (code, reason) => {
      closedBy = { code, reason: reason.toString("utf8") };
    });
    socket.on("message", (data, isBinary) => {
      if (!isBinary) return;
      try {
        const frame = decodeFrame(data as Buffer);
        if (frame.messageType === MessageType.Acknowledge) {
          acks.push(JSON.parse(frame.payload.toString("utf8")).AcknowledgedMessageSequenceNumber);
        }
      } catch {
        // the agent's output frames are checked elsewhere
      }
    });
    socket.send(clientOpenDataChannel({ token: started.TokenValue!, clientVersion: CLIENT_VERSION }));
    // A harmless base frame: a shell comment, never a command (no CR/LF is ever part of the payload).
    const base = encodeFrame(
      streamDataFrame(
        MessageType.InputStreamData,
        1_000_000,
        PayloadType.Output,
        Buffer.from("# fuzz", "utf8"),
      ),
    );
    const mutated = fc
      .array(fc.tuple(fc.nat({ max: 119 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((edits) => {
        const copy = Buffer.from(base);
        for (const [at, value] of edits) copy[at] = value;
        return copy;
      });
    const truncated = fc.nat({ max: base.length - 1 }).map((n) => base.subarray(0, n));
    const random = fc.uint8Array({ minLength: 0, maxLength: 400 }).map((b) => Buffer.from(b));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, truncated, random), async (frame) => {
        socket.send(frame);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(closedBy, undefined, `the channel closed: ${JSON.stringify(closedBy)}`);
      }),
      { seed: SEED, numRuns: RUNS * 4, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
    // The channel still works end to end: a well-formed input (seq 0, a comment) is acknowledged.
    socket.send(
      encodeFrame(
        streamDataFrame(MessageType.InputStreamData, 0, PayloadType.Output, Buffer.from("# ok", "utf8")),
      ),
    );
    const deadline = Date.now() + 10_000;
    while (!acks.includes(0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(acks.includes(0), "the agent acknowledged a well-formed frame after the fuzzing");
    socket.terminate();
    await t.ssm.send(new TerminateSessionCommand({ SessionId: started.SessionId! }));
  });

  test("malformed API requests get an AWS-shaped 4xx error, never a 5xx or a dropped connection", async () => {
    const targets = fc.oneof(
      fc.constantFrom(
        "AmazonSSM.StartSession",
        "AmazonSSM.DescribeSessions",
        "AmazonSSM.CreateDocument",
        "Logs_20140328.FilterLogEvents",
        "Logs_20140328.PutLogEvents",
        "TrentService.Decrypt",
        "AmazonSSM.",
        ".",
      ),
      fc.string({ maxLength: 40 }),
    );
    const contentTypes = fc.constantFrom(
      "application/x-amz-json-1.1",
      "application/x-amz-json-1.0",
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/json",
    );
    const bodies = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      fc
        .dictionary(
          fc.constantFrom("Target", "logGroupName", "logEvents", "Content", "Name", "SessionId", "limit"),
          fc.oneof(
            fc.string({ maxLength: 20 }),
            fc.integer(),
            fc.boolean(),
            fc.constant(null),
            fc.array(fc.integer()),
          ),
        )
        .map((o) => JSON.stringify(o)),
    );
    const headerJunk = fc.dictionary(
      fc.constantFrom("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "Content-Encoding", "Host"),
      fc.string({ maxLength: 60 }).filter((v) => /^[\x20-\x7e]*$/.test(v)),
    );
    await fc.assert(
      fc.asyncProperty(targets, contentTypes, bodies, headerJunk, async (target, type, body, junk) => {
        const headers: Record<string, string> = { "Content-Type": type, ...junk };
        if (/^[\x21-\x7e]*$/.test(target) && target !== "") headers["X-Amz-Target"] = target;
        delete headers.Host;
        const response = await fetch(t.stack.endpoint, { method: "POST", headers, body });
        const text = await response.text();
        assert.ok(
          response.status >= 400 && response.status < 500,
          `status ${response.status} for ${target} ${type} ${body.slice(0, 80)}: ${text.slice(0, 200)}`,
        );
        assert.ok(
          /"__type"\s*:/.test(text) || /<Code>|<BadRequest/.test(text),
          `not an AWS-shaped error: ${text.slice(0, 200)}`,
        );
      }),
      { seed: SEED, numRuns: RUNS * 3, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
  });

  test("after the fuzzing, a normal session still works", async () => {
    const client = await t.open({ Target: t.stack.nodeIds[0]! });
    const result = await client.run("echo fuzz-$((40+2))");
    assert.equal(result.output.trim(), "fuzz-42");
    await client.dispose();
  });
});
