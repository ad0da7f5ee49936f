/**
 * The stack end to end, as a client sees it: a session's prompt and commands, DescribeSessions, the
 * TerminateSession path (spec 10.2), ResumeSession after a dropped socket (spec 2.3, 9: the same shell goes
 * on, output produced while the client was away arrives once and in order) and a KMS-encrypted session
 * (spec 8). No service timers matter here.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ResumeSessionCommand } from "@aws-sdk/client-ssm";
import { SessionClient } from "../../support/session/sessionClient";
import {
  createSessionDocument,
  describeSession,
  isAlive,
  lineCount,
  startTestStack,
  type TestStack,
  unique,
  waitUntil,
} from "./stack-support";

const KMS_MESSAGE = "This session is encrypted using AWS KMS.";
/** Lines of output produced around a dropped connection. */
const LINES = 200;

describe("stack: sessions", { concurrency: true }, () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack();
  });
  after(async () => {
    await t?.stop();
  });

  test("a session shows the prompt, runs a command, and is Connected with the caller as Owner", async () => {
    const target = t.stack.nodeIds[0]!;
    const client = await t.open({ Target: target });
    const prompt = await client.waitFor(/[#$] $/, 5_000);
    assert.ok(prompt.index >= 0, "the first output is the shell prompt");

    const marker = unique("hello");
    const result = await client.run(`echo ${marker}`);
    assert.equal(result.output.replace(/\r?\n$/, "").replace(/\r/g, ""), marker, "echo's output");
    assert.equal(lineCount(client.transcript.text, marker), 1, "the marker line appears once");

    const session = await describeSession(t.ssm, client.sessionId, "Active");
    assert.ok(session, `DescribeSessions(Active) lists ${client.sessionId}`);
    assert.equal(session.Status, "Connected");
    assert.equal(session.Owner, t.callerArn);
    assert.equal(session.Target, target);
    assert.equal(session.DocumentName, "SSM-SessionManagerRunShell");
    assert.ok(session.StartDate instanceof Date, "StartDate is set");
    assert.equal(session.EndDate, undefined, "an active session has no EndDate");
    await client.dispose();
  });

  test("TerminateSession closes the channel, marks the session Terminated and kills the shell", async () => {
    const client = await t.open({ Target: t.stack.nodeIds[1]! });
    const pidText = (await client.run("echo $$")).output.trim();
    const shellPid = Number(pidText);
    assert.ok(Number.isInteger(shellPid) && shellPid > 1, `the shell printed its pid, got ${pidText}`);
    assert.ok(isAlive(shellPid), `shell ${shellPid} runs before TerminateSession`);

    const closed = await client.terminate(5_000);
    assert.equal(closed.kind, "channel_closed", "the service sent channel_closed (not a client timeout)");
    assert.equal(closed.output, "", "TerminateSession's channel_closed has an empty Output");

    const session = await describeSession(t.ssm, client.sessionId, "History");
    assert.equal(session?.Status, "Terminated", "DescribeSessions(History) shows the session Terminated");
    assert.ok(session.EndDate instanceof Date, "EndDate is set");
    assert.equal(await describeSession(t.ssm, client.sessionId, "Active"), undefined, "no longer active");

    await waitUntil(() => (isAlive(shellPid) ? undefined : true), 3_000, `shell ${shellPid} to be gone`);
    const resumed = await t.ssm.send(new ResumeSessionCommand({ SessionId: client.sessionId }));
    assert.equal(resumed.TokenValue, undefined, "a terminated session cannot be resumed");
  });

  for (const how of ["alias", "key ARN"] as const) {
    test(`a KMS-encrypted session (kmsKeyId = ${how}) round-trips commands`, async () => {
      const key = t.stack.kmsKeys[0]!;
      const kmsKeyId = how === "alias" ? "alias/ssm-conformance" : key.arn;
      assert.ok(key.aliases.includes("alias/ssm-conformance"), "the stack's key has the documented alias");
      const document = await createSessionDocument(t.ssm, { kmsKeyId });
      const client = await SessionClient.start(
        { Target: t.stack.nodeIds[0]!, DocumentName: document },
        { ssm: t.ssm, kms: t.kms },
      );
      try {
        assert.equal(client.encrypted, true, "the session negotiated KMS encryption");
        assert.equal(client.handshakeResult?.customerMessage, KMS_MESSAGE);
        for (let i = 0; i < 3; i++) {
          const marker = unique(`kms${i}`);
          const result = await client.run(`echo ${marker} | tr a-z A-Z`);
          assert.equal(
            result.output.trim(),
            marker.toUpperCase(),
            `command ${i} through the encrypted channel`,
          );
        }
      } finally {
        await client.dispose();
      }
    });
  }

  test("after a dropped socket, ResumeSession continues the same shell with no lost or repeated output", async () => {
    const client = await t.open({ Target: t.stack.nodeIds[0]! });
    const value = unique("kept");
    await client.run(`V=${value}`);
    const pidBefore = (await client.run("echo $$")).output.trim();

    // Drop the socket in the middle of a stream of output (~1 s of it): frames in flight are lost at the
    // drop, and the rest is produced while the client is away.
    const from = client.transcript.text.length;
    client.send(`for i in $(seq 1 ${LINES}); do echo line-$i; sleep 0.005; done; echo loop-"done"\r`);
    await client.waitFor(/\nline-1\r?\n/, 5_000, from);
    client.dropConnection();
    const seenBeforeDrop = client.transcript.text.length;
    await waitUntil(
      async () =>
        (await describeSession(t.ssm, client.sessionId, "Active"))?.Status === "Disconnected"
          ? true
          : undefined,
      3_000,
      "DescribeSessions to show the dropped session Disconnected",
    );

    await client.resume();
    await client.waitFor(/\nloop-done\r?\n/, 15_000, from);
    assert.ok(
      !client.transcript.text.slice(from, seenBeforeDrop).includes(`line-${LINES}\r`),
      "the drop happened before the loop finished",
    );
    assert.equal(
      (await describeSession(t.ssm, client.sessionId, "Active"))?.Status,
      "Connected",
      "Connected again after ResumeSession",
    );
    const lines = client.transcript.text
      .slice(from)
      .split("\n")
      .map((l) => l.replace(/\r$/, ""))
      .filter((l) => /^line-\d+$/.test(l));
    const expected = Array.from({ length: LINES }, (_, i) => `line-${i + 1}`);
    if (lines.length !== LINES || lines.some((l, i) => l !== expected[i])) {
      const firstBad = lines.findIndex((l, i) => l !== expected[i]);
      assert.fail(
        `expected line-1..line-${LINES} once each, in order; got ${lines.length} lines, first difference at index ${firstBad}: ${JSON.stringify(lines.slice(Math.max(0, firstBad - 2), firstBad + 3))}`,
      );
    }

    assert.equal(
      (await client.run("echo $V")).output.trim(),
      value,
      "a variable set before the drop is still set",
    );
    assert.equal((await client.run("echo $$")).output.trim(), pidBefore, "the same shell process");
  });
});
