/**
 * The harness reads the CA AWS tools are told to trust (support/config/caBundle.ts), and its SDK clients and
 * SessionClient use it for https/wss: `export AWS_CA_BUNDLE=…` (or SSL_CERT_FILE) is enough to run against
 * a TLS stack.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { type StartedStack, startStack } from "../../emulator/stack";
import { CaBundleError, caBundleFromEnv } from "../../support/config/caBundle";
import { SessionClient } from "../../support/session/sessionClient";
import { createClients, destroyClients } from "../../support/targets/clients";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("caBundleFromEnv", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "ca-bundle-test-"));
    writeFileSync(path.join(dir, "a.pem"), PEM);
    writeFileSync(path.join(dir, "b.pem"), PEM.replace("MIIB", "MIIC"));
    writeFileSync(path.join(dir, "not.pem"), "hello");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("AWS_CA_BUNDLE first, then SSL_CERT_FILE; unset or empty: undefined", () => {
    const a = path.join(dir, "a.pem");
    const b = path.join(dir, "b.pem");
    assert.equal(caBundleFromEnv({ AWS_CA_BUNDLE: a, SSL_CERT_FILE: b }), PEM);
    assert.match(caBundleFromEnv({ SSL_CERT_FILE: b })!, /MIIC/);
    assert.match(caBundleFromEnv({ AWS_CA_BUNDLE: "", SSL_CERT_FILE: b })!, /MIIC/);
    assert.equal(caBundleFromEnv({}), undefined);
  });

  test("a missing or non-PEM file is a one-line error naming the variable", () => {
    const missing = path.join(dir, "missing.pem");
    assert.throws(
      () => caBundleFromEnv({ SSL_CERT_FILE: missing }),
      (error: Error) =>
        error instanceof CaBundleError &&
        error.message === `cannot read the CA bundle ${missing} named by SSL_CERT_FILE (ENOENT)`,
    );
    assert.throws(
      () => caBundleFromEnv({ AWS_CA_BUNDLE: path.join(dir, "not.pem") }),
      /^CaBundleError: the CA bundle .*not\.pem named by AWS_CA_BUNDLE holds no PEM certificate$/,
    );
  });
});

describe("harness clients against a TLS stack, trusting it through AWS_CA_BUNDLE", () => {
  let stack: StartedStack;
  const saved = { AWS_CA_BUNDLE: process.env.AWS_CA_BUNDLE, SSL_CERT_FILE: process.env.SSL_CERT_FILE };
  before(async () => {
    stack = await startStack({ tls: true, logLevel: "error" });
  });
  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await stack?.stop();
  });

  test("without it the SDK refuses the certificate; with it the SDK clients and SessionClient connect", async () => {
    delete process.env.AWS_CA_BUNDLE;
    delete process.env.SSL_CERT_FILE;
    const config = { region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials };
    const untrusting = createClients(config);
    try {
      await assert.rejects(
        untrusting.sts.send(new GetCallerIdentityCommand({})),
        (error: NodeJS.ErrnoException) => /CERT|VERIFY/.test(String(error.code)),
      );
    } finally {
      destroyClients(untrusting);
    }

    process.env.AWS_CA_BUNDLE = stack.tls!.caFile;
    const clients = createClients(config);
    try {
      const caller = await clients.sts.send(new GetCallerIdentityCommand({}));
      assert.match(caller.Arn ?? "", /^arn:aws:iam::/);
      const session = await SessionClient.start({ Target: stack.nodeIds[0]! }, { ssm: clients.ssm });
      try {
        assert.match((await session.run("echo ca-$((40+2))")).output, /ca-42/);
      } finally {
        await session.dispose();
      }
    } finally {
      destroyClients(clients);
    }
  });
});
