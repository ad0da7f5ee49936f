import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import {
  ActionStatus,
  AgentHandshake,
  type AgentHandshakeOptions,
  ClientHandshake,
  type ClientHandshakeOptions,
  decodeFrame,
  EncChallenge,
  type EncryptionContext,
  EncryptionContextKey,
  HANDSHAKE_TIMEOUT_MS,
  HandshakeComplete,
  HandshakeError,
  HandshakeRequest,
  HandshakeResponse,
  HandshakeText,
  isHandshakeRequired,
  jsonPayload,
  KMSEncryptionRequest,
  KMSEncryptionResponse,
  PayloadType,
  ProtocolError,
  parsePayload,
} from "../../protocol";
import { VirtualClock } from "../../protocol/clock";
import { loadVectors } from "../support/vectors";

const SESSION_ID = "sess-1";
const TARGET_ID = "mi-0fa4e1c0ffee12345";
const KEY_ID = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

interface Sent {
  payloadType: number;
  payload: Buffer;
}

/** Lets pending promise callbacks (the handshakes' async steps, the fake KMS) run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An in-memory KMS: a data key decrypts only under the encryption context it was generated with. */
class FakeKms {
  readonly generated: EncryptionContext[] = [];
  readonly decrypted: EncryptionContext[] = [];
  /** Runs inside Decrypt, e.g. to let virtual time pass. */
  onDecrypt = () => {};
  private readonly keys = new Map<string, { plaintext: Buffer; context: EncryptionContext }>();

  generateDataKey = async (keyId: string, context: EncryptionContext) => {
    this.generated.push(context);
    if (keyId !== KEY_ID) throw new Error(`NotFoundException: Key '${keyId}' does not exist`);
    const plaintext = randomBytes(64);
    const ciphertextBlob = randomBytes(48);
    this.keys.set(ciphertextBlob.toString("base64"), { plaintext, context });
    return { ciphertextBlob, plaintext };
  };

  decryptDataKey = async (ciphertextKeyB64: string, context: EncryptionContext) => {
    this.decrypted.push(context);
    this.onDecrypt();
    const entry = this.keys.get(ciphertextKeyB64);
    if (!entry || !sameContext(entry.context, context)) throw new Error("InvalidCiphertextException");
    return entry.plaintext;
  };
}

function sameContext(a: EncryptionContext, b: EncryptionContext): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Tracks a promise so a test can tell "still pending" from "settled". */
function observe<T>(promise: Promise<T>) {
  const seen: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(seen, { value, settled: true }),
    (error) => Object.assign(seen, { error, settled: true }),
  );
  return seen;
}

interface WireOptions {
  /** KMS encryption on a Standard_Stream session. */
  encrypted?: boolean;
  agent?: Partial<AgentHandshakeOptions>;
  client?: Partial<ClientHandshakeOptions>;
  /** Payloads that this filter rejects are lost on the way. */
  deliver?: (sent: Sent) => boolean;
}

/** Agent and client connected back to back: each one's payloads go straight into the other's `handle`. */
function wire(options: WireOptions = {}) {
  const clock = new VirtualClock();
  const kms = new FakeKms();
  const toClient: Sent[] = [];
  const toAgent: Sent[] = [];
  const handleErrors: unknown[] = [];
  const deliver = options.deliver ?? (() => true);
  const agent: AgentHandshake = new AgentHandshake({
    agentVersion: "3.3.1142.0",
    sessionType: options.encrypted ? "Standard_Stream" : "NonInteractiveCommands",
    kms: options.encrypted ? kmsOptions(kms) : undefined,
    clock,
    send: (payloadType, payload) => {
      toClient.push({ payloadType, payload });
      if (deliver({ payloadType, payload }))
        client.handle(payloadType, payload).catch((e) => handleErrors.push(e));
    },
    ...options.agent,
  });
  const client: ClientHandshake = new ClientHandshake({
    clientVersion: "1.2.0.0",
    sessionId: SESSION_ID,
    targetId: TARGET_ID,
    generateDataKey: (keyId, context) => kms.generateDataKey(keyId, context),
    send: (payloadType, payload) => {
      toAgent.push({ payloadType, payload });
      if (deliver({ payloadType, payload }))
        agent.handle(payloadType, payload).catch((e) => handleErrors.push(e));
    },
    ...options.client,
  });
  return { clock, kms, agent, client, toClient, toAgent, handleErrors };
}

/** Late-bound, so a test can swap the fake's behaviour after wiring. */
function kmsOptions(kms: FakeKms) {
  return {
    keyId: KEY_ID,
    decryptDataKey: (blob: string, context: EncryptionContext) => kms.decryptDataKey(blob, context),
    sessionId: SESSION_ID,
    targetId: TARGET_ID,
  };
}

function rejection(error: unknown, reason: string) {
  assert.ok(error instanceof HandshakeError, `expected a HandshakeError, got ${error}`);
  assert.equal(error.reason, reason);
  assert.equal(error.message, `Encountered error while initiating handshake. ${reason}`);
}

function requestOf(sent: Sent[]) {
  const found = sent.find((s) => s.payloadType === PayloadType.HandshakeRequest);
  assert.ok(found, "no HandshakeRequest sent");
  return parsePayload(HandshakeRequest, found.payload, "HandshakeRequest");
}

function responseOf(sent: Sent[]) {
  const found = sent.find((s) => s.payloadType === PayloadType.HandshakeResponse);
  assert.ok(found, "no HandshakeResponse sent");
  return parsePayload(HandshakeResponse, found.payload, "HandshakeResponse");
}

describe("whether a handshake happens", () => {
  test("only for NonInteractiveCommands, Port, or KMS on a non-Port session", () => {
    assert.equal(isHandshakeRequired("Standard_Stream", undefined), false);
    assert.equal(isHandshakeRequired("Standard_Stream", ""), false);
    assert.equal(isHandshakeRequired("InteractiveCommands", undefined), false);
    assert.equal(isHandshakeRequired("NonInteractiveCommands", undefined), true);
    assert.equal(isHandshakeRequired("Port", undefined), true);
    assert.equal(isHandshakeRequired("Standard_Stream", KEY_ID), true);
    assert.equal(isHandshakeRequired("InteractiveCommands", KEY_ID), true);
  });

  for (const sessionType of ["Standard_Stream", "InteractiveCommands"]) {
    test(`skipped for plain ${sessionType}: settles at once, sends nothing, passes input on`, async () => {
      const { agent, toClient } = wire({ agent: { sessionType } });
      assert.equal(agent.accepts(PayloadType.Output), false);
      const outcome = await agent.start();
      assert.deepEqual(outcome, { skipped: true, timeToCompleteNs: 0 });
      assert.equal(agent.state, "skipped");
      assert.deepEqual(toClient, []);
      assert.equal(agent.accepts(PayloadType.Output), true);
      assert.equal(agent.accepts(PayloadType.Size), true);
      assert.equal(agent.accepts(PayloadType.HandshakeResponse), false);
    });
  }

  test("a Port session with a KMS key is not encrypted: SessionType is the only action", async () => {
    const { agent, client, toClient, kms } = wire({ encrypted: true, agent: { sessionType: "Port" } });
    assert.equal(agent.encrypted, false);
    const outcome = await agent.start();
    assert.deepEqual(
      requestOf(toClient).RequestedClientActions.map((a) => a.ActionType),
      ["SessionType"],
    );
    assert.equal(outcome.cipher, undefined);
    assert.equal((await client.completed).handler, "port");
    assert.deepEqual(kms.generated, []);
  });
});

describe("agent and client wired directly", () => {
  test("NonInteractiveCommands without encryption: request, response, complete", async () => {
    const { agent, client, toClient, toAgent, handleErrors } = wire({
      agent: { properties: { commands: "date" } },
    });
    const outcome = agent.start();
    assert.equal(agent.accepts(PayloadType.Output), false, "input is discarded during the handshake");
    const agentOutcome = await outcome;
    const clientOutcome = await client.completed;
    assert.deepEqual(
      toClient.map((s) => s.payloadType),
      [PayloadType.HandshakeRequest, PayloadType.HandshakeComplete],
    );
    assert.deepEqual(
      toAgent.map((s) => s.payloadType),
      [PayloadType.HandshakeResponse],
    );
    assert.equal(
      toClient[0].payload.toString(),
      '{"AgentVersion":"3.3.1142.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"NonInteractiveCommands","Properties":{"commands":"date"}}}]}',
    );
    assert.deepEqual(agentOutcome, {
      skipped: false,
      cipher: undefined,
      timeToCompleteNs: 0,
      clientVersion: "1.2.0.0",
    });
    assert.deepEqual(clientOutcome, {
      agentVersion: "3.3.1142.0",
      sessionType: "NonInteractiveCommands",
      handler: "shell",
      properties: { commands: "date" },
      customerMessage: "",
      cipher: undefined,
      timeToCompleteNs: 0,
    });
    assert.equal(agent.state, "complete");
    assert.equal(agent.accepts(PayloadType.Output), true);
    assert.deepEqual(handleErrors, []);
  });

  test("KMS encryption: data key, challenge, complete; the two ciphers interoperate", async () => {
    const { agent, client, kms, clock, toClient, toAgent, handleErrors } = wire({ encrypted: true });
    kms.onDecrypt = () => clock.advance(250);
    const agentOutcome = await agent.start();
    const clientOutcome = await client.completed;
    assert.deepEqual(handleErrors, []);
    assert.deepEqual(
      toClient.map((s) => s.payloadType),
      [PayloadType.HandshakeRequest, PayloadType.EncChallengeRequest, PayloadType.HandshakeComplete],
    );
    assert.deepEqual(
      toAgent.map((s) => s.payloadType),
      [PayloadType.HandshakeResponse, PayloadType.EncChallengeResponse],
    );

    const [sessionAction, kmsAction] = requestOf(toClient).RequestedClientActions;
    assert.equal(sessionAction.ActionType, "SessionType");
    assert.equal(kmsAction.ActionType, "KMSEncryption");
    const kmsRequest = KMSEncryptionRequest.parse(kmsAction.ActionParameters);
    assert.equal(kmsRequest.KMSKeyId, KEY_ID);
    assert.equal(Buffer.from(kmsRequest.Challenge ?? "", "base64").length, 16);

    const kmsResult = responseOf(toAgent).ProcessedClientActions[1];
    assert.equal(kmsResult.ActionStatus, ActionStatus.Success);
    assert.equal(KMSEncryptionResponse.parse(kmsResult.ActionResult).ChallengeAcknowledgement, true);

    const context = {
      [EncryptionContextKey.SessionId]: SESSION_ID,
      [EncryptionContextKey.TargetId]: TARGET_ID,
      [EncryptionContextKey.RandomChallenge]: kmsRequest.Challenge,
    };
    assert.deepEqual(kms.generated, [context]);
    assert.deepEqual(kms.decrypted, [context]);

    // The challenge is 64 bytes under the agent->client key: nonce + 64 + tag.
    const challenge = parsePayload(EncChallenge, toClient[1].payload, "EncChallengeRequest");
    assert.equal(Buffer.from(challenge.Challenge, "base64").length, 12 + 64 + 16);

    const complete = parsePayload(HandshakeComplete, toClient[2].payload, "HandshakeComplete");
    assert.deepEqual(complete, {
      HandshakeTimeToComplete: 250_000_000,
      CustomerMessage: HandshakeText.Encrypted,
    });
    assert.equal(agentOutcome.timeToCompleteNs, 250_000_000);
    assert.equal(clientOutcome.customerMessage, "This session is encrypted using AWS KMS.");

    const agentCipher = agentOutcome.cipher;
    const clientCipher = clientOutcome.cipher;
    assert.ok(agentCipher && clientCipher);
    assert.equal(client.cipher, clientCipher);
    const prompt = Buffer.from("sh-5.2$ ");
    assert.deepEqual(
      clientCipher.openIncoming(PayloadType.Output, agentCipher.sealOutgoing(PayloadType.Output, prompt)),
      prompt,
    );
    const keys = Buffer.from("whoami\r");
    assert.deepEqual(
      agentCipher.openIncoming(PayloadType.Output, clientCipher.sealOutgoing(PayloadType.Output, keys)),
      keys,
    );
  });

  test("a client that does not acknowledge the challenge leaves it out of both contexts", async () => {
    const { agent, kms } = wire({ encrypted: true, client: { acknowledgeChallenge: false } });
    const outcome = await agent.start();
    assert.ok(outcome.cipher);
    const context = {
      [EncryptionContextKey.SessionId]: SESSION_ID,
      [EncryptionContextKey.TargetId]: TARGET_ID,
    };
    assert.deepEqual(kms.generated, [context]);
    assert.deepEqual(kms.decrypted, [context]);
  });

  test("an agent requiring the challenge rejects a client that does not acknowledge it", async () => {
    const { agent, kms } = wire({
      encrypted: true,
      agent: { requireChallengeAcknowledgement: true },
      client: { acknowledgeChallenge: false },
    });
    await agent.start().then(
      () => assert.fail("the handshake should fail"),
      (error) => rejection(error, "client does not support required encryption context random challenge"),
    );
    assert.deepEqual(kms.decrypted, [], "KMS Decrypt is not called");
  });
});

describe("agent failures", () => {
  test("no HandshakeResponse: fails at exactly 15 s with the timeout text", async () => {
    const { agent, clock } = wire({ deliver: () => false });
    const seen = observe(agent.start());
    clock.advance(HANDSHAKE_TIMEOUT_MS - 1);
    await flush();
    assert.equal(seen.settled, false);
    assert.equal(agent.state, "awaiting-response");
    clock.advance(1);
    await flush();
    rejection(
      seen.error,
      "Handshake timed out. Please ensure that you have the latest version of the session manager plugin.",
    );
    assert.equal(agent.state, "failed");
    assert.equal(clock.pending, 0);
  });

  test("no EncChallengeResponse: fails 15 s after the challenge was sent", async () => {
    let holdResponse = true;
    const held: Sent[] = [];
    const { agent, clock } = wire({
      encrypted: true,
      deliver: (sent) => {
        if (sent.payloadType === PayloadType.HandshakeResponse && holdResponse) return !held.push(sent);
        return sent.payloadType !== PayloadType.EncChallengeRequest;
      },
    });
    const seen = observe(agent.start());
    await flush();
    clock.advance(10_000);
    holdResponse = false;
    await agent.handle(held[0].payloadType, held[0].payload);
    assert.equal(agent.state, "awaiting-challenge");
    clock.advance(HANDSHAKE_TIMEOUT_MS - 1);
    await flush();
    assert.equal(seen.settled, false);
    clock.advance(1);
    await flush();
    rejection(seen.error, "Timed out waiting for encryption challenge.");
  });

  test("a failed client action cancels with the agent's composition of the client's error", async () => {
    const { agent, toAgent } = wire({
      encrypted: true,
      client: {
        generateDataKey: async () => {
          throw new Error("AccessDeniedException: not authorized to perform kms:GenerateDataKey");
        },
      },
    });
    await agent.start().then(
      () => assert.fail("the handshake should fail"),
      (error) =>
        rejection(
          error,
          "KMSEncryption failed on client with status 2 error: Failed to process action KMSEncryption: " +
            "Error calling KMS GenerateDataKey API: AccessDeniedException: not authorized to perform kms:GenerateDataKey",
        ),
    );
    assert.deepEqual(responseOf(toAgent).Errors, [
      "Error calling KMS GenerateDataKey API: AccessDeniedException: not authorized to perform kms:GenerateDataKey",
    ]);
  });

  test("a client without KMS support fails KMSEncryption with the plugin's upgrade text", async () => {
    const { agent } = wire({ encrypted: true, client: { generateDataKey: undefined } });
    await agent.start().then(
      () => assert.fail("the handshake should fail"),
      (error) =>
        rejection(
          error,
          `KMSEncryption failed on client with status 2 error: Failed to process action KMSEncryption: ${HandshakeText.CliUpgradeNeeded}`,
        ),
    );
  });

  test("a data key KMS will not decrypt fails with 'Fetching data key failed'", async () => {
    const { agent, kms } = wire({ encrypted: true });
    kms.decryptDataKey = async () => {
      throw new Error("InvalidCiphertextException");
    };
    await agent.start().then(
      () => assert.fail("the handshake should fail"),
      (error) =>
        rejection(error, "Fetching data key failed: Unable to retrieve data key, InvalidCiphertextException"),
    );
  });

  test("a wrong challenge answer is logged and the handshake runs into the challenge timeout", async () => {
    let answerError: Promise<unknown> | undefined;
    const pair = wire({
      encrypted: true,
      deliver: (sent) => {
        if (sent.payloadType !== PayloadType.EncChallengeResponse) return true;
        // Answer with 64 bytes that are not the challenge, correctly encrypted.
        const wrong = pair.client.cipher!.encrypt(randomBytes(64)).toString("base64");
        answerError = pair.agent
          .handle(PayloadType.EncChallengeResponse, jsonPayload({ Challenge: wrong }))
          .then(
            () => assert.fail("the wrong answer should be rejected"),
            (error) => error,
          );
        return false;
      },
    });
    const seen = observe(pair.agent.start());
    await flush();
    assert.equal(((await answerError) as Error).message, "Encryption challenge does not match!");
    assert.equal(pair.agent.state, "awaiting-challenge");
    pair.clock.advance(HANDSHAKE_TIMEOUT_MS);
    await flush();
    rejection(seen.error, "Timed out waiting for encryption challenge.");
    assert.equal((seen.error as Error).cause instanceof Error, true);
  });

  test("an encrypted handshake fails when the client leaves out the KMSEncryption action", async () => {
    const { agent } = wire({
      encrypted: true,
      deliver: (sent) => sent.payloadType !== PayloadType.HandshakeResponse,
    });
    const outcome = agent.start();
    const sessionTypeOnly = {
      ClientVersion: "1.2.0.0",
      ProcessedClientActions: [{ ActionType: "SessionType", ActionStatus: 1, ActionResult: null, Error: "" }],
      Errors: null,
    };
    await agent.handle(PayloadType.HandshakeResponse, jsonPayload(sessionTypeOnly));
    await outcome.then(
      () => assert.fail("the handshake should fail"),
      (error) => rejection(error, "KMSEncryption was requested but the client did not process it"),
    );
  });

  test("a malformed HandshakeResponse is rejected and the agent keeps waiting", async () => {
    const { agent } = wire({ deliver: (sent) => sent.payloadType !== PayloadType.HandshakeResponse });
    const seen = observe(agent.start());
    await assert.rejects(agent.handle(PayloadType.HandshakeResponse, Buffer.from("{")), ProtocolError);
    await assert.rejects(
      agent.handle(PayloadType.HandshakeResponse, jsonPayload({ ClientVersion: 1 })),
      (error: unknown) => error instanceof ProtocolError && error.field.startsWith("HandshakeResponse."),
    );
    assert.equal(agent.state, "awaiting-response");
    const ok = { ClientVersion: "1.2.0.0", ProcessedClientActions: [], Errors: null };
    await agent.handle(PayloadType.HandshakeResponse, jsonPayload(ok));
    await flush();
    assert.equal(seen.settled, true);
    assert.equal(agent.state, "complete");
  });

  test("cancel stops the timer and rejects with the reason", async () => {
    const { agent, clock } = wire({ deliver: () => false });
    const seen = observe(agent.start());
    agent.cancel("channel closed");
    await flush();
    rejection(seen.error, "channel closed");
    assert.equal(clock.pending, 0);
  });
});

describe("client actions", () => {
  async function respond(actions: unknown[]) {
    const sent: Sent[] = [];
    const client = new ClientHandshake({
      clientVersion: "1.2.0.0",
      sessionId: SESSION_ID,
      targetId: TARGET_ID,
      send: (payloadType, payload) => sent.push({ payloadType, payload }),
    });
    const request = { AgentVersion: "3.3.1142.0", RequestedClientActions: actions };
    await client.handle(PayloadType.HandshakeRequest, jsonPayload(request));
    return responseOf(sent);
  }

  test("an unknown session type is a failed SessionType action, and the agent cancels", async () => {
    const response = await respond([
      { ActionType: "SessionType", ActionParameters: { SessionType: "Telnet", Properties: null } },
    ]);
    assert.deepEqual(response, {
      ClientVersion: "1.2.0.0",
      ProcessedClientActions: [
        {
          ActionType: "SessionType",
          ActionStatus: 2,
          ActionResult: null,
          Error: "Failed to process action SessionType: Unknown session type Telnet",
        },
      ],
      Errors: ["Unknown session type Telnet"],
    });

    const { agent } = wire({ agent: { sessionType: "Telnet", requireHandshake: true } });
    await agent.start().then(
      () => assert.fail("the handshake should fail"),
      (error) =>
        rejection(
          error,
          "SessionType failed on client with status 2 error: Failed to process action SessionType: Unknown session type Telnet",
        ),
    );
  });

  test("an unknown action type gets the plugin's answer: status 0, result 3", async () => {
    const response = await respond([{ ActionType: "Telepathy", ActionParameters: {} }]);
    assert.deepEqual(response.ProcessedClientActions, [
      { ActionType: "Telepathy", ActionStatus: 0, ActionResult: 3, Error: "Unsupported action Telepathy" },
    ]);
    assert.deepEqual(response.Errors, ["Unsupported action Telepathy"]);
  });

  test("an EncChallengeRequest before any data key is a ProtocolError", async () => {
    const client = new ClientHandshake({ clientVersion: "1", sessionId: "s", targetId: "t", send: () => {} });
    const request = jsonPayload({ Challenge: randomBytes(92).toString("base64") });
    await assert.rejects(client.handle(PayloadType.EncChallengeRequest, request), ProtocolError);
  });
});

describe("golden vectors (plugin-handshake.json)", () => {
  const entries = loadVectors("plugin-handshake.json").entries;
  const payloadOf = (index: number) => decodeFrame(Buffer.from(entries[index].hex ?? "", "hex")).payload;
  const fakeRequest = payloadOf(1);
  const pluginResponse = payloadOf(3);

  test("the plugin's HandshakeResponse (entry 3) parses", () => {
    assert.equal(entries[3].producedBy, "official-plugin");
    assert.deepEqual(parsePayload(HandshakeResponse, pluginResponse, "HandshakeResponse"), {
      ClientVersion: "1.2.0.0",
      ProcessedClientActions: [{ ActionType: "SessionType", ActionStatus: 1, ActionResult: null, Error: "" }],
      Errors: null,
    });
  });

  test("the agent role sends the fake's HandshakeRequest (entry 1) and accepts the plugin's answer", async () => {
    const sent: Sent[] = [];
    const agent = new AgentHandshake({
      agentVersion: "3.3.1142.0",
      sessionType: "Standard_Stream",
      properties: {},
      requireHandshake: true,
      clock: new VirtualClock(),
      send: (payloadType, payload) => sent.push({ payloadType, payload }),
    });
    const outcome = agent.start();
    assert.deepEqual(JSON.parse(sent[0].payload.toString()), JSON.parse(fakeRequest.toString()));
    await agent.handle(PayloadType.HandshakeResponse, pluginResponse);
    assert.deepEqual(await outcome, {
      skipped: false,
      cipher: undefined,
      timeToCompleteNs: 0,
      clientVersion: "1.2.0.0",
    });
    assert.equal(sent[1].payloadType, PayloadType.HandshakeComplete);
    assert.deepEqual(JSON.parse(sent[1].payload.toString()), {
      HandshakeTimeToComplete: 0,
      CustomerMessage: "",
    });
  });

  test("the client role answers the fake's HandshakeRequest with the plugin's exact bytes", async () => {
    const sent: Sent[] = [];
    const client = new ClientHandshake({
      clientVersion: "1.2.0.0",
      sessionId: "sess-1",
      targetId: "i-0123456789abcdef0",
      send: (payloadType, payload) => sent.push({ payloadType, payload }),
    });
    await client.handle(PayloadType.HandshakeRequest, fakeRequest);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].payloadType, PayloadType.HandshakeResponse);
    assert.equal(sent[0].payload.toString(), pluginResponse.toString());
  });
});
