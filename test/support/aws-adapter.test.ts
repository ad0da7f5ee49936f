/**
 * The aws target in-process, against the embedded stack, configured only through the environment a user
 * sets (endpoint overrides, region, access keys): start-up, the preflight, node discovery, the session
 * safety net, and the cleanup command. This file's process owns its environment (node:test runs each
 * file in its own process).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { DescribeSessionsCommand, ListDocumentsCommand, StartSessionCommand } from "@aws-sdk/client-ssm";
import { DEFAULT_PRINCIPAL } from "../../emulator/api/credentials";
import { cleanUpRegion, cleanup } from "../../support/cli/cleanup";
import { main } from "../../support/cli/main";
import { RUN_ID_TAG, TemporaryDocuments } from "../../support/documents/sessionDocument";
import { DEFAULT_PREFERENCES_DOCUMENT } from "../../support/targets/accountFixtures";
import { startAwsTarget } from "../../support/targets/aws";
import { NEEDS } from "../../support/targets/preflight";
import { sessionReason } from "../../support/targets/sessionRecorder";
import { DENIED_PRINCIPAL, type EmulatedAccount, startEmulatedAccount } from "./aws-stack";

const OFFLINE = "mi-0aaaaaaaaaaaaaaa1";
const WINDOWS = "mi-0aaaaaaaaaaaaaaa2";

const home = mkdtempSync(path.join(tmpdir(), "ssm-aws-adapter-"));
let account: EmulatedAccount;
let node: string;
const lines: string[] = [];
const log = (line: string) => lines.push(line);

/** Only what a user would set: no other AWS_* variable, no shared files, no instance metadata. */
function useEnvironment(vars: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
  Object.assign(process.env, {
    AWS_CONFIG_FILE: path.join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...vars,
  });
  delete process.env.SSM_CONFORMANCE_ASSUME_TIME_SCALE;
  if (vars.SSM_CONFORMANCE_ASSUME_TIME_SCALE) {
    process.env.SSM_CONFORMANCE_ASSUME_TIME_SCALE = vars.SSM_CONFORMANCE_ASSUME_TIME_SCALE;
  }
}

/** assert.rejects with a pattern for the message itself (not "Error: ..."). */
const withMessage = (pattern: RegExp) => (error: Error) => {
  assert.match(error.message, pattern);
  assert.ok(!error.message.includes("\n"), "one line");
  return true;
};

const start = (options: Partial<Parameters<typeof startAwsTarget>[0]> = {}) =>
  startAwsTarget({ instances: [node], instanceTags: [], logGroups: [], log, ...options });

async function documentsOf(runId: string) {
  const out = await account.clients.ssm.send(
    new ListDocumentsCommand({ Filters: [{ Key: `tag:${RUN_ID_TAG}`, Values: [runId] }] }),
  );
  return (out.DocumentIdentifiers ?? []).map((d) => d.Name);
}

async function activeSessionIds(): Promise<string[]> {
  const out = await account.clients.ssm.send(new DescribeSessionsCommand({ State: "Active" }));
  return (out.Sessions ?? []).map((s) => s.SessionId!);
}

before(async () => {
  account = await startEmulatedAccount({
    principals: [DEFAULT_PRINCIPAL, DENIED_PRINCIPAL],
    externalNodes: [OFFLINE, WINDOWS],
  });
  node = account.stack.nodeIds[0]!;
  const nodes = account.stack.internals.nodes;
  nodes.register(node, { tags: { Env: "qa" } });
  nodes.register(OFFLINE, { tags: { Env: "qa", Role: "offline" } });
  nodes.register(WINDOWS, {
    tags: { Env: "qa", Role: "windows" },
    platformType: "Windows",
    pingStatus: "Online",
  });
});

after(async () => {
  await account.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("the aws target against the stack, through the endpoint overrides", () => {
  it("starts with the caller's identity, runs a clean preflight and leaves nothing behind", async () => {
    useEnvironment(account.env());
    const target = await start({ logGroups: [account.logGroups.plain] });
    try {
      const { description, preflight } = target;
      assert.equal(description.kind, "aws");
      assert.equal(description.region, "us-east-1");
      assert.equal(description.endpoint, account.stack.endpoint);
      assert.equal(description.accountId, "000000000000");
      assert.equal(description.callerArn, DEFAULT_PRINCIPAL.arn);
      assert.equal(description.timeScale, 60);
      assert.deepEqual(description.nodeIds, [node]);
      assert.equal(target.realMs(60_000), 1_000);
      assert.deepEqual(preflight.missingPermissions, []);
      for (const need of NEEDS) assert.deepEqual(preflight.capabilities[need], { available: true }, need);
      assert.ok(
        preflight.permissions.every((p) => p.status === "allowed"),
        JSON.stringify(preflight.permissions),
      );
      assert.deepEqual(target.logGroups, account.logGroups);
      assert.deepEqual(target.capabilities.kmsKey, { available: true, keyId: account.kmsKeyArn });
      // The CreateDocument probe's document is gone already.
      assert.deepEqual(await documentsOf(description.runId), []);
      assert.ok(lines.some((l) => l.includes(`run id ${description.runId}`)));

      // A document and a session the scenarios forgot: dispose() ends and deletes them.
      const name = await target.createSessionDocument({ idleSessionTimeout: "5" });
      const started = await target.clients.ssm.send(
        new StartSessionCommand({
          Target: node,
          DocumentName: name,
          Reason: sessionReason(description.runId, "x"),
        }),
      );
      assert.deepEqual(target.sessionIds, [started.SessionId]);
      assert.ok((await activeSessionIds()).includes(started.SessionId!));
      await target.dispose();
      assert.ok(!(await activeSessionIds()).includes(started.SessionId!), "the session is still active");
      assert.equal(account.stack.internals.sessions.get(started.SessionId!)?.endCause, "terminate-api");
      assert.deepEqual(await documentsOf(description.runId), []);
    } finally {
      await target.dispose();
    }
  });

  it("uses the log group the preferences name, and says which scenario needs another", async () => {
    useEnvironment(account.env());
    const target = await start();
    try {
      const { encrypted } = account.logGroups;
      assert.deepEqual(target.logGroups, { plain: encrypted, encrypted });
      assert.deepEqual(target.preflight.capabilities["log-group"], { available: true });
      assert.deepEqual(target.preflight.capabilities["encrypted-log-group"], { available: true });
      const unencrypted = target.preflight.capabilities["unencrypted-log-group"];
      assert.ok(
        !unencrypted.available && /every log group is encrypted .*--log-group/.test(unencrypted.reason),
      );
    } finally {
      await target.dispose();
    }
  });

  it("turns denied calls into missing permissions and unavailable capabilities", async () => {
    useEnvironment(account.env(DENIED_PRINCIPAL));
    const target = await start({ logGroups: [account.logGroups.plain] });
    try {
      const { preflight } = target;
      assert.equal(target.description.callerArn, DENIED_PRINCIPAL.arn);
      assert.deepEqual(preflight.missingPermissions, ["logs:FilterLogEvents", "ssm:StartSession"]);
      const session = preflight.capabilities.session;
      assert.ok(!session.available && /missing permission ssm:StartSession\b/.test(session.reason));
      const logsRead = preflight.capabilities["logs-read"];
      assert.ok(!logsRead.available && /logs:FilterLogEvents/.test(logsRead.reason));
      assert.deepEqual(preflight.capabilities["preferences-read"], { available: true });
      assert.deepEqual(preflight.capabilities["log-group"], { available: true });
      assert.ok(lines.some((l) => l.includes("missing permissions: logs:FilterLogEvents, ssm:StartSession")));
    } finally {
      await target.dispose();
    }
  });

  it("checks only what the selected scenarios need: an audit needs no node and creates nothing", async () => {
    useEnvironment(account.env());
    const target = await start({ instances: [], needs: ["preferences-read"] });
    try {
      const { preflight } = target;
      assert.equal(target.nodeId, "");
      assert.deepEqual(preflight.capabilities["preferences-read"], { available: true });
      const status = (action: string) => preflight.permissions.find((p) => p.action === action)?.status;
      assert.equal(status("ssm:StartSession"), "not-checked");
      assert.equal(status("ssm:CreateDocument"), "not-checked");
      assert.equal(status("ssm:GetDocument"), "allowed");
      assert.ok(!preflight.capabilities.session.available);
    } finally {
      await target.dispose();
    }
  });
});

describe("finding the managed node", () => {
  it("picks the online Linux node among those with the tag", async () => {
    useEnvironment(account.env());
    const target = await start({ instances: [], instanceTags: ["Env=qa"] });
    try {
      assert.equal(target.nodeId, node);
      const candidates = target.preflight.node!.candidates;
      assert.deepEqual(
        Object.fromEntries(candidates.map((c) => [c.instanceId, c.chosen ? "chosen" : c.rejected])),
        {
          [node]: "chosen",
          [OFFLINE]: "PingStatus ConnectionLost",
          [WINDOWS]: "PlatformType Windows: the spec's steps need a Linux shell",
        },
      );
    } finally {
      await target.dispose();
    }
  });

  it("refuses an offline node, an unknown one, or none at all, in one line naming what it looked for", async () => {
    useEnvironment(account.env());
    const cases: Array<[Partial<Parameters<typeof startAwsTarget>[0]>, RegExp]> = [
      [
        { instances: [], instanceTags: ["Role=offline"] },
        /^no usable managed node in us-east-1: looked for a node tagged Role=offline with DescribeInstanceInformation .*; rejected mi-0aaaaaaaaaaaaaaa1 \(PingStatus ConnectionLost\)$/,
      ],
      [
        { instances: [], instanceTags: ["Role=none"] },
        /looked for a node tagged Role=none .*; no managed node matches$/,
      ],
      [
        { instances: [OFFLINE] },
        /looked for instance mi-0aaaaaaaaaaaaaaa1 .*rejected mi-0aaaaaaaaaaaaaaa1 \(PingStatus ConnectionLost\)/,
      ],
      [{ instances: ["i-0123456789abcdef0"] }, /i-0123456789abcdef0 \(not a managed node in us-east-1/],
      [{ instances: [] }, /^no managed node selected: give --instance <id> or --instance-tag Key=Value/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(start(options), (error: Error) => {
        assert.match(error.message, message);
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      });
    }
  });
});

describe("configuration errors", () => {
  it("says what it looked for when there are no credentials", async () => {
    const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...rest } = account.env();
    useEnvironment(rest);
    await assert.rejects(
      start(),
      withMessage(
        /^no AWS credentials found; looked in the environment \(AWS_ACCESS_KEY_ID.*instance metadata service/,
      ),
    );
    await assert.rejects(
      start({ profile: "nightly" }),
      withMessage(/^no AWS credentials for profile 'nightly' \(/),
    );
  });

  it("says where a region comes from when there is none", async () => {
    const { AWS_REGION: _r, ...rest } = account.env();
    useEnvironment(rest);
    await assert.rejects(
      start(),
      withMessage(/^no AWS region: give --region, set AWS_REGION, or set region in the default profile/),
    );
  });

  it("refuses the test time scale without an endpoint override", async () => {
    useEnvironment({ ...account.env(), AWS_ENDPOINT_URL_SSM: "" });
    await assert.rejects(
      start(),
      withMessage(/SSM_CONFORMANCE_ASSUME_TIME_SCALE is for testing against a local stack/),
    );
  });
});

describe("ssm-conformance cleanup", () => {
  it("removes a run's documents and sessions by run id, then all old leftovers, and nothing else", async () => {
    useEnvironment(account.env());
    const { ssm } = account.clients;
    const runA = "20260101-120000-aaaaaa";
    const runB = "20260102-120000-bbbbbb";
    const docsA = new TemporaryDocuments(ssm, runA);
    const docsB = new TemporaryDocuments(ssm, runB);
    const a1 = await docsA.create({});
    const a2 = await docsA.create({});
    const b1 = await docsB.create({});
    const other = new TemporaryDocuments(ssm, "someone-else");
    const foreign = await other.create({}); // tagged, but not a name the harness makes for a run
    const startWith = async (reason?: string) =>
      (await ssm.send(new StartSessionCommand({ Target: node, ...(reason && { Reason: reason }) })))
        .SessionId!;
    const sessionA = await startWith(sessionReason(runA, "idle"));
    const sessionB = await startWith(sessionReason(runB, "idle"));
    const unrelated = await startWith("maintenance by a human");
    const plain = await startWith();
    try {
      const dryRun = await cleanUpRegion(ssm, "us-east-1", { runId: runA, dryRun: true });
      assert.deepEqual(dryRun.sessions, [sessionA]);
      assert.deepEqual(dryRun.documents.sort(), [a1, a2].sort());
      assert.ok((await activeSessionIds()).includes(sessionA), "a dry run removes nothing");

      const out: string[] = [];
      assert.equal(await cleanup({ runId: runA, regions: [], dryRun: false }, (l) => out.push(l)), 0);
      assert.ok(out.includes(`us-east-1: terminate session ${sessionA}`), out.join("\n"));
      assert.ok(out.includes(`us-east-1: delete document ${a1}`));
      let active = await activeSessionIds();
      assert.ok(!active.includes(sessionA) && active.includes(sessionB) && active.includes(unrelated));
      assert.deepEqual(await documentsOf(runA), []);
      assert.deepEqual(await documentsOf(runB), [b1]);

      const all = await cleanUpRegion(ssm, "us-east-1", { olderThanHours: 0, dryRun: false });
      assert.deepEqual(all, { region: "us-east-1", sessions: [sessionB], documents: [b1], failures: [] });
      active = await activeSessionIds();
      assert.ok(
        active.includes(unrelated) && active.includes(plain),
        "sessions the harness did not start stay",
      );
      assert.deepEqual(await documentsOf("someone-else"), [foreign]);
      const preferences = await ssm.send(
        new ListDocumentsCommand({ Filters: [{ Key: "Name", Values: [DEFAULT_PREFERENCES_DOCUMENT] }] }),
      );
      assert.equal(preferences.DocumentIdentifiers?.length, 1, "SSM-SessionManagerRunShell is never touched");

      out.length = 0;
      assert.equal(
        await cleanup({ olderThanHours: 0, regions: ["us-east-1"], dryRun: false }, (l) => out.push(l)),
        0,
      );
      assert.deepEqual(out, ["us-east-1: nothing left behind by runs older than 0 h"]);
    } finally {
      await other.deleteAll();
      await cleanUpRegion(ssm, "us-east-1", { olderThanHours: 0, dryRun: false });
    }
  });

  it("fails in one line without credentials", async () => {
    const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...rest } = account.env();
    useEnvironment(rest);
    const errors: string[] = [];
    const status = await cleanup(
      { runId: "20260101-120000-aaaaaa", regions: [], dryRun: false },
      () => {},
      (m) => {
        errors.push(m);
        return 2;
      },
    );
    assert.equal(status, 2);
    assert.match(errors[0]!, /^cleanup: no AWS credentials found; looked in the environment/);
  });
});

describe("several nodes", () => {
  it("runs once per node, one report directory each, and merges the summary", {
    timeout: 180_000,
  }, async () => {
    useEnvironment(account.env());
    const [first, second] = account.stack.nodeIds;
    const reportDir = path.join(home, "matrix");
    // In this process, as the CLI does it: the runs share the loaded step definitions.
    const status = await main([
      "--target=aws",
      `--instance=${first}`,
      `--instance=${second}`,
      "--tags=@smoke",
      `--report-dir=${reportDir}`,
    ]);
    assert.equal(status, 0);
    const summary = JSON.parse(readFileSync(path.join(reportDir, "matrix.json"), "utf8"));
    assert.deepEqual(
      summary.cells.map((c: { instance: string; reportDir: string; status: number; counts: object }) => [
        c.instance,
        c.reportDir,
        c.status,
        c.counts,
      ]),
      [first, second].map((id) => [id, id, 0, { passed: 1, failed: 0, skipped: 0 }]),
    );
    for (const id of [first, second]) {
      assert.ok(existsSync(path.join(reportDir, id!, "messages.ndjson")), `no report for ${id}`);
      const ran = account.stack.internals.sessions
        .list()
        .filter((s) => s.target === id && s.reason?.includes("run "));
      assert.ok(ran.length > 0, `no session on ${id}`);
    }
  });
});
