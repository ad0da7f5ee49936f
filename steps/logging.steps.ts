import assert from "node:assert/strict";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { Given, Then, When } from "@cucumber/cucumber";
import { commandLatencies, watcherFor } from "../support/checks/commandLogs";
import type { ConformanceWorld } from "../support/cucumber/world";
import { findLineOccurrences, LogWaitTimeout, linesOf } from "../support/logs/logWatcher";

/**
 * How long, as a multiple of the policy's latency, a step keeps looking so it can report how late an event
 * was: beyond 3x, so an event 3x the latency late is measured ("after 16.4 s, policy allows 5 s") rather
 * than only missed.
 */
const OVERRUN_FACTOR = 4;

Given("session preferences that stream logs to the plain log group", function (this: ConformanceWorld) {
  this.state.inputs = logging(this.target.logGroups.plain, { streaming: true, encryption: false });
});

Given(
  "session preferences that upload logs at the end to the plain log group",
  function (this: ConformanceWorld) {
    this.state.inputs = logging(this.target.logGroups.plain, { streaming: false, encryption: false });
  },
);

Given(
  /^session preferences that require encrypted logs in the (plain|encrypted) log group$/,
  function (this: ConformanceWorld, group: "plain" | "encrypted") {
    this.state.inputs = logging(this.target.logGroups[group], { streaming: true, encryption: true });
  },
);

Given("session preferences that encrypt session data with the KMS key", function (this: ConformanceWorld) {
  const keyId = this.target.capabilities.kmsKey.keyId;
  assert.ok(keyId, "the target has no KMS key");
  this.state.inputs = { ...this.state.inputs, kmsKeyId: keyId };
});

When(
  /^I run (\d+) marker commands?$/,
  { timeout: -1 },
  async function (this: ConformanceWorld, count: string) {
    for (let i = 0; i < Number(count); i++) {
      const marker = this.newMarker();
      await this.runMarked(`echo ${marker}`, marker);
    }
  },
);

When("I run a command whose output is a marker", async function (this: ConformanceWorld) {
  // Printed in two halves, so the typed command line does not contain the output.
  const marker = this.newMarker();
  const [head, tail] = splitMarker(marker);
  await this.runMarked(`printf '%s%s\\n' '${head}' '${tail}'`, marker, marker);
});

When("I run a command that prints a marker in colour", async function (this: ConformanceWorld) {
  const marker = this.newMarker();
  const [head, tail] = splitMarker(marker);
  await this.runMarked(`printf '\\033[1;31m%s%s\\033[0m\\n' '${head}' '${tail}'`, marker, marker);
});

Then(
  "each command appears in the session's log stream within the policy's latency",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const limitMs = this.maxCommandToLogMs();
    const watcher = watcherFor(this);
    const results = await commandLatencies(watcher, this.state.commands, limitMs * OVERRUN_FACTOR, limitMs);
    for (const r of results) {
      await this.evidence({
        kind: "command-to-log",
        measured: r.observableMs,
        required: limitMs,
        unit: "ms",
        ok: r.ok,
        sessionId: this.session.sessionId,
        logGroupName: watcher.logGroupName,
        logStreamName: watcher.logStreamName,
        details: { command: r.index, marker: r.marker, t0: r.t0, t1: r.t1, t2: r.t2, t3: r.t3 },
      });
    }
    const late = results.filter((r) => !r.ok).map((r) => r.message);
    assert.equal(
      late.length,
      0,
      `${late.join("; ")} (stream ${watcher.logGroupName}/${watcher.logStreamName})`,
    );
  },
);

Then("every event of the stream has the documented shape", async function (this: ConformanceWorld) {
  const watcher = watcherFor(this);
  const problems = watcher.events.flatMap((e, i) =>
    e.format !== "json"
      ? [`event ${i + 1} is not JSON`]
      : (e.problems ?? []).map((p) => `event ${i + 1}: ${p}`),
  );
  await this.evidence({
    kind: "event-shape",
    measured: problems.length === 0 ? "valid" : problems.join("; "),
    required: "every event valid",
    ok: problems.length === 0,
    logStreamName: this.session.sessionId,
    details: { events: watcher.events.length },
  });
  assert.ok(watcher.events.length > 0, "no events to check");
  assert.deepEqual(problems, [], `events that do not have the documented shape: ${problems.join("; ")}`);
});

Then(
  "the events name the session, the node, the caller and the shell's user",
  async function (this: ConformanceWorld) {
    const watcher = watcherFor(this);
    const [identity, whoami] = await Promise.all([
      this.target.clients.sts.send(new GetCallerIdentityCommand({})),
      this.session.run("whoami"),
    ]);
    const user = whoami.output.trim();
    const wrong: string[] = [];
    for (const [i, e] of watcher.events.entries()) {
      const ev = e.parsed;
      if (!ev) continue;
      if (ev.sessionId !== this.session.sessionId) wrong.push(`event ${i + 1}: sessionId ${ev.sessionId}`);
      if (ev.target.id !== this.target.nodeId) wrong.push(`event ${i + 1}: target.id ${ev.target.id}`);
      if (ev.userIdentity.arn !== identity.Arn)
        wrong.push(`event ${i + 1}: userIdentity.arn ${ev.userIdentity.arn}, caller is ${identity.Arn}`);
      if (ev.runAsUser !== user) wrong.push(`event ${i + 1}: runAsUser ${ev.runAsUser}, whoami says ${user}`);
    }
    await this.evidence({
      kind: "event-identity",
      measured: wrong.length === 0 ? "matches" : wrong.join("; "),
      required: `session ${this.session.sessionId}, node ${this.target.nodeId}, caller ${identity.Arn}, user ${user}`,
      ok: wrong.length === 0,
    });
    assert.deepEqual(wrong, [], `events whose fields do not match the session: ${wrong.join("; ")}`);
  },
);

Then("each event's time matches its timestamp", function (this: ConformanceWorld) {
  const watcher = watcherFor(this);
  // eventTime has second precision: it may trail the millisecond timestamp by up to a second.
  const off = watcher.events.flatMap((e, i) => {
    if (!e.parsed) return [];
    const skew = e.timestamp - Date.parse(e.parsed.eventTime);
    return skew < -1000 || skew > 2000
      ? [`event ${i + 1}: eventTime ${e.parsed.eventTime} vs timestamp ${e.timestamp}`]
      : [];
  });
  assert.deepEqual(off, [], "events whose eventTime does not match their timestamp");
});

Then(
  "every command appears in the log stream exactly once and in order",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const watcher = watcherFor(this);
    const limitMs = this.maxCommandToLogMs();
    const last = this.state.commands.at(-1)!;
    // A lost last command is reported below with the others, not as a timeout.
    await watcher.waitForMarker(`echo ${last.marker};`, limitMs * OVERRUN_FACTOR).catch((error: Error) => {
      if (!(error instanceof LogWaitTimeout)) throw error;
    });
    const lines = linesOf(watcher.events);
    const positions = this.state.commands.map((c) => ({
      marker: c.marker,
      at: findLineOccurrences(lines, `echo ${c.marker};`),
    }));
    const problems = positions.flatMap((p, i) => {
      if (p.at.length !== 1) return [`command ${i + 1} (${p.marker}) appears ${p.at.length} times`];
      const before = positions[i - 1]?.at[0];
      return before !== undefined && p.at[0]! < before
        ? [`command ${i + 1} is logged before command ${i}`]
        : [];
    });
    await this.evidence({
      kind: "commands-once-in-order",
      measured: problems.length === 0 ? "once, in order" : problems.join("; "),
      required: "once, in order",
      ok: problems.length === 0,
      logStreamName: this.session.sessionId,
      details: { commands: positions.length },
    });
    assert.deepEqual(
      problems,
      [],
      `${problems.join("; ")} (stream ${watcher.logGroupName}/${watcher.logStreamName})`,
    );
  },
);

Then(
  "the output appears in the session's log stream",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const command = lastCommand(this);
    const watcher = watcherFor(this);
    const event = await watcher.waitFor(
      (e) => e.lines.some((line) => line.trim() === command.expectedOutput),
      this.maxCommandToLogMs() * OVERRUN_FACTOR,
      `line equal to the output ${command.expectedOutput}`,
    );
    await this.evidence({
      kind: "output-logged",
      measured: event.firstSeenAt - command.sentAt,
      unit: "ms",
      ok: true,
      logStreamName: this.session.sessionId,
    });
  },
);

Then(
  "the log stream has the marker without escape codes",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const command = lastCommand(this);
    const watcher = watcherFor(this);
    const match = await watcher.waitFor(
      (e) => e.lines.some((line) => line.includes(command.expectedOutput!) && !line.includes("printf")),
      this.maxCommandToLogMs() * OVERRUN_FACTOR,
      `the output line with ${command.expectedOutput}`,
    );
    const line = match.lines.find((l) => l.includes(command.expectedOutput!) && !l.includes("printf"))!;
    await this.evidence({
      kind: "ansi-stripped",
      measured: JSON.stringify(line),
      required: JSON.stringify(command.expectedOutput),
      ok: line === command.expectedOutput,
    });
    assert.equal(
      line,
      command.expectedOutput,
      line.includes("\x1b")
        ? `the logged output line still has escape codes: ${JSON.stringify(line)}`
        : "the logged output line, with colour codes stripped",
    );
  },
);

Then(
  "the output is not in the log stream while the session is open",
  { timeout: -1 },
  async function (this: ConformanceWorld) {
    const command = lastCommand(this);
    const watcher = watcherFor(this);
    const windowMs = this.maxCommandToLogMs();
    const early = await watcher
      .waitFor((e) => e.lines.some((line) => line.includes(command.expectedOutput!)), windowMs, "the output")
      .catch(() => undefined);
    await this.evidence({
      kind: "no-streaming-before-end",
      measured: early ? "logged while open" : "not logged while open",
      required: "not logged while open",
      ok: !early,
      details: { windowMs },
    });
    assert.ok(
      !early,
      `the output reached ${watcher.logStreamName} while the session was open: logs are being streamed`,
    );
    assert.ok(!this.session.isClosed, "the session closed during the check");
  },
);

Then("every command's output came back", function (this: ConformanceWorld) {
  for (const command of this.state.commands) {
    assert.match(command.output, new RegExp(command.marker), `output of ${command.command}`);
  }
});

Then("the session says {string}", function (this: ConformanceWorld, text: string) {
  const said = this.session.handshakeResult?.customerMessage ?? "";
  assert.ok(
    said.includes(text) || this.session.transcript.text.includes(text),
    `the session did not say ${JSON.stringify(text)}`,
  );
});

function logging(group: string, options: { streaming: boolean; encryption: boolean }) {
  return {
    cloudWatchLogGroupName: group,
    cloudWatchStreamingEnabled: options.streaming,
    cloudWatchEncryptionEnabled: options.encryption,
  };
}

function splitMarker(marker: string): [string, string] {
  const half = Math.floor(marker.length / 2);
  return [marker.slice(0, half), marker.slice(half)];
}

function lastCommand(world: ConformanceWorld) {
  const command = world.state.commands.at(-1);
  assert.ok(command?.expectedOutput, "no command with a known output was run");
  return command as typeof command & { expectedOutput: string };
}
