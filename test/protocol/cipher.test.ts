import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  DATA_KEY_BYTES,
  isEncryptedPayloadType,
  NONCE_BYTES,
  PayloadType,
  ProtocolError,
  SessionCipher,
  TAG_BYTES,
} from "../../protocol";

function pair(dataKey = randomBytes(DATA_KEY_BYTES)) {
  return { agent: SessionCipher.forRole("agent", dataKey), client: SessionCipher.forRole("client", dataKey) };
}

function isBadPayload(field: string) {
  return (error: unknown) =>
    error instanceof ProtocolError && error.code === "bad-payload" && error.field === field;
}

function flipBit(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] ^= 0x01;
  return copy;
}

/** A 96-bit little-endian counter, as the agent's nonce generator keeps it. */
function counterValue(wire: Buffer): bigint {
  return BigInt(`0x${Buffer.from(wire.subarray(0, NONCE_BYTES)).reverse().toString("hex")}`);
}

describe("SessionCipher", () => {
  test("round trips agent->client and client->agent for any payload", () => {
    const { agent, client } = pair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const plaintext = Buffer.from(bytes);
        const down = agent.encrypt(plaintext);
        const up = client.encrypt(plaintext);
        assert.equal(down.length, NONCE_BYTES + plaintext.length + TAG_BYTES);
        assert.deepEqual(client.decrypt(down), plaintext);
        assert.deepEqual(agent.decrypt(up), plaintext);
      }),
    );
  });

  test("splits the data key: bytes 0-31 agent->client, 32-63 client->agent (NIST GCM test case 15)", () => {
    const key = Buffer.from("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "hex");
    const wire = Buffer.from(
      "cafebabefacedbaddecaf888" +
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" +
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad" +
        "b094dac5d93471bdec1a502270e3cc6c",
      "hex",
    );
    const plaintext =
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    const client = SessionCipher.forRole("client", Buffer.concat([key, randomBytes(32)]));
    assert.equal(client.decrypt(wire).toString("hex"), plaintext);
    const agent = SessionCipher.forRole("agent", Buffer.concat([randomBytes(32), key]));
    assert.equal(agent.decrypt(wire).toString("hex"), plaintext);
  });

  test("a flipped bit in the nonce, the ciphertext or the tag is rejected", () => {
    const { agent, client } = pair();
    const wire = agent.encrypt(Buffer.from("echo hi\r\n"));
    for (const index of [0, NONCE_BYTES - 1, NONCE_BYTES, wire.length - TAG_BYTES - 1, wire.length - 1]) {
      assert.throws(
        () => client.decrypt(flipBit(wire, index)),
        isBadPayload("EncryptedPayload"),
        `bit ${index}`,
      );
    }
    assert.throws(
      () => client.decrypt(flipBit(wire, 3), "EncChallengeRequest.Challenge"),
      isBadPayload("EncChallengeRequest.Challenge"),
    );
  });

  test("a wrong key is rejected, and so is a message decrypted in its own direction", () => {
    const { agent } = pair();
    const stranger = pair().client;
    const wire = agent.encrypt(Buffer.from("secret"));
    assert.throws(() => stranger.decrypt(wire), isBadPayload("EncryptedPayload"));
    assert.throws(() => agent.decrypt(wire), isBadPayload("EncryptedPayload"));
  });

  test("input shorter than nonce plus tag is rejected", () => {
    const { agent, client } = pair();
    for (const length of [0, 1, NONCE_BYTES, NONCE_BYTES + TAG_BYTES - 1]) {
      assert.throws(() => client.decrypt(Buffer.alloc(length)), isBadPayload("EncryptedPayload"));
    }
    // Exactly nonce + tag is an empty plaintext.
    assert.equal(client.decrypt(agent.encrypt(Buffer.alloc(0))).length, 0);
  });

  test("the data key must be 64 bytes", () => {
    assert.throws(() => SessionCipher.forRole("agent", Buffer.alloc(32)), RangeError);
    assert.throws(() => SessionCipher.forRole("client", Buffer.alloc(65)), RangeError);
  });

  test("agent nonces are a counter: distinct, each one more than the last", () => {
    const { agent } = pair();
    const values = Array.from({ length: 300 }, () => counterValue(agent.encrypt(Buffer.from("x"))));
    const modulus = 1n << 96n;
    for (let i = 1; i < values.length; i++) assert.equal(values[i], (values[i - 1] + 1n) % modulus);
    assert.equal(new Set(values).size, values.length);
  });

  test("client nonces are random per message", () => {
    const { client } = pair();
    const nonces = Array.from({ length: 100 }, () =>
      client.encrypt(Buffer.from("x")).subarray(0, NONCE_BYTES).toString("hex"),
    );
    assert.equal(new Set(nonces).size, nonces.length);
  });
});

describe("which payloads are encrypted", () => {
  test("agent->client: Output, StdErr, ExitCode; client->agent: Output only; Size never", () => {
    const all = Object.values(PayloadType).filter((value): value is number => typeof value === "number");
    const agentSends = all.filter((type) => isEncryptedPayloadType("agent", type));
    const clientSends = all.filter((type) => isEncryptedPayloadType("client", type));
    assert.deepEqual(agentSends, [PayloadType.Output, PayloadType.StdErr, PayloadType.ExitCode]);
    assert.deepEqual(clientSends, [PayloadType.Output]);
  });

  test("sealOutgoing/openIncoming encrypt exactly those and pass the rest through", () => {
    const { agent, client } = pair();
    const size = Buffer.from('{"cols":80,"rows":24}');
    assert.deepEqual(client.sealOutgoing(PayloadType.Size, size), size);
    assert.deepEqual(agent.openIncoming(PayloadType.Size, size), size);
    const keys = Buffer.from("ls\n");
    const sealedKeys = client.sealOutgoing(PayloadType.Output, keys);
    assert.notDeepEqual(sealedKeys, keys);
    assert.deepEqual(agent.openIncoming(PayloadType.Output, sealedKeys), keys);
    const exitCode = Buffer.from("EXIT_CODE: 0");
    const sealedExit = agent.sealOutgoing(PayloadType.ExitCode, exitCode);
    assert.deepEqual(client.openIncoming(PayloadType.ExitCode, sealedExit), exitCode);
    // The client never encrypts StdErr, so the agent does not decrypt it.
    assert.deepEqual(agent.openIncoming(PayloadType.StdErr, keys), keys);
  });
});
