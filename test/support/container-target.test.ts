/** The container target's pure parts: its settings from the environment, and what the agent image installs. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import {
  ContainerTargetError,
  containerOptionsFromEnv,
  DEFAULT_AGENT_IMAGE,
  DEFAULT_LOCALSTACK_IMAGE,
} from "../../support/targets/container";

const ROOT = path.resolve(__dirname, "../..");

describe("container target settings", () => {
  test("defaults: the local agent image, LocalStack 4.14.0 when it can be had, a bounded pull", () => {
    assert.deepEqual(containerOptionsFromEnv({}), {
      agentImage: DEFAULT_AGENT_IMAGE,
      logs: "auto",
      localstackImage: DEFAULT_LOCALSTACK_IMAGE,
      pullTimeoutMs: 300_000,
    });
    assert.equal(DEFAULT_LOCALSTACK_IMAGE, "localstack/localstack:4.14.0");
  });

  test("from the environment, the auth token forwarded when set", () => {
    assert.deepEqual(
      containerOptionsFromEnv({
        SSM_CONFORMANCE_AGENT_IMAGE: "me/agent:dev",
        SSM_CONFORMANCE_AGENT_BASE: "debian:trixie",
        SSM_CONFORMANCE_CONTAINER_LOGS: "agent",
        SSM_CONFORMANCE_LOCALSTACK_IMAGE: "localstack/localstack:4.15.0",
        SSM_CONFORMANCE_PULL_TIMEOUT: "20",
        LOCALSTACK_AUTH_TOKEN: "ls-token",
      }),
      {
        agentImage: "me/agent:dev",
        agentBase: "debian:trixie",
        logs: "agent",
        localstackImage: "localstack/localstack:4.15.0",
        localstackAuthToken: "ls-token",
        pullTimeoutMs: 20_000,
      },
    );
  });

  test("bad values: one line that names the variable", () => {
    for (const env of [
      { SSM_CONFORMANCE_CONTAINER_LOGS: "s3" },
      { SSM_CONFORMANCE_PULL_TIMEOUT: "forever" },
    ]) {
      assert.throws(
        () => containerOptionsFromEnv(env),
        (error: unknown) =>
          error instanceof ContainerTargetError &&
          error.message.startsWith(Object.keys(env)[0]!) &&
          !error.message.includes("\n"),
      );
    }
  });
});

describe("the agent image's package.json (docker/agent/image-package.js)", () => {
  test("keeps what the emulator imports and the compiler, drops the harness's dependencies", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ssmc-image-package-"));
    copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, "docker/agent/image-package.js"),
        path.join(ROOT, "emulator"),
        path.join(ROOT, "protocol"),
      ],
      { cwd: dir, stdio: "pipe" },
    );
    const trimmed = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const original = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const name of ["node-pty", "ws", "zod", "@aws-sdk/client-cloudwatch-logs", "@aws-sdk/client-kms"]) {
      assert.equal(trimmed.dependencies[name], original.dependencies[name], name);
    }
    for (const name of ["@cucumber/cucumber", "testcontainers", "vega", "@aws-sdk/client-ssm"]) {
      assert.equal(trimmed.dependencies[name], undefined, name);
    }
    assert.ok(trimmed.devDependencies.typescript && trimmed.devDependencies["@types/node"]);
    assert.deepEqual(trimmed.engines, original.engines);
  });
});
