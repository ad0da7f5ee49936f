/**
 * The stack over TLS (`startStack({ tls: true })`): https and wss on one port with a certificate from the
 * stack's own CA, trusted by our agents and the harness's clients through their CA settings, refused by a
 * client that does not trust it, HTTP/1.1 only (no h2 through ALPN: real-agent-observations.md C2).
 */
import assert from "node:assert/strict";
import { randomUUID, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import tls from "node:tls";
import { SSMClient, StartSessionCommand } from "@aws-sdk/client-ssm";
import WebSocket from "ws";
import { MgsClient } from "../../emulator/agent/mgsClient";
import { restRequest } from "../../emulator/agent/restRequest";
import { startStack } from "../../emulator/stack";
import { awsServiceHostNames } from "../../emulator/tls/authority";
import { createSessionDocument, lineCount, startTestStack, type TestStack, unique } from "./stack-support";

const EXTERNAL_NODE = "mi-0fa4e1c0ffee12345";
const KMS_MESSAGE = "This session is encrypted using AWS KMS.";

/** The TLS handshake with the stack as `options` make it; resolves with the negotiated socket's facts. */
function handshake(port: number, options: tls.ConnectionOptions) {
  return new Promise<{ alpn: string | false; cert: tls.PeerCertificate }>((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ...options }, () => {
      resolve({ alpn: socket.alpnProtocol ?? false, cert: socket.getPeerCertificate() });
      socket.end();
    });
    socket.once("error", reject);
  });
}

describe("stack over TLS", { concurrency: true }, () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack({ tls: true, externalNodes: [EXTERNAL_NODE] });
  });
  after(async () => {
    await t?.stop();
  });

  test("the endpoint is https, the CA is written to a file and named by SSL_CERT_FILE and AWS_CA_BUNDLE", () => {
    const { stack } = t;
    assert.equal(stack.endpoint, `https://127.0.0.1:${stack.port}`);
    assert.ok(stack.tls, "stack.tls is set");
    assert.equal(readFileSync(stack.tls.caFile, "utf8"), stack.tls.caPem);
    const ca = new X509Certificate(stack.tls.caPem);
    assert.ok(ca.ca, "the CA certificate is a CA");
    const env = stack.env();
    assert.equal(env.SSL_CERT_FILE, stack.tls.caFile);
    assert.equal(env.AWS_CA_BUNDLE, stack.tls.caFile);
    assert.equal(env.AWS_ENDPOINT_URL, stack.endpoint);
  });

  test("the server certificate is signed by the CA and covers loopback and the region's AWS host names", async () => {
    const { cert } = await handshake(t.stack.port, { ca: t.stack.tls!.caPem });
    const server = new X509Certificate(cert.raw);
    assert.ok(server.verify(new X509Certificate(t.stack.tls!.caPem).publicKey), "signed by the stack's CA");
    assert.equal(server.ca, false);
    const names = server.subjectAltName ?? "";
    for (const name of ["IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "DNS:localhost"])
      assert.ok(names.includes(name), `SAN ${name} in ${names}`);
    const hosts = awsServiceHostNames(t.stack.region);
    assert.ok(hosts.includes(`ssmmessages.${t.stack.region}.amazonaws.com`));
    assert.ok(hosts.includes("s3.amazonaws.com"));
    // A client dialling an AWS host name (redirected by DNS or /etc/hosts) verifies the certificate.
    for (const host of hosts) {
      assert.ok(names.includes(`DNS:${host}`), `SAN DNS:${host}`);
      await handshake(t.stack.port, { ca: t.stack.tls!.caPem, servername: host });
    }
  });

  test("ALPN: a client offering h2 and http/1.1 gets http/1.1, never h2", async () => {
    const { alpn } = await handshake(t.stack.port, {
      ca: t.stack.tls!.caPem,
      ALPNProtocols: ["h2", "http/1.1"],
    });
    assert.ok(alpn === "http/1.1" || alpn === false, `negotiated ${String(alpn)}`);
  });

  test("CreateControlChannel over https answers 201 with XML on HTTP/1.1", async () => {
    const reply = await restRequest(new URL(`/v1/control-channel/${EXTERNAL_NODE}`, t.stack.endpoint), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ MessageSchemaVersion: "1.0", RequestId: randomUUID() }),
      ca: t.stack.tls!.caPem,
      timeoutMs: 5_000,
    });
    assert.equal(reply.status, 201, reply.body);
    assert.equal(reply.httpVersion, "1.1");
    assert.equal(reply.contentType, "application/xml");
    assert.match(reply.body, /<TokenValue>[^<]+<\/TokenValue>/);
  });

  test("a shell session over wss: the agent over TLS, the prompt and a command's output", async () => {
    const client = await t.open({ Target: t.stack.nodeIds[0]! });
    await client.waitFor(/[#$] $/, 5_000);
    const marker = unique("tls");
    const result = await client.run(`echo ${marker}`);
    assert.equal(result.output.replace(/\r?\n$/, "").replace(/\r/g, ""), marker);
    assert.equal(lineCount(client.transcript.text, marker), 1);
    await client.dispose();
  });

  test("a KMS-encrypted session over TLS: the agent's in-process KMS client trusts the CA", async () => {
    const documentName = await createSessionDocument(t.ssm, { kmsKeyId: t.stack.kmsKeys[0]!.arn });
    const client = await t.open({ Target: t.stack.nodeIds[1]!, DocumentName: documentName });
    await client.waitFor(KMS_MESSAGE, 5_000);
    const marker = unique("kms-tls");
    assert.match((await client.run(`echo ${marker}`)).output, new RegExp(marker));
    await client.dispose();
  });

  test("StartSession's StreamUrl is wss on the same port", async () => {
    const started = await t.ssm.send(new StartSessionCommand({ Target: t.stack.nodeIds[0]! }));
    assert.ok(
      started.StreamUrl?.startsWith(`wss://127.0.0.1:${t.stack.port}/v1/data-channel/`),
      String(started.StreamUrl),
    );
  });

  test("clients that do not trust the CA are refused with a certificate error", async () => {
    const untrusting = new SSMClient({
      endpoint: t.stack.endpoint,
      region: t.stack.region,
      credentials: t.stack.credentials,
      maxAttempts: 1,
    });
    try {
      await assert.rejects(
        untrusting.send(new StartSessionCommand({ Target: t.stack.nodeIds[0]! })),
        (error: NodeJS.ErrnoException) => /CERT|VERIFY|SELF_SIGNED/.test(String(error.code)),
      );
    } finally {
      untrusting.destroy();
    }
    const socket = new WebSocket(
      `wss://127.0.0.1:${t.stack.port}/v1/data-channel/none?role=publish_subscribe`,
    );
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once("error", resolve));
    assert.match(String(error.code), /CERT|VERIFY|SELF_SIGNED/);
  });
});

describe("stack over TLS: the CA file", () => {
  test("stop() closes an open wss control channel and removes a temporary CA file; a named one is left", async () => {
    const stack = await startStack({
      tls: true,
      nodes: [],
      externalNodes: [EXTERNAL_NODE],
      logLevel: "silent",
    });
    const temporary = stack.tls!.caFile;
    assert.ok(existsSync(temporary));
    const mgs = new MgsClient({ ...stack, url: stack.endpoint, ca: stack.tls!.caPem });
    await mgs.createControlChannel(EXTERNAL_NODE);
    const control = await mgs.dial(`/v1/control-channel/${EXTERNAL_NODE}`, {
      role: "subscribe",
      stream: "input",
    });
    const closed = new Promise((resolve) => control.once("close", resolve));
    await stack.stop();
    await Promise.race([
      closed,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("wss still open after stop()")), 2_000).unref(),
      ),
    ]);
    assert.equal(existsSync(temporary), false, "the temporary CA file is gone");

    const dir = mkdtempSync(path.join(tmpdir(), "stack-tls-test-"));
    try {
      const caFile = path.join(dir, "emulator-ca.pem");
      const named = await startStack({ tls: { caFile }, nodes: [], logLevel: "silent" });
      assert.equal(named.tls!.caFile, caFile);
      assert.equal(named.env().SSL_CERT_FILE, caFile);
      assert.equal(readFileSync(caFile, "utf8"), named.tls!.caPem);
      await named.stop();
      assert.ok(existsSync(caFile), "a CA file the caller named stays");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an unwritable CA file is a one-line error", async () => {
    await assert.rejects(
      startStack({ tls: { caFile: "/nonexistent-dir/ca.pem" }, nodes: [], logLevel: "silent" }),
      (error: Error) =>
        /^cannot write the CA file \/nonexistent-dir\/ca\.pem: /.test(error.message) &&
        !error.message.includes("\n"),
    );
  });

  test("without tls the stack stays plain http and names no CA", async () => {
    const stack = await startStack({ nodes: [], logLevel: "silent" });
    try {
      assert.match(stack.endpoint, /^http:\/\//);
      assert.equal(stack.tls, undefined);
      assert.equal(stack.env().SSL_CERT_FILE, undefined);
    } finally {
      await stack.stop();
    }
  });
});
