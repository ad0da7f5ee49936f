/** Fault profiles: the registry, `name:key=value` specs, and the log-pipeline transforms on synthetic batches. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import type { InputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { goMarshal } from "../../emulator/agent/logging/goJson";
import type { BatchContext } from "../../emulator/agent/logging/uploader";
import {
  activateFault,
  composeLogHooks,
  controlsOf,
  FAULT_PROFILES,
  FaultSpecError,
  parseFaultSpec,
} from "../../emulator/faults";
import { BUILT_IN_PREFERENCES } from "../../emulator/ssm/documents";

const STREAMING: BatchContext = {
  mode: "streaming",
  logGroupName: "g",
  logStreamName: "tester-0123456789abcdef0",
};

function event(lines: string[], timestamp = 1_000, sessionId = STREAMING.logStreamName): InputLogEvent {
  return {
    timestamp,
    message: goMarshal({
      eventVersion: "1.0",
      eventTime: "2026-01-01T00:00:01Z",
      awsRegion: "us-east-1",
      target: { id: "i-0e5c1a2b3c4d5e6f7" },
      userIdentity: { arn: "arn:aws:iam::000000000000:user/tester" },
      runAsUser: "root",
      sessionId,
      sessionData: lines,
    }),
  };
}

const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${from + i}`);

async function transform(name: string, events: InputLogEvent[], context = STREAMING) {
  const { hooks } = activateFault(name);
  return hooks.logs!.transformBatch!(events, context);
}

describe("fault profiles: the registry", () => {
  test("names are unique and every profile says what breaks, who catches it and what they must say", () => {
    const names = FAULT_PROFILES.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    for (const p of FAULT_PROFILES) {
      assert.match(p.name, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(p.summary.length > 10 && p.aws.length > 10, p.name);
      assert.ok(p.caughtBy.length > 0 && p.caughtBy.every((req) => /^[A-Z]+-\d\d$/.test(req)), p.name);
      assert.ok(p.cause.length > 0, p.name);
      assert.ok(
        controlsOf(p).every((req) => !p.caughtBy.includes(req)),
        `${p.name}: a control is also a catcher`,
      );
      assert.doesNotThrow(() => p.create({ ...p.params }), p.name);
    }
  });

  test("the README describes every profile", () => {
    const readme = readFileSync(path.join(__dirname, "../../emulator/faults/README.md"), "utf8");
    for (const p of FAULT_PROFILES) assert.match(readme, new RegExp(`^\\| \`${p.name}\``, "m"), p.name);
  });

  test("specs: a name, or a name with numeric parameters overriding the defaults", () => {
    assert.deepEqual(parseFaultSpec("no-idle-timeout"), { name: "no-idle-timeout", params: {} });
    assert.deepEqual(parseFaultSpec("slow-logs:delayMs=20000"), {
      name: "slow-logs",
      params: { delayMs: 20000 },
    });
    const active = activateFault("late-idle-timeout:factor=3");
    assert.deepEqual(active.params, { factor: 3 });
    assert.equal(active.label, "late-idle-timeout:factor=3");
    assert.equal(active.hooks.relay!.idleTimeoutMs!(60_000), 180_000);
    assert.equal(activateFault({ name: "late-idle-timeout" }).hooks.relay!.idleTimeoutMs!(60_000), 180_000);
    assert.equal(activateFault("no-idle-timeout").hooks.relay!.idleTimeoutMs!(60_000), null);
  });

  for (const [spec, message] of [
    ["nope", /unknown fault profile "nope"; the profiles are no-idle-timeout, late-idle-timeout/],
    ["no-idle-timeout:x=1", /no-idle-timeout has no parameter "x" \(it takes none\)/],
    ["slow-logs:delay=1", /slow-logs has no parameter "delay" \(it has delayMs\)/],
    ["slow-logs:delayMs=", /slow-logs:delayMs must be a number >= 0, got ""/],
    ["slow-logs:delayMs=-5", /must be a number >= 0, got "-5"/],
  ] as const) {
    test(`refuses ${spec}`, () => {
      assert.throws(
        () => parseFaultSpec(spec),
        (e: unknown) => e instanceof FaultSpecError && message.test(e.message),
      );
    });
  }

  test("activity: each profile changes only the traffic it names", () => {
    const kinds = ["keys", "size", "ack", "resume", "output"] as const;
    const answers = (name: string) =>
      kinds.map((kind) =>
        activateFault(name).hooks.relay!.isActivity!(kind, kind !== "ack" && kind !== "output"),
      );
    assert.deepEqual(answers("output-resets-idle"), [true, true, false, true, true]);
    assert.deepEqual(answers("resize-not-activity"), [true, false, false, true, false]);
    assert.deepEqual(answers("idle-not-reset"), [false, false, false, false, false]);
  });
});

describe("fault profiles: the log pipeline", () => {
  test("drop-events loses the event carrying every 20th line of a session, per session", async () => {
    const { hooks } = activateFault("drop-events");
    const put = (events: InputLogEvent[], stream = STREAMING.logStreamName) =>
      hooks.logs!.transformBatch!(events, { ...STREAMING, logStreamName: stream });
    // Lines 1-8, 9-16 and 17-24: the third event carries line 20.
    const kept = await put([event(lines(1, 8)), event(lines(9, 8)), event(lines(17, 8))]);
    assert.deepEqual(
      kept.map((e) => JSON.parse(e.message!).sessionData[0]),
      ["line 1", "line 9"],
    );
    // Lines 25-39 carry no multiple of 20; 40 does.
    assert.equal((await put([event(lines(25, 15))])).length, 1);
    assert.equal((await put([event(lines(40, 1))])).length, 0);
    // Another session counts from its own start.
    assert.equal((await put([event(lines(1, 19))], "tester-other")).length, 1);
    // Upload-at-end text counts its lines too.
    const text = { timestamp: 1, message: lines(1, 25).join("\n") };
    assert.equal((await put([text], "tester-upload")).length, 0);
  });

  test("reorder-events delivers one event per line, newest first, in time order, well-formed", async () => {
    const out = await transform("reorder-events", [event(["a", "b"], 5_000), event(["c"], 5_000)]);
    assert.deepEqual(
      out.map((e) => [e.timestamp, JSON.parse(e.message!).sessionData]),
      [
        [5_000, ["c"]],
        [5_001, ["b"]],
        [5_002, ["a"]],
      ],
    );
    assert.deepEqual(Object.keys(JSON.parse(out[0]!.message!)), [
      "eventVersion",
      "eventTime",
      "awsRegion",
      "target",
      "userIdentity",
      "runAsUser",
      "sessionId",
      "sessionData",
    ]);
    const upload = { ...STREAMING, mode: "upload" as const };
    const text = [{ timestamp: 1, message: "a\nb" }];
    assert.deepEqual(await transform("reorder-events", text, upload), text);
  });

  test("bad-event-shape: alternately no userIdentity, or another session's id", async () => {
    const out = (await transform("bad-event-shape", [event(["a"]), event(["b"]), event(["c"])])).map((e) =>
      JSON.parse(e.message!),
    );
    assert.equal("userIdentity" in out[0], false);
    assert.equal(out[0].sessionId, STREAMING.logStreamName);
    assert.equal(out[1].userIdentity.arn, "arn:aws:iam::000000000000:user/tester");
    assert.equal(out[1].sessionId, "tester-0123456789abcdef1");
    assert.equal("userIdentity" in out[2], false);
  });

  test("slow-logs holds each batch back for delayMs; stop() releases it at once and later ones pass", async () => {
    const { hooks } = activateFault("slow-logs:delayMs=60000");
    const started = Date.now();
    const held = hooks.logs!.transformBatch!([event(["a"])], STREAMING);
    let released = false;
    void Promise.resolve(held).then(() => {
      released = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(released, false);
    hooks.stop!();
    assert.equal((await held).length, 1);
    assert.equal((await hooks.logs!.transformBatch!([event(["b"])], STREAMING)).length, 1);
    assert.ok(Date.now() - started < 5_000);

    const quick = activateFault("slow-logs:delayMs=100").hooks;
    const t0 = Date.now();
    await quick.logs!.transformBatch!([event(["a"])], STREAMING);
    assert.ok(Date.now() - t0 >= 95);
  });

  test("ansi-leak keeps the escape codes; composeLogHooks runs the caller's transform, then the fault's", async () => {
    assert.equal(activateFault("ansi-leak").hooks.logs!.keepAnsi, true);
    const seen: string[] = [];
    const composed = composeLogHooks(
      {
        transformBatch: (events) => {
          seen.push("own");
          return events.slice(1);
        },
      },
      activateFault("drop-events:everyNthLine=1").hooks.logs,
    );
    const out = await composed!.transformBatch!([event(["a"]), event(["b"])], STREAMING);
    assert.deepEqual(seen, ["own"]);
    assert.deepEqual(out, [], "the fault saw only what the caller's transform kept, and dropped it");
    assert.equal(composeLogHooks(undefined, undefined), undefined);
  });
});

describe("fault profiles: agent and account", () => {
  const prefs = {
    ...BUILT_IN_PREFERENCES,
    cloudWatchLogGroupName: "g",
    cloudWatchStreamingEnabled: true,
    cloudWatchEncryptionEnabled: true,
    kmsKeyId: "k",
  };
  const agent = (name: string) => activateFault(name).hooks.agent!.preferences!(prefs);

  test("the agent reads the preferences each profile breaks, and nothing else", () => {
    assert.equal(agent("no-encryption-check").cloudWatchEncryptionEnabled, false);
    assert.equal(agent("kms-ignored").kmsKeyId, "");
    assert.equal(agent("upload-at-end").cloudWatchStreamingEnabled, false);
    assert.equal(agent("always-stream").cloudWatchStreamingEnabled, true);
    assert.equal(agent("upload-at-end").cloudWatchEncryptionEnabled, true);
    const off = { ...prefs, cloudWatchStreamingEnabled: false, cloudWatchLogGroupName: "" };
    assert.equal(
      activateFault("always-stream").hooks.agent!.preferences!(off).cloudWatchStreamingEnabled,
      false,
    );
  });

  test("the account seeds: lax keeps AWS's defaults, deleted-log-group names a missing group", () => {
    const compliant = {
      idleSessionTimeout: "15",
      maxSessionDuration: "720",
      cloudWatchLogGroupName: "/enc",
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: true,
    };
    const groups = { plain: "/plain", encrypted: "/enc" };
    assert.deepEqual(activateFault("lax-preferences").hooks.account!.seed(compliant, groups), {
      idleSessionTimeout: "20",
      cloudWatchLogGroupName: "/plain",
      cloudWatchStreamingEnabled: false,
      cloudWatchEncryptionEnabled: false,
      retentionInDays: 30,
    });
    const deleted = activateFault("deleted-log-group").hooks.account!.seed(compliant, groups);
    assert.equal(deleted.cloudWatchLogGroupName, "/ssm-conformance/sessions/deleted");
    assert.equal(deleted.idleSessionTimeout, "15");
  });
});
