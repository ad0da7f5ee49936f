import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PtyShell, type PtyShellOptions } from "../../emulator/agent/shell/ptyShell";
import { RunAsUserError } from "../../emulator/agent/shell/runAs";

const isRoot = process.getuid?.() === 0;

interface Session {
  shell: PtyShell;
  chunks: Buffer[];
  text(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Starts a shell that records its output; it is killed when the test ends. */
async function startShell(t: TestContext, options: Partial<PtyShellOptions> = {}): Promise<Session> {
  const chunks: Buffer[] = [];
  const shell = await PtyShell.start({
    initialDelayMs: 0,
    ...options,
    onChunk: (chunk) => chunks.push(chunk),
  });
  t.after(() => shell.kill());
  const text = () => Buffer.concat(chunks).toString("utf8");
  const waitFor = async (pattern: RegExp, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(text())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; output: ${JSON.stringify(text())}`);
      await sleep(10);
    }
    return text();
  };
  return { shell, chunks, text, waitFor };
}

/** State letter of a process from /proc, or undefined when it is gone. */
function processState(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Gone, or a zombie waiting for a reaper (PID 1 in a container may never reap). */
async function assertEnded(pid: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while (![undefined, "Z"].includes(processState(pid))) {
    if (Date.now() > deadline) assert.fail(`process ${pid} still running (${processState(pid)})`);
    await sleep(20);
  }
}

describe("PtyShell", () => {
  it("runs commands typed into sh and delivers their output", async (t) => {
    const { shell, waitFor } = await startShell(t);
    shell.write("echo MARK-$((40+2))\n");
    await waitFor(/MARK-42\r\n/);
  });

  it("sets TERM, LANG and HOME as the agent does", async (t) => {
    const { shell, waitFor } = await startShell(t, { env: { PATH: process.env["PATH"], HOME: "/" } });
    shell.write('echo "T=$TERM L=$LANG H=$HOME D=$(pwd)"\n');
    await waitFor(/T=xterm-256color L=C\.UTF-8 H=\/ D=\/\r\n/);
  });

  it("holds output back for the initial delay of 1 s", async (t) => {
    const started = Date.now();
    const { waitFor, chunks } = await startShell(t, { initialDelayMs: undefined });
    await waitFor(/[$#] $/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1000 && elapsed < 2500, `first output after ${elapsed} ms`);
    assert.ok(chunks.length >= 1);
  });

  it("cuts output into chunks of at most 1024 bytes without splitting characters", async (t) => {
    // Output queued during the initial delay goes out in full-size chunks.
    const { shell, chunks, waitFor } = await startShell(t, { pacing: "unpaced", initialDelayMs: 300 });
    shell.write("s='€😀a'; for i in 1 2 3 4 5 6 7 8 9; do s=$s$s; done; echo $s; echo DONE-$((1+1))\n");
    await waitFor(/DONE-2/);
    for (const chunk of chunks) {
      assert.ok(chunk.length <= 1024);
      assert.ok(!chunk.toString("utf8").includes("\ufffd"), "a chunk starts or ends inside a character");
    }
    assert.ok(chunks.some((c) => c.length === 1024 || c.length >= 1021));
  });

  it("pause stops delivery, the shell blocks, and resume continues with nothing lost", async (t) => {
    const { shell, chunks, text, waitFor } = await startShell(t, { pacing: "unpaced" });
    shell.write(
      "stty -echo; printf '%s%s\\n' BEG IN; head -c 2000000 /dev/zero | base64; printf '%s\\n' E''ND\n",
    );
    await waitFor(/BEGIN\r\n.{1000}/s);
    shell.pause();
    await sleep(100);
    const frozenAt = chunks.length;
    await sleep(400);
    assert.equal(chunks.length, frozenAt, "chunks delivered while paused");
    assert.ok(text().length < 1_000_000, "most of the output should still be held back by the blocked shell");
    shell.resume();
    const all = await waitFor(/\r\nEND\r\n/, 20_000);
    const body = all.slice(all.indexOf("BEGIN\r\n") + 7, all.indexOf("END\r\n")).replaceAll("\r\n", "\n");
    const expected = `${Buffer.alloc(2_000_000).toString("base64").replace(/.{76}/g, "$&\n")}\n`;
    const hash = (s: string) => createHash("sha256").update(s).digest("hex");
    assert.equal(body.length, expected.length);
    assert.equal(hash(body), hash(expected));
  });

  it("resize changes the pty size; values are cut to uint16 and zero is ignored", async (t) => {
    const { shell, waitFor } = await startShell(t);
    shell.resize(65536 + 132, 50);
    shell.resize(0, 10);
    shell.write("stty size\n");
    await waitFor(/\b50 132\r\n/);
  });

  it("types the shell profile as input followed by a newline, and skips a blank one", async (t) => {
    const { shell, waitFor, text } = await startShell(t);
    shell.typeProfile("   ");
    shell.typeProfile("PROFILE=yes; echo P-$PROFILE-$((2*3))");
    await waitFor(/P-yes-6\r\n/);
    assert.ok(text().includes("echo P-$PROFILE"), "the profile is echoed like typed input");
  });

  it("reports the shell's own exit and delivers its last output", async (t) => {
    const { shell, waitFor } = await startShell(t);
    shell.write("echo BYE-$((1+2)); exit 3\n");
    assert.deepEqual(await shell.exited, { exitCode: 3 });
    await shell.outputDone;
    await waitFor(/BYE-3/, 100);
  });

  it("kill() SIGKILLs the shell, closes the pty and leaves no process behind", async (t) => {
    const { shell, waitFor } = await startShell(t);
    shell.write("sleep 300\n");
    await waitFor(/sleep 300\r\n/);
    let sleeper: number | undefined;
    for (let i = 0; i < 100 && sleeper === undefined; i++) {
      sleeper = childrenOf(shell.pid)[0];
      if (sleeper === undefined) await sleep(20);
    }
    assert.ok(sleeper !== undefined, "sleep did not start");
    const exit = await shell.kill();
    assert.equal(exit.signal, 9);
    await shell.outputDone;
    await assertEnded(shell.pid);
    await assertEnded(sleeper);
  });

  it("runs as the Run As user when root", { skip: !isRoot && "needs root" }, async (t) => {
    const { shell, waitFor } = await startShell(t, { runAsUser: "nobody" });
    assert.equal(shell.user, "nobody");
    shell.write("echo U=$(whoami) G=$(id -G)\n");
    await waitFor(/U=nobody G=65534\r\n/);
  });

  it("fails for an unknown Run As user with the agent's text", async () => {
    const start = PtyShell.start({ onChunk: () => {}, runAsUser: "no-such-user-x1" });
    await assert.rejects(start, (err: unknown) => {
      assert.ok(err instanceof RunAsUserError);
      assert.equal(err.message, "failed to start pty since RunAs user no-such-user-x1 does not exist");
      assert.equal(err.reason, isRoot ? "unknown-user" : "not-root");
      return true;
    });
  });

  it("names this process's user when there is no Run As user", async (t) => {
    const { shell, waitFor } = await startShell(t);
    shell.write("echo W=$(whoami)\n");
    await waitFor(new RegExp(`W=${shell.user}\\r\\n`));
  });
});
