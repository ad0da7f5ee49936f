import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DEFAULT_PRINCIPAL, type Principal } from "../../emulator/api/credentials";
import { AwsServiceError, type ServiceProvider } from "../../emulator/api/provider";
import { type ApiServer, MAX_BODY_BYTES, startApiServer } from "../../emulator/api/server";
import { createKmsProvider } from "../../emulator/kms";
import { createStsProvider } from "../../emulator/sts";
import { createStackCertificates } from "../../emulator/tls/authority";

const OTHER: Principal = {
  accessKeyId: "AKIAOTHER",
  secretAccessKey: "other-secret",
  accountId: "111111111111",
  arn: "arn:aws:iam::111111111111:user/other",
  userId: "AIDAOTHERUSER00000001",
  deniedOperations: ["kms:DescribeKey", "sts:*"],
};

/** A throwaway provider for the front door's own behaviour. */
const testProvider: ServiceProvider = {
  signingName: "test",
  targetPrefix: "Test_20240101",
  errorMessageKey: "message",
  operations: {
    Echo: (input, ctx) => ({ input, caller: ctx.caller.arn, region: ctx.region }),
    Fail: () => {
      throw new AwsServiceError("ThrottlingException", "slow down", 429);
    },
    Boom: () => {
      throw new Error("kaboom: do not leak me");
    },
  },
};

function clientConfig(url: string, accessKeyId = "test", secretAccessKey = "test") {
  return {
    endpoint: url,
    region: "eu-west-1",
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  };
}

async function post(
  url: string,
  target: string | undefined,
  body: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      ...(target ? { "x-amz-target": target } : {}),
      ...headers,
    },
    body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata: { httpStatusCode?: number } };
  }
  assert.fail("expected the call to fail");
}

describe("api server (non-strict)", () => {
  let api: ApiServer;
  before(async () => {
    api = await startApiServer({
      providers: [testProvider, createKmsProvider().provider, createStsProvider()],
      principals: [DEFAULT_PRINCIPAL, OTHER],
      routes: [
        {
          method: "GET",
          pathPrefix: "/v1/hello",
          handle: (_req, res) => {
            res.end("hi");
          },
        },
      ],
    });
  });
  after(() => api.close());

  test("binds 127.0.0.1 and reports its url", () => {
    assert.equal(api.url, `http://127.0.0.1:${api.port}`);
    assert.equal((api.server.address() as { address: string }).address, "127.0.0.1");
  });

  test("accepts unsigned calls as the default principal, with the default region", async () => {
    const res = await post(api.url, "Test_20240101.Echo", '{"a":1}');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-amz-json-1.1");
    assert.match(res.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(res.text), {
      input: { a: 1 },
      caller: DEFAULT_PRINCIPAL.arn,
      region: "us-east-1",
    });
  });

  test("answers JSON 1.0 to a JSON 1.0 request", async () => {
    const res = await post(api.url, "Test_20240101.Echo", "{}", {
      "content-type": "application/x-amz-json-1.0",
    });
    assert.equal(res.headers.get("content-type"), "application/x-amz-json-1.0");
  });

  test("accepts an unknown key and a wrong secret, falling back to the default principal", async () => {
    const sts = new STSClient(clientConfig(api.url, "AKIAUNKNOWN", "whatever"));
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, DEFAULT_PRINCIPAL.arn);
    sts.destroy();
    const kms = new KMSClient(clientConfig(api.url, "test", "wrong-secret"));
    const out = await kms.send(new DescribeKeyCommand({ KeyId: "alias/ssm-conformance" }));
    assert.ok(out.KeyMetadata?.Arn);
    kms.destroy();
  });

  test("a known key resolves to its principal even with a wrong secret, so denials apply", async () => {
    const kms = new KMSClient(clientConfig(api.url, OTHER.accessKeyId, "wrong"));
    const err = await rejection(kms.send(new DescribeKeyCommand({ KeyId: "alias/ssm-conformance" })));
    assert.equal(err.name, "AccessDeniedException");
    assert.equal(
      err.message,
      "User: arn:aws:iam::111111111111:user/other is not authorized to perform: kms:DescribeKey because no identity-based policy allows the kms:DescribeKey action",
    );
    assert.equal(err.$metadata.httpStatusCode, 400);
    kms.destroy();
  });

  test("a denial is served in the query shape to the STS client", async () => {
    const sts = new STSClient(clientConfig(api.url, OTHER.accessKeyId, OTHER.secretAccessKey));
    const err = await rejection(sts.send(new GetCallerIdentityCommand({})));
    assert.equal(err.name, "AccessDenied");
    assert.match(err.message, /not authorized to perform: sts:GetCallerIdentity/);
    sts.destroy();
  });

  test("malformed JSON is a SerializationException", async () => {
    for (const body of ["{not json", "[1,2]", "42"]) {
      const res = await post(api.url, "Test_20240101.Echo", body);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get("x-amzn-errortype"), "SerializationException");
      const parsed = JSON.parse(res.text);
      assert.equal(parsed.__type, "SerializationException");
      assert.equal(typeof parsed.message, "string");
    }
  });

  test("unknown operation, unknown target prefix and missing target are UnknownOperationException", async () => {
    for (const target of ["Test_20240101.Nope", "Nobody_2020.Echo", undefined, "Test_20240101.toString"]) {
      const res = await post(api.url, target, "{}");
      assert.equal(res.status, 400, String(target));
      assert.equal(res.headers.get("x-amzn-errortype"), "UnknownOperationException");
      assert.equal(JSON.parse(res.text).__type, "UnknownOperationException");
    }
  });

  test("a service error keeps its status, code and message key", async () => {
    const res = await post(api.url, "Test_20240101.Fail", "{}");
    assert.equal(res.status, 429);
    assert.deepEqual(JSON.parse(res.text), { __type: "ThrottlingException", message: "slow down" });
  });

  test("a handler that throws gets a 500 without internals, and the server keeps serving", async () => {
    const res = await post(api.url, "Test_20240101.Boom", "{}");
    assert.equal(res.status, 500);
    assert.equal(JSON.parse(res.text).__type, "InternalFailure");
    assert.doesNotMatch(res.text, /kaboom|at .*\.ts/);
    assert.equal((await post(api.url, "Test_20240101.Echo", "{}")).status, 200);
  });

  test("wrong method or path is a 404 JSON error", async () => {
    const get = await fetch(api.url);
    assert.equal(get.status, 404);
    assert.equal(JSON.parse(await get.text()).__type, "UnknownOperationException");
    const elsewhere = await post(`${api.url}/elsewhere`, "Test_20240101.Echo", "{}");
    assert.equal(elsewhere.status, 404);
  });

  test("extra routes are served", async () => {
    const res = await fetch(`${api.url}/v1/hello/world`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "hi");
  });

  test("bodies over 10 MiB are refused", async () => {
    const res = await post(api.url, "Test_20240101.Echo", `"${"x".repeat(MAX_BODY_BYTES)}"`);
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.text).__type, "RequestEntityTooLargeException");
    assert.equal((await post(api.url, "Test_20240101.Echo", "{}")).status, 200);
  });
});

describe("api server (strict SigV4)", () => {
  let api: ApiServer;
  before(async () => {
    api = await startApiServer({
      providers: [testProvider, createKmsProvider().provider, createStsProvider()],
      strictSigV4: true,
    });
  });
  after(() => api.close());

  test("accepts a correctly signed call and uses the region of the credential scope", async () => {
    const sts = new STSClient(clientConfig(api.url));
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, "000000000000");
    sts.destroy();
    const kms = new KMSClient(clientConfig(api.url));
    await kms.send(new DescribeKeyCommand({ KeyId: "alias/ssm-conformance" }));
    kms.destroy();
  });

  test("rejects an unknown access key with UnrecognizedClientException", async () => {
    const kms = new KMSClient(clientConfig(api.url, "AKIAUNKNOWN", "test"));
    const err = await rejection(kms.send(new DescribeKeyCommand({ KeyId: "alias/ssm-conformance" })));
    assert.equal(err.name, "UnrecognizedClientException");
    assert.equal(err.message, "The security token included in the request is invalid.");
    assert.equal(err.$metadata.httpStatusCode, 400);
    kms.destroy();
  });

  test("rejects a wrong secret with InvalidSignatureException", async () => {
    const kms = new KMSClient(clientConfig(api.url, "test", "not-the-secret"));
    const err = await rejection(kms.send(new DescribeKeyCommand({ KeyId: "alias/ssm-conformance" })));
    assert.equal(err.name, "InvalidSignatureException");
    assert.equal(
      err.message,
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
    assert.equal(err.$metadata.httpStatusCode, 403);
    kms.destroy();
  });

  test("STS gets the query names of the same errors", async () => {
    const unknown = new STSClient(clientConfig(api.url, "AKIAUNKNOWN", "test"));
    assert.equal(
      (await rejection(unknown.send(new GetCallerIdentityCommand({})))).name,
      "InvalidClientTokenId",
    );
    unknown.destroy();
    const wrong = new STSClient(clientConfig(api.url, "test", "nope"));
    assert.equal(
      (await rejection(wrong.send(new GetCallerIdentityCommand({})))).name,
      "SignatureDoesNotMatch",
    );
    wrong.destroy();
  });

  test("rejects unsigned requests and requests altered after signing", async () => {
    const unsigned = await post(api.url, "Test_20240101.Echo", "{}");
    assert.equal(unsigned.status, 403);
    assert.equal(JSON.parse(unsigned.text).__type, "MissingAuthenticationTokenException");

    // Sign with the SDK's own signer (with and without a payload hash header), then change the body.
    const { SignatureV4 } = await import("@smithy/signature-v4");
    const { Hash } = await import("@smithy/hash-node");
    const { HttpRequest } = await import("@smithy/protocol-http");
    for (const applyChecksum of [true, false]) {
      const signer = new SignatureV4({
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        region: "us-east-1",
        service: "test",
        sha256: Hash.bind(null, "sha256"),
        applyChecksum,
      });
      const signed = await signer.sign(
        new HttpRequest({
          method: "POST",
          hostname: "127.0.0.1",
          port: api.port,
          path: "/",
          headers: {
            host: `127.0.0.1:${api.port}`,
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "Test_20240101.Echo",
          },
          body: '{"a":1}',
        }),
      );
      const headers = signed.headers as Record<string, string>;
      assert.equal((await post(api.url, undefined, '{"a":1}', headers)).status, 200);
      const tampered = await post(api.url, undefined, '{"a":2}', headers);
      assert.equal(tampered.status, 403);
      assert.equal(JSON.parse(tampered.text).__type, "InvalidSignatureException");
    }
  });
});

describe("api server close()", () => {
  for (const scheme of ["http", "https"] as const)
    test(`resolves promptly with a keep-alive ${scheme} client connected, and closes its socket`, async () => {
      const certificates = scheme === "https" ? await createStackCertificates("us-east-1") : undefined;
      const api = await startApiServer({ providers: [testProvider], tls: certificates });
      assert.ok(api.url.startsWith(`${scheme}://127.0.0.1:`), api.url);
      const agent =
        scheme === "https"
          ? new https.Agent({ keepAlive: true, ca: certificates!.caPem })
          : new http.Agent({ keepAlive: true });
      const socket = await new Promise<Socket>((resolve) => {
        const req = (scheme === "https" ? https : http).request(
          `${api.url}/`,
          { method: "POST", agent, headers: { "x-amz-target": "Test_20240101.Echo" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(req.socket!));
          },
        );
        req.end("{}");
      });
      const socketClosed = new Promise((resolve) => socket.once("close", resolve));
      socket.ref(); // the agent unrefs idle sockets; keep the test alive until the server closes this one
      const started = Date.now();
      await api.close();
      assert.ok(Date.now() - started < 1000, "close() took too long");
      await socketClosed;
      await api.close(); // idempotent
      agent.destroy();
    });
});
