/**
 * Bad inputs at the API and at the data channel get AWS's errors or a policy-violation close, and the stack
 * keeps serving afterwards (spec 2.2, 2.4, 3.1).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateDocumentCommand,
  DescribeSessionsCommand,
  GetConnectionStatusCommand,
  type SessionFilterKey,
  StartSessionCommand,
  type StartSessionCommandInput,
  type StartSessionCommandOutput,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import WebSocket from "ws";
import { clientOpenDataChannel } from "../../protocol";
import { startTestStack, type TestStack, unique } from "./stack-support";

describe("stack: bad inputs", () => {
  let t: TestStack;
  before(async () => {
    t = await startTestStack();
  });
  after(async () => {
    await t?.stop();
  });

  /** Runs `call` and returns the AWS error it fails with (name = the error code). */
  async function awsError(
    call: Promise<unknown>,
  ): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
    try {
      await call;
    } catch (error) {
      return error as Error;
    }
    assert.fail("the call succeeded; an AWS error was expected");
  }

  /** A SigV4-signed AWS JSON 1.1 request to the stack with a raw body, as a hand-written client sends it. */
  async function rawSsmCall(
    target: string,
    body: string,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const url = new URL(t.stack.endpoint);
    const signer = new SignatureV4({
      service: "ssm",
      region: t.stack.region,
      credentials: t.stack.credentials,
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: "/",
        headers: {
          host: url.host,
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": target,
        },
        body,
      }),
    );
    const response = await fetch(t.stack.endpoint, { method: "POST", headers: signed.headers, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const startRaw = (input: StartSessionCommandInput) => t.ssm.send(new StartSessionCommand(input));
  const terminate = (sessionId: string) => t.ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));

  test("StartSession without a Target is a ValidationException", async () => {
    const error = await awsError(startRaw({} as StartSessionCommandInput));
    assert.equal(error.name, "ValidationException", error.message);
    assert.equal(error.$metadata?.httpStatusCode, 400);
  });

  test("StartSession to an unknown target is TargetNotConnected", async () => {
    const error = await awsError(startRaw({ Target: "i-0123456789abcdef0" }));
    assert.equal(error.name, "TargetNotConnected");
    assert.equal(error.message, "i-0123456789abcdef0 is not connected.");
  });

  test("StartSession with an unknown document is InvalidDocument", async () => {
    const error = await awsError(
      startRaw({ Target: t.stack.nodeIds[0]!, DocumentName: unique("NoSuchDoc") }),
    );
    assert.equal(error.name, "InvalidDocument", error.message);
  });

  test("StartSession with a Command document is InvalidDocument naming the type", async () => {
    const name = unique("cmd-doc");
    await t.ssm.send(
      new CreateDocumentCommand({
        Name: name,
        DocumentType: "Command",
        DocumentFormat: "JSON",
        Content: JSON.stringify({
          schemaVersion: "2.2",
          description: "not a session document",
          mainSteps: [{ action: "aws:runShellScript", name: "run", inputs: { runCommand: ["true"] } }],
        }),
      }),
    );
    const error = await awsError(startRaw({ Target: t.stack.nodeIds[0]!, DocumentName: name }));
    assert.equal(error.name, "InvalidDocument");
    assert.equal(
      error.message,
      "Document type: 'Command' is not supported. Only type: 'Session' is supported for Session Manager.",
    );
  });

  test("DescribeSessions with an unknown filter key is InvalidFilterKey", async () => {
    const error = await awsError(
      t.ssm.send(
        new DescribeSessionsCommand({
          State: "Active",
          Filters: [{ key: "Colour" as SessionFilterKey, value: "blue" }],
        }),
      ),
    );
    assert.equal(error.name, "InvalidFilterKey", error.message);
  });

  test("a malformed JSON body is a SerializationException; an unknown operation is refused", async () => {
    const malformed = await rawSsmCall("AmazonSSM.DescribeSessions", '{"State": "Active",');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.__type, "SerializationException", JSON.stringify(malformed.json));

    const unknownOp = await rawSsmCall("AmazonSSM.LaunchRockets", "{}");
    assert.equal(unknownOp.status, 400);
    assert.equal(unknownOp.json.__type, "UnknownOperationException", JSON.stringify(unknownOp.json));
  });

  describe("data channel", () => {
    /** Opens the StreamUrl, sends `first`, and reports how the gateway closed the socket (or that it stayed open). */
    function openDataChannel(
      streamUrl: string,
      first: string | Buffer,
      openForMs = 1_000,
    ): Promise<{ code: number; reason: string } | { open: WebSocket }> {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(streamUrl, { perMessageDeflate: false });
        socket.once("error", reject);
        socket.once("open", () => {
          socket.send(first);
          const timer = setTimeout(() => resolve({ open: socket }), openForMs);
          socket.once("close", (code, reason) => {
            clearTimeout(timer);
            resolve({ code, reason: reason.toString("utf8") });
          });
        });
      });
    }
    const openFrame = (token: string) => clientOpenDataChannel({ token });
    const assertRefused = (
      outcome: { code: number; reason: string } | { open: WebSocket },
      reason: RegExp,
      what: string,
    ) => {
      if ("open" in outcome) {
        outcome.open.terminate();
        assert.fail(`${what}: the gateway kept the socket open; a close with code 1008 was expected`);
      }
      assert.equal(outcome.code, 1008, `${what}: close code (reason ${JSON.stringify(outcome.reason)})`);
      assert.match(outcome.reason, reason, `${what}: close reason`);
    };

    let a: StartSessionCommandOutput;
    let b: StartSessionCommandOutput;
    before(async () => {
      [a, b] = await Promise.all([
        startRaw({ Target: t.stack.nodeIds[0]! }),
        startRaw({ Target: t.stack.nodeIds[1]! }),
      ]);
    });
    after(async () => {
      await Promise.all([terminate(a.SessionId!), terminate(b.SessionId!)]);
    });

    test("a first frame that is not the OpenDataChannel JSON is refused", async () => {
      assertRefused(await openDataChannel(a.StreamUrl!, "hello"), /JSON/, "a non-JSON text frame");
      assertRefused(
        await openDataChannel(a.StreamUrl!, Buffer.from([1, 2, 3])),
        /text frame/,
        "a binary first frame",
      );
      assertRefused(
        await openDataChannel(a.StreamUrl!, JSON.stringify({ MessageSchemaVersion: "1.0" })),
        /TokenValue/,
        "an open frame without a token",
      );
    });

    test("unknown, reused and other sessions' tokens are refused", async () => {
      assertRefused(
        await openDataChannel(a.StreamUrl!, openFrame("AAEAAnot-a-token")),
        /token/i,
        "an unknown token",
      );

      const first = await openDataChannel(a.StreamUrl!, openFrame(a.TokenValue!));
      assert.ok(
        "open" in first,
        `the session's own token opens its data channel, got ${JSON.stringify(first)}`,
      );
      try {
        assertRefused(
          await openDataChannel(a.StreamUrl!, openFrame(a.TokenValue!)),
          /token/i,
          "a reused token",
        );
      } finally {
        first.open.terminate();
      }
      assertRefused(
        await openDataChannel(a.StreamUrl!, openFrame(b.TokenValue!)),
        /token/i,
        "another session's token",
      );
    });
  });

  test("after all that, the stack still serves a normal session", async () => {
    const status = await t.ssm.send(new GetConnectionStatusCommand({ Target: t.stack.nodeIds[0]! }));
    assert.equal(status.Status, "connected");
    const client = await t.open({ Target: t.stack.nodeIds[0]! });
    const marker = unique("still-ok");
    assert.equal((await client.run(`echo ${marker}`)).output.trim(), marker);
    await client.dispose();
  });
});
