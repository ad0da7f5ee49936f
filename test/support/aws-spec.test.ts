/**
 * The whole spec through the aws target: `ssm-conformance --target aws --instance <node>` in a child
 * process whose only AWS configuration is what a user sets (the four endpoint overrides, AWS_REGION, access
 * keys), against the embedded stack. The stack runs at time scale 60 and the test-only
 * SSM_CONFORMANCE_ASSUME_TIME_SCALE tells the aws target so, so the real-time code path takes seconds.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import { DescribeSessionsCommand, ListDocumentsCommand } from "@aws-sdk/client-ssm";
import { RUN_ID_TAG } from "../../support/documents/sessionDocument";
import { type EmulatedAccount, isolatedEnv, startEmulatedAccount } from "./aws-stack";
import { cli } from "./cli-process";

const scratch = mkdtempSync(path.join(tmpdir(), "ssm-aws-spec-"));
let account: EmulatedAccount;

before(async () => {
  account = await startEmulatedAccount();
});

after(async () => {
  await account.stop();
  rmSync(scratch, { recursive: true, force: true });
});

it("runs the whole spec green through the aws target", { timeout: 240_000 }, async () => {
  // The emulator's logs arrive within a second or two; AWS's policy number (30 s) would only slow the
  // scenario that waits out the latency window to prove nothing is streamed.
  const policy = path.join(scratch, "policy.yaml");
  writeFileSync(policy, "commandToLog:\n  maxSeconds:\n    aws: 3\n");
  const reportDir = path.join(scratch, "reports");
  const node = account.stack.nodeIds[0]!;
  const { status, stdout, stderr } = await cli(
    [
      "--target",
      "aws",
      "--instance",
      node,
      "--log-group",
      account.logGroups.plain,
      "--policy",
      policy,
      "--report-dir",
      reportDir,
    ],
    { env: isolatedEnv(account.env(), scratch) },
  );
  const output = `${stdout}\n${stderr}`;
  assert.equal(status, 0, output);
  assert.match(stdout, /^Expected duration: about \S+ \(at most \S+\) for \d+ scenarios on one node/m);
  assert.match(stdout, /target {5}aws/);
  const counts = /scenarios {2}(\d+) passed, (\d+) failed, (\d+) skipped/.exec(stdout);
  assert.ok(counts, output);
  assert.equal(counts[2], "0", output);
  assert.ok(Number(counts[1]) >= 20, `only ${counts[1]} scenarios ran`);
  // Run As needs an OS user on the node that the harness cannot create on AWS: the only skips allowed.
  const skips = stderr.split("\n").filter((line) => line.includes(": skipped on the aws target: "));
  assert.equal(skips.length, Number(counts[3]), output);
  for (const skip of skips) assert.match(skip, /Run As/);
  assert.match(stderr, new RegExp(`node ${node} \\(instance ${node}`));

  // Every session the run started is listed in its messages, and none is still active.
  const runId = /run id (\S+):/.exec(stderr)?.[1];
  assert.ok(runId, stderr);
  const messages = readFileSync(path.join(reportDir, "messages.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  const listed = messages
    .filter((m) => m.attachment?.mediaType === "application/vnd.ssm-conformance.sessions+json")
    .flatMap((m) => JSON.parse(m.attachment.body).sessionIds as string[]);
  const started = account.stack.internals.sessions.list().filter((s) => s.reason?.includes(runId));
  assert.ok(started.length > 10, `${started.length} sessions`);
  assert.deepEqual(new Set(listed), new Set(started.map((s) => s.sessionId)));
  const active = await account.clients.ssm.send(new DescribeSessionsCommand({ State: "Active" }));
  assert.deepEqual(active.Sessions ?? [], []);
  const documents = await account.clients.ssm.send(
    new ListDocumentsCommand({ Filters: [{ Key: `tag:${RUN_ID_TAG}` }] }),
  );
  assert.deepEqual(documents.DocumentIdentifiers ?? [], []);
});
