/**
 * The official amazon-ssm-agent in the container stack (--target container --agent amazon, docker/amazon-agent):
 * - the package cannot be had (its download URL is a closed port on loopback, so nothing leaves the
 *   machine): the image build fails, the run says why in one line and skips every scenario with it;
 * - the CloudWatch Logs trick: in a container of the image's `forwarder` stage (no agent) on host networking,
 *   logs.<region>.amazonaws.com resolves to 127.0.0.1 and HTTPS to it reaches the stack's logs provider
 *   through the entrypoint's 127.0.0.1:443 forwarder (needs the stack's TLS);
 * - with a real package (SSM_CONFORMANCE_AMAZON_AGENT_DEB): the image builds from it and the smoke scenario
 *   passes against the real agent.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { AWS_HTTPS_PORT, amazonAgentHostNames } from "../../emulator/externalAgent/amazonAgentConfig";
import { type StartedStack, startStack } from "../../emulator/stack";
import { sdkTrusting } from "../../emulator/tls/sdkTrust";
import { LOCAL_BASE_IMAGE } from "../../support/targets/container";
import { dockerUnavailable, imageExists, readConformance, startCli } from "./helpers";

/** Built by .ci/container-suite: docker build --target forwarder docker/amazon-agent. */
const FORWARDER_IMAGE = "ssm-conformance/amazon-agent-forwarder:latest";
const REGION = "us-east-1";

describe("the official amazon-ssm-agent in the container stack", async () => {
  const noDocker = await dockerUnavailable();

  it("no package to be had: the build fails, one line says why, every scenario is skipped", {
    skip:
      noDocker ??
      ((await imageExists(LOCAL_BASE_IMAGE)) ? undefined : `no ${LOCAL_BASE_IMAGE} image to build on`),
    timeout: 10 * 60_000,
  }, async () => {
    const reportDir = mkdtempSync(path.join(tmpdir(), "ssmc-amazon-unavailable-"));
    try {
      const run = startCli(["--target", "container", "--agent", "amazon", "--report-dir", reportDir], {
        SSM_CONFORMANCE_AMAZON_AGENT_IMAGE: "ssm-conformance/amazon-agent:no-package-test",
        SSM_CONFORMANCE_AMAZON_AGENT_URL: "http://127.0.0.1:9/amazon-ssm-agent.deb",
      });
      assert.equal(await run.exited, 0, run.stderr());
      const said = run
        .stderr()
        .split("\n")
        .filter((line) => /cannot run here/.test(line));
      assert.equal(said.length, 1, run.stderr());
      assert.match(
        said[0]!,
        /^container target: the official amazon-ssm-agent cannot run here: building ssm-conformance\/amazon-agent:no-package-test failed: cannot download the amazon-ssm-agent package from http:\/\/127\.0\.0\.1:9\/amazon-ssm-agent\.deb: curl: \(7\) .*; every scenario is skipped$/,
      );
      const { counts } = readConformance(reportDir);
      assert.deepEqual(
        { pass: counts["pass"], fail: counts["fail"], error: counts["error"] },
        { pass: 0, fail: 0, error: 0 },
      );
      assert.ok((counts["skipped"] ?? 0) > 0);
      assert.equal(await imageExists("ssm-conformance/amazon-agent:no-package-test"), false);
    } finally {
      rmSync(reportDir, { recursive: true, force: true });
    }
  });

  it("logs.<region>.amazonaws.com in the container reaches the stack's logs provider over TLS", {
    skip:
      noDocker ??
      ((await imageExists(FORWARDER_IMAGE))
        ? undefined
        : `no ${FORWARDER_IMAGE} image (.ci/container-suite builds it)`),
    timeout: 120_000,
  }, async () => {
    const stack = await startStack({ tls: true, nodes: [], region: REGION });
    try {
      const group = `/ssm-conformance/forwarder-${Date.now()}`;
      const logs = new CloudWatchLogsClient({
        region: REGION,
        endpoint: stack.endpoint,
        credentials: stack.credentials,
        ...sdkTrusting(stack.tls!.caPem),
      });
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      logs.destroy();

      const output = await runForwarderContainer(stack, stack.tls!.caPem, [
        "sh",
        "-c",
        `getent hosts logs.${REGION}.amazonaws.com && curl -sS --fail --cacert "$SSL_CERT_FILE" ` +
          `-H 'X-Amz-Target: Logs_20140328.DescribeLogGroups' -H 'Content-Type: application/x-amz-json-1.1' ` +
          `-d '{}' https://logs.${REGION}.amazonaws.com:${AWS_HTTPS_PORT}/`,
      ]);
      assert.match(
        output,
        new RegExp(`^127\\.0\\.0\\.1\\s+logs\\.${REGION}\\.amazonaws\\.com$`, "m"),
        output,
      );
      assert.match(output, /^amazon-agent: 127\.0\.0\.1:443 forwards to the stack/m, output);
      assert.ok(output.includes(`"logGroupName":"${group}"`), output);
    } finally {
      await stack.stop();
    }
  });

  const deb = process.env["SSM_CONFORMANCE_AMAZON_AGENT_DEB"];
  it("with a real package: the image builds from it and the smoke scenario passes against the real agent", {
    skip:
      noDocker ??
      (deb ? undefined : "no amazon-ssm-agent package here (set SSM_CONFORMANCE_AMAZON_AGENT_DEB to a .deb)"),
    timeout: 20 * 60_000,
  }, async () => {
    const reportDir = mkdtempSync(path.join(tmpdir(), "ssmc-amazon-smoke-"));
    try {
      const run = startCli(
        ["--target", "container", "--agent", "amazon", "--tags", "@smoke", "--report-dir", reportDir],
        {
          SSM_CONFORMANCE_AMAZON_AGENT_IMAGE: "ssm-conformance/amazon-agent:from-local-package",
        },
      );
      assert.equal(await run.exited, 0, `${run.stdout().slice(-3000)}\n${run.stderr().slice(-3000)}`);
      const { target, counts } = readConformance(reportDir);
      assert.match(target.agentVersion ?? "", /^amazon-ssm-agent \d+\.\d+\.\d+\.\d+ \(official package/);
      assert.deepEqual(
        { fail: counts["fail"], error: counts["error"], skipped: counts["skipped"] },
        { fail: 0, error: 0, skipped: 0 },
      );
      assert.ok((counts["pass"] ?? 0) > 0);
    } finally {
      rmSync(reportDir, { recursive: true, force: true });
    }
  });
});

/** The forwarder stage's entrypoint (hosts mapped, CA written, 443 forwarded), then `command`; its output. */
async function runForwarderContainer(stack: StartedStack, caPem: string, command: string[]): Promise<string> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(FORWARDER_IMAGE)
    .withNetworkMode("host")
    .withExtraHosts(amazonAgentHostNames(REGION).map((host) => ({ host, ipAddress: "127.0.0.1" })))
    .withEnvironment({
      SSM_AGENT_CONFIG: "{}",
      SSM_CONFORMANCE_CA_PEM: caPem,
      SSL_CERT_FILE: "/etc/ssm-conformance/stack-ca.pem",
      SSM_CONFORMANCE_LOGS_PORT: String(stack.port),
    })
    .withCommand(command)
    .withWaitStrategy(Wait.forOneShotStartup())
    .withStartupTimeout(60_000)
    .start();
  try {
    let text = "";
    const stream = await container.logs();
    stream.setEncoding("utf8");
    for await (const chunk of stream) text += chunk as string;
    return text;
  } finally {
    await container.stop({ remove: true }).catch(() => undefined);
  }
}
