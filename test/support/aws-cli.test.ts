/**
 * Fault-injected runs of `ssm-conformance --target aws` in a child process against the embedded stack:
 * a caller whose calls are denied gets skipped scenarios with the reason (not failures); Ctrl-C during an
 * idle scenario leaves no active session and no temporary document; an offline node is one line (the
 * messages themselves, missing credentials included, are checked in-process in aws-adapter.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { DescribeSessionsCommand, ListDocumentsCommand } from "@aws-sdk/client-ssm";
import { DEFAULT_PRINCIPAL } from "../../emulator/api/credentials";
import { RUN_ID_TAG } from "../../support/documents/sessionDocument";
import { DENIED_PRINCIPAL, isolatedEnv, startEmulatedAccount } from "./aws-stack";
import { cli } from "./cli-process";

const scratch = mkdtempSync(path.join(tmpdir(), "ssm-aws-cli-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function messagesOf(reportDir: string) {
  return readFileSync(path.join(reportDir, "messages.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

describe("the aws target under faults", { concurrency: true }, () => {
  it("skips, with the missing permissions, what a caller may not do", { timeout: 180_000 }, async () => {
    const account = await startEmulatedAccount({ principals: [DEFAULT_PRINCIPAL, DENIED_PRINCIPAL] });
    try {
      const reportDir = path.join(scratch, "denied");
      const args = ["--target", "aws", "--instance", account.stack.nodeIds[0]!, "--report-dir", reportDir];
      const { status, stdout, stderr } = await cli(args, {
        env: isolatedEnv(account.env(DENIED_PRINCIPAL), path.join(scratch, "home-denied")),
      });
      assert.equal(status, 0, `${stdout}\n${stderr}`);
      assert.match(
        stderr,
        /missing permissions: logs:FilterLogEvents, ssm:StartSession \(see docs\/iam-policy\.json\)/,
      );
      // The audit passes; everything that starts a session or reads logs is skipped, nothing fails.
      const counts = /scenarios {2}(\d+) passed, (\d+) failed, (\d+) skipped/.exec(stdout);
      assert.ok(counts, stdout);
      assert.equal(counts[2], "0", stdout);
      assert.equal(counts[1], "6", "the six preferences scenarios pass");
      assert.ok(Number(counts[3]) >= 15, stdout);
      const logs = messagesOf(reportDir)
        .filter((m) => m.attachment?.mediaType === "text/x.cucumber.log+plain")
        .map((m) => m.attachment.body as string);
      assert.ok(
        logs.some((l) => /^skipped on the aws target: missing permission ssm:StartSession \(docs/.test(l)),
        logs.join("\n"),
      );
      const statuses = messagesOf(reportDir)
        .filter((m) => m.testStepFinished)
        .map((m) => m.testStepFinished.testStepResult.status);
      assert.ok(!statuses.includes("FAILED"), "no step failed");
      const documents = await account.clients.ssm.send(
        new ListDocumentsCommand({ Filters: [{ Key: `tag:${RUN_ID_TAG}` }] }),
      );
      assert.deepEqual(documents.DocumentIdentifiers ?? [], [], "the preflight's document was deleted");
    } finally {
      await account.stop();
    }
  });

  it("Ctrl-C during an idle scenario ends the session and deletes the documents", {
    timeout: 180_000,
  }, async () => {
    const account = await startEmulatedAccount();
    try {
      // A 30-minute probe: 30 s at the stack's scale, so the interrupt lands while the session idles.
      const policy = path.join(scratch, "long-idle.yaml");
      writeFileSync(policy, "probes:\n  idleTimeoutMinutes: 30\n");
      const args = ["--target", "aws", "--instance", account.stack.nodeIds[0]!, "--tags", "@req:IDLE-01"];
      args.push("--policy", policy, "--report-dir", path.join(scratch, "interrupted"));
      // Interrupt half a second after the scenario's session is up, as a user at the keyboard would.
      let interruptedAt = 0;
      let poll: NodeJS.Timeout | undefined;
      const { status, stderr } = await cli(args, {
        env: isolatedEnv(account.env(), path.join(scratch, "home-interrupted")),
        onSpawn: (child) => {
          poll = setInterval(() => {
            if (account.stack.internals.sessions.active().length === 0) return;
            clearInterval(poll);
            setTimeout(() => {
              interruptedAt = Date.now();
              child.kill("SIGINT");
            }, 500);
          }, 100);
        },
      });
      clearInterval(poll);
      assert.equal(status, 130, stderr);
      assert.ok(interruptedAt > 0, "the session never started");
      const sessions = account.stack.internals.sessions.list();
      assert.equal(sessions.length, 1, stderr);
      assert.equal(sessions[0]!.endCause, "terminate-api", "the harness terminated it, not the idle timeout");
      assert.ok(sessions[0]!.endDate!.getTime() - interruptedAt < 10_000, "ended soon after Ctrl-C");
      const active = await account.clients.ssm.send(new DescribeSessionsCommand({ State: "Active" }));
      assert.deepEqual(active.Sessions ?? [], []);
      const documents = await account.clients.ssm.send(
        new ListDocumentsCommand({ Filters: [{ Key: `tag:${RUN_ID_TAG}` }] }),
      );
      assert.deepEqual(documents.DocumentIdentifiers ?? [], []);
    } finally {
      await account.stop();
    }
  });

  it("says in one line which node it looked for and why it was refused", { timeout: 180_000 }, async () => {
    const account = await startEmulatedAccount({ externalNodes: ["mi-0aaaaaaaaaaaaaaa1"] });
    try {
      const args = [
        "--target",
        "aws",
        "--instance",
        "mi-0aaaaaaaaaaaaaaa1",
        "--report-dir",
        path.join(scratch, "b"),
      ];
      const { status, stderr } = await cli(args, {
        env: isolatedEnv(account.env(), path.join(scratch, "home-b")),
      });
      assert.equal(status, 2, stderr);
      const lines = stderr.split("\n").filter((line) => line !== "");
      assert.equal(lines.length, 1, stderr);
      assert.match(
        lines[0]!,
        /^ssm-conformance: cannot run against aws: no usable managed node in us-east-1: looked for instance mi-0aaaaaaaaaaaaaaa1 .*rejected mi-0aaaaaaaaaaaaaaa1 \(PingStatus ConnectionLost\)$/,
      );
    } finally {
      await account.stop();
    }
  });
});
