/**
 * A shell on the container target runs in the agent container, as ssm-user (its own user, its own
 * filesystem, not the tester's), and the session's log events name that user; with Run As, the second
 * user. dispose() leaves no container of the run.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { LogWatcher } from "../../support/logs/logWatcher";
import { SessionClient } from "../../support/session/sessionClient";
import {
  containerOptionsFromEnv,
  DEFAULT_SHELL_USER,
  RUN_AS_USER,
  startContainerTarget,
} from "../../support/targets/container";
import type { Target } from "../../support/targets/target";
import { containersOfRun, dockerUnavailable, PACKAGE_ROOT } from "./helpers";

describe("a shell on the container target", async () => {
  const skip = await dockerUnavailable();
  let target: Target | undefined;
  const sessions: SessionClient[] = [];
  const watchers: LogWatcher[] = [];
  const lines: string[] = [];

  before(async () => {
    if (skip) return;
    target = await startContainerTarget({ ...containerOptionsFromEnv(), log: (line) => lines.push(line) });
  });

  after(async () => {
    await Promise.all(watchers.map((w) => w.stop()));
    await Promise.all(sessions.map((s) => s.dispose()));
    await target?.dispose();
  });

  async function shell(inputs: { runAsEnabled?: boolean; runAsDefaultUser?: string }) {
    const t = target!;
    const documentName = await t.createSessionDocument({
      cloudWatchLogGroupName: t.logGroups.plain,
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: false,
      ...inputs,
    });
    const session = await SessionClient.start(
      { Target: t.nodeId, DocumentName: documentName },
      { ssm: t.clients.ssm, kms: t.clients.kms },
    );
    sessions.push(session);
    const watcher = new LogWatcher(t.clients.logs, {
      logGroupName: t.logGroups.plain,
      logStreamName: session.sessionId,
    }).start();
    watchers.push(watcher);
    return { session, watcher };
  }

  it("runs as ssm-user in the container's own filesystem, and runAsUser says so", {
    skip,
    timeout: 120_000,
  }, async () => {
    const { session, watcher } = await shell({});
    assert.equal((await session.run("whoami")).output.trim(), DEFAULT_SHELL_USER);
    assert.equal((await session.run("echo $HOME")).output.trim(), `/home/${DEFAULT_SHELL_USER}`);
    // The emulator's files are there; the tester's checkout is not.
    const where = await session.run(
      `test -e /opt/ssm-conformance/emulator/cli.js && echo agent-image; test -e '${PACKAGE_ROOT}/package.json' && echo tester-checkout || echo no-tester-checkout`,
    );
    assert.deepEqual(where.output.trim().split(/\r?\n/), ["agent-image", "no-tester-checkout"]);

    const marker = `CONFORMANCE-${randomUUID()}`;
    session.send(`echo ${marker}\r`);
    const match = await watcher.waitForMarker(marker, 15_000);
    assert.equal(match.event.parsed?.runAsUser, DEFAULT_SHELL_USER);
    assert.equal(match.event.parsed?.sessionId, session.sessionId);
  });

  it("runs as the Run As user when the preferences name one, and runAsUser says so", {
    skip,
    timeout: 120_000,
  }, async () => {
    assert.equal(target!.capabilities.runAs.user, RUN_AS_USER);
    const { session, watcher } = await shell({ runAsEnabled: true, runAsDefaultUser: RUN_AS_USER });
    assert.equal((await session.run("whoami")).output.trim(), RUN_AS_USER);
    const marker = `CONFORMANCE-${randomUUID()}`;
    session.send(`echo ${marker}\r`);
    const match = await watcher.waitForMarker(marker, 15_000);
    assert.equal(match.event.parsed?.runAsUser, RUN_AS_USER);
  });

  it("dispose() leaves no container of the run", { skip, timeout: 60_000 }, async () => {
    const runId = target!.description.runId;
    assert.ok((await containersOfRun(runId)).length > 0, "the run's containers carry its label");
    await Promise.all(watchers.map((w) => w.stop()));
    await target!.dispose();
    assert.deepEqual(await containersOfRun(runId), []);
  });
});
