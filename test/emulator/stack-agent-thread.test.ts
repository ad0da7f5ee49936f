/** The built-in agents on a worker thread of their own (startStack agentThread): the same sessions, one more core. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startStack } from "../../emulator/stack";
import { startTestStack, type TestStack } from "./stack-support";

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("stack: agents on their own thread", () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack({ agentThread: true });
  });
  after(async () => {
    await t?.stop();
  });

  test("a session runs a command, and stop() kills its shell and ends the thread", async () => {
    const client = await t.open({ Target: t.stack.nodeIds[0]! });
    await client.waitFor(/[#$] $/, 10_000);
    const shellPid = Number((await client.run("echo $$")).output.trim());
    assert.ok(shellPid > 0 && processAlive(shellPid), `the shell (${shellPid}) runs`);
    const marker = `thread-${process.pid}`;
    assert.equal((await client.run(`echo ${marker}`)).output.replace(/\r/g, "").trim(), marker);
    await t.stop();
    assert.equal(processAlive(shellPid), false, "stop() killed the shell");
  });
});

test("agentThread is refused with a fault profile that hooks the agents, in one line", async () => {
  await assert.rejects(
    startStack({ agentThread: true, fault: "kms-ignored", logLevel: "error" }),
    /^Error: agentThread: log hooks and agent fault profiles need the agents in-process$/,
  );
});
