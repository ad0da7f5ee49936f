/**
 * No orphans.
 * - A client process killed with SIGKILL in the middle of a session (held-client.js, kept active by a
 *   resize every 300 ms): the session shows as Disconnected, the service-side idle timeout then ends it
 *   (Terminated), its shell is killed, and no session shell survives.
 * - The harness interrupted: `ssm-conformance --target aws` against an emulated account (the stack in this
 *   process, real time, so an idle-timeout scenario is long), SIGINT while its session is active: the
 *   harness terminates its sessions before it exits (code 130), and DescribeSessions shows no Active session.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeSessionsCommand } from "@aws-sdk/client-ssm";
import {
  childShellPids,
  createSessionDocument,
  describeSession,
  isAlive,
  startTestStack,
  type TestStack,
  waitUntil,
} from "../emulator/stack-support";
import { type EmulatedAccount, isolatedEnv, startEmulatedAccount } from "../support/aws-stack";

const ROOT = path.resolve(__dirname, "../..");

describe("reliability: no orphans", () => {
  describe("a client killed mid-session", () => {
    let t: TestStack;
    before(async () => {
      // Time scale 30: the document's 1-minute idle timeout lasts 2 s.
      t = await startTestStack({ timeScale: 30 });
    });
    after(async () => {
      await t?.stop();
    });

    test("shows Disconnected, is ended by the idle timeout, and its shell is killed", async () => {
      const documentName = await createSessionDocument(t.ssm, { idleSessionTimeout: "1" });
      const shellsBefore = new Set(childShellPids());
      const child = spawn(
        process.execPath,
        [path.join(__dirname, "held-client.js"), t.stack.endpoint, t.stack.nodeIds[0]!, documentName],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const sessionId = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const id = /SESSION (\S+)/.exec(out)?.[1];
          if (id) resolve(id);
        });
        child.once("exit", (code) => reject(new Error(`held client exited ${code}: ${stderr}`)));
      });
      const shells = await waitUntil(
        () => {
          const fresh = childShellPids().filter((pid) => !shellsBefore.has(pid));
          return fresh.length > 0 ? fresh : undefined;
        },
        5_000,
        "the session's shell",
      );
      assert.equal((await describeSession(t.ssm, sessionId, "Active"))?.Status, "Connected");

      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      await waitUntil(
        async () =>
          (await describeSession(t.ssm, sessionId, "Active"))?.Status === "Disconnected" ? true : undefined,
        1_500,
        "the session to show as Disconnected",
        25,
      );
      const ended = await waitUntil(
        () => describeSession(t.ssm, sessionId, "History"),
        10_000,
        "the idle timeout to end the session",
      );
      assert.equal(ended.Status, "Terminated");
      await waitUntil(
        () => (shells.every((pid) => !isAlive(pid)) ? true : undefined),
        5_000,
        `the session's shell (pid ${shells.join(", ")}) to be killed`,
      );
      const survivors = childShellPids().filter((pid) => !shellsBefore.has(pid));
      assert.deepEqual(survivors, [], "no session shell survives");
    });
  });

  describe("the harness interrupted with SIGINT", () => {
    let account: EmulatedAccount;
    const scratch = mkdtempSync(path.join(tmpdir(), "ssm-orphans-"));
    before(async () => {
      account = await startEmulatedAccount({ timeScale: 1 });
    });
    after(async () => {
      await account?.stop();
      rmSync(scratch, { recursive: true, force: true });
    });

    test("terminates its sessions before it exits: none is left Active", async () => {
      const child = spawn(
        process.execPath,
        [
          path.join(ROOT, "bin/ssm-conformance.js"),
          "--target",
          "aws",
          "--instance",
          account.stack.nodeIds[0]!,
          "--log-group",
          account.logGroups.plain,
          "--tags",
          "@req:IDLE-01",
          "--report-dir",
          path.join(scratch, "reports"),
        ],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: isolatedEnv(account.env(), scratch) },
      );
      let output = "";
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        output += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        // The idle scenario at real time holds its session open for minutes: interrupt it then.
        await waitUntil(
          () => (account.stack.internals.sessions.active().length > 0 ? true : undefined),
          120_000, // ts-node and cucumber start-up, slow on a loaded machine
          "the harness's session to be active",
          100,
        );
        child.kill("SIGINT");
        const code = await Promise.race([
          exited,
          new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 60_000)),
        ]);
        assert.notEqual(code, "timeout", `the harness did not exit within 60 s of SIGINT:\n${output}`);
        assert.equal(code, 130, output);
      } finally {
        child.kill("SIGKILL");
      }
      const active = await account.clients.ssm.send(new DescribeSessionsCommand({ State: "Active" }));
      assert.deepEqual(
        (active.Sessions ?? []).map((s) => `${s.SessionId} ${s.Status}`),
        [],
        `sessions left active after SIGINT:\n${output}`,
      );
    });
  });
});
