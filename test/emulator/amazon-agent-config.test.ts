/**
 * What points a real amazon-ssm-agent at a stack (emulator/externalAgent/amazonAgentConfig.ts): the keys and
 * values that worked with the real agent (real-agent-observations.md sections 0 and 6), the host names to
 * map, and the stack banner that prints them for --external-node.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { banner } from "../../emulator/cli";
import {
  AMAZON_AGENT_CONFIG_PATH,
  amazonAgentConfig,
  amazonAgentEnv,
  amazonAgentHostNames,
} from "../../emulator/externalAgent/amazonAgentConfig";

const NODE = "mi-0fa4e1c0ffee12345";
const ENDPOINT = "https://127.0.0.1:8443";
const CREDENTIALS = { accessKeyId: ["AK", "IA", "TESTKEY"].join(""), secretAccessKey: "test-secret" };

describe("amazon-ssm-agent.json", () => {
  test("container mode, no self-update, the node as CustomIdentity, every endpoint the stack's", () => {
    assert.deepEqual(amazonAgentConfig({ endpoint: ENDPOINT, region: "eu-west-2", nodeId: NODE }), {
      Agent: { ContainerMode: true, SelfUpdate: false },
      Identity: {
        ConsumptionOrder: ["CustomIdentity"],
        CustomIdentities: [{ InstanceID: NODE, Region: "eu-west-2", CredentialsProvider: "DEFAULT" }],
      },
      Mgs: { Region: "eu-west-2", Endpoint: ENDPOINT },
      Ssm: { Endpoint: ENDPOINT },
      Mds: { Endpoint: ENDPOINT },
      Kms: { Endpoint: ENDPOINT },
      S3: { Endpoint: ENDPOINT, Region: "eu-west-2" },
    });
  });

  test("Mgs.Endpoint keeps the scheme and port and drops any path (IP:port alone falls back to AWS)", () => {
    const config = amazonAgentConfig({ endpoint: `${ENDPOINT}/`, region: "us-east-1", nodeId: NODE });
    assert.equal(config.Mgs.Endpoint, ENDPOINT);
  });

  test("an http:// or malformed endpoint is refused in one line", () => {
    for (const endpoint of ["http://127.0.0.1:8443", "127.0.0.1:8443"]) {
      assert.throws(
        () => amazonAgentConfig({ endpoint, region: "us-east-1", nodeId: NODE }),
        (error: unknown) =>
          error instanceof Error && !error.message.includes("\n") && /https/.test(error.message),
      );
    }
  });

  test("the environment: keys to sign with and the stack's CA as SSL_CERT_FILE", () => {
    assert.deepEqual(amazonAgentEnv({ credentials: CREDENTIALS, caFile: "/tmp/ca.pem" }), {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      SSL_CERT_FILE: "/tmp/ca.pem",
    });
  });

  test("the host names to map include every service the agent may call in the region", () => {
    const names = amazonAgentHostNames("ap-south-1");
    for (const service of ["logs", "ssmmessages", "ssm", "kms", "s3"])
      assert.ok(names.includes(`${service}.ap-south-1.amazonaws.com`), service);
    assert.ok(names.every((name) => /^[a-z0-9.-]+\.amazonaws\.com$/.test(name)));
  });
});

describe("the stack banner for external nodes", () => {
  const stack = {
    endpoint: ENDPOINT,
    port: 8443,
    region: "us-east-1",
    timeScale: 1,
    nodeIds: [],
    externalNodeIds: [NODE],
    kmsKeys: [],
    credentials: CREDENTIALS,
    env: () => ({ AWS_ENDPOINT_URL: ENDPOINT }),
  };

  test("with TLS: the file, the environment and the host mapping, ready to paste", () => {
    const text = banner({ ...stack, tls: { caFile: "/tmp/stack-ca.pem" } });
    assert.match(
      text,
      new RegExp(`^# A real amazon-ssm-agent as ${NODE}: ${AMAZON_AGENT_CONFIG_PATH}$`, "m"),
    );
    const json = /^\{\n[\s\S]*?\n\}$/m.exec(text)?.[0];
    assert.ok(json, text);
    assert.deepEqual(
      JSON.parse(json),
      amazonAgentConfig({ endpoint: ENDPOINT, region: "us-east-1", nodeId: NODE }),
    );
    assert.match(text, /^SSL_CERT_FILE=\/tmp\/stack-ca\.pem$/m);
    assert.match(text, new RegExp(`^AWS_ACCESS_KEY_ID=${CREDENTIALS.accessKeyId}$`, "m"));
    assert.match(text, /^127\.0\.0\.1 .*\blogs\.us-east-1\.amazonaws\.com\b/m);
    assert.match(text, /TCP-LISTEN:443,bind=127\.0\.0\.1.* TCP:127\.0\.0\.1:8443$/m);
  });

  test("without TLS: one line saying the real agent needs it", () => {
    const text = banner({ ...stack, endpoint: "http://127.0.0.1:8443" });
    assert.match(text, /^# A real amazon-ssm-agent needs HTTPS: start the stack with --tls/m);
    assert.doesNotMatch(text, /ContainerMode/);
  });

  test("no external node: nothing about the real agent", () => {
    assert.doesNotMatch(banner({ ...stack, externalNodeIds: [] }), /amazon-ssm-agent/);
  });
});

describe("npm run stack -- --tls --external-node", () => {
  test("prints the configuration of a real agent that trusts the stack's CA", async () => {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "emulator/cli.ts", "--tls", "--external-node", NODE],
      { cwd: path.resolve(__dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const ready = new Promise<void>((resolve) =>
      child.stdout.on("data", () => out.includes("Ctrl-C") && resolve()),
    );
    const first = await Promise.race([ready.then(() => "ready" as const), exited]);
    assert.equal(first, "ready", `the stack exited before its banner: ${err}`);
    try {
      const endpoint = /^endpoint: (\S+)$/m.exec(out)?.[1];
      assert.match(endpoint ?? "", /^https:\/\/127\.0\.0\.1:\d+$/, out);
      const json = /^\{\n[\s\S]*?\n\}$/m.exec(out)?.[0];
      assert.ok(json, out);
      assert.deepEqual(
        JSON.parse(json),
        amazonAgentConfig({ endpoint: endpoint!, region: "us-east-1", nodeId: NODE }),
      );
      const caFile = /^SSL_CERT_FILE=(\S+)$/m.exec(out)?.[1];
      assert.match(readFileSync(caFile!, "utf8"), /-----BEGIN CERTIFICATE-----/);
    } finally {
      child.kill("SIGINT");
      await exited;
    }
  });
});
