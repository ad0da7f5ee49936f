import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ListAliasesCommand,
} from "@aws-sdk/client-kms";
import { type ApiServer, startApiServer } from "../../emulator/api/server";
import { createKmsProvider, type KmsService } from "../../emulator/kms";

const CONTEXT = { aws: "ssm", sessionId: "tester-0123456789abcdef0" };

describe("kms", () => {
  let kms: KmsService;
  let api: ApiServer;
  let client: KMSClient;
  before(async () => {
    kms = createKmsProvider();
    api = await startApiServer({ providers: [kms.provider], strictSigV4: true });
    client = new KMSClient({
      endpoint: api.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client.destroy();
    await api.close();
  });

  test("pre-creates one key with alias/ssm-conformance by default", () => {
    const keys = kms.listKeys();
    assert.equal(keys.length, 1);
    assert.deepEqual(keys[0]?.aliases, ["alias/ssm-conformance"]);
    assert.match(keys[0]?.arn ?? "", /^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/);
  });

  test("GenerateDataKey + Decrypt round trip with an encryption context", async () => {
    const dk = await client.send(
      new GenerateDataKeyCommand({
        KeyId: "alias/ssm-conformance",
        KeySpec: "AES_256",
        EncryptionContext: CONTEXT,
      }),
    );
    assert.equal(dk.Plaintext?.length, 32);
    assert.equal(dk.KeyId, kms.listKeys()[0]?.arn);
    // Key order in the context does not matter.
    const reordered = { sessionId: CONTEXT.sessionId, aws: CONTEXT.aws };
    const out = await client.send(
      new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: reordered }),
    );
    assert.deepEqual(out.Plaintext, dk.Plaintext);
    assert.equal(out.KeyId, dk.KeyId);
  });

  test("NumberOfBytes and AES_128 sizes; exactly one of them is required", async () => {
    const n = await client.send(
      new GenerateDataKeyCommand({ KeyId: "alias/ssm-conformance", NumberOfBytes: 1024 }),
    );
    assert.equal(n.Plaintext?.length, 1024);
    const k = await client.send(
      new GenerateDataKeyCommand({ KeyId: "alias/ssm-conformance", KeySpec: "AES_128" }),
    );
    assert.equal(k.Plaintext?.length, 16);
    await assert.rejects(client.send(new GenerateDataKeyCommand({ KeyId: "alias/ssm-conformance" })), {
      name: "ValidationException",
    });
    await assert.rejects(
      client.send(new GenerateDataKeyCommand({ KeyId: "alias/ssm-conformance", NumberOfBytes: 1025 })),
      {
        name: "ValidationException",
        message:
          "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
      },
    );
  });

  test("a wrong or missing encryption context is InvalidCiphertextException", async () => {
    const dk = await client.send(
      new GenerateDataKeyCommand({
        KeyId: "alias/ssm-conformance",
        NumberOfBytes: 32,
        EncryptionContext: CONTEXT,
      }),
    );
    for (const EncryptionContext of [{ ...CONTEXT, sessionId: "other" }, {}, { ...CONTEXT, extra: "x" }]) {
      await assert.rejects(
        client.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext })),
        {
          name: "InvalidCiphertextException",
        },
      );
    }
  });

  test("a tampered blob is InvalidCiphertextException", async () => {
    const dk = await client.send(
      new GenerateDataKeyCommand({ KeyId: "alias/ssm-conformance", NumberOfBytes: 32 }),
    );
    const blob = dk.CiphertextBlob!;
    for (const at of [0, 5, blob.length - 1]) {
      const tampered = Uint8Array.from(blob);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      await assert.rejects(client.send(new DecryptCommand({ CiphertextBlob: tampered })), {
        name: "InvalidCiphertextException",
      });
    }
    await assert.rejects(client.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 20) })), {
      name: "InvalidCiphertextException",
    });
  });

  test("Encrypt + Decrypt, and Decrypt with a KeyId that does not match", async () => {
    const plaintext = new TextEncoder().encode("hello");
    const enc = await client.send(
      new EncryptCommand({ KeyId: "alias/ssm-conformance", Plaintext: plaintext }),
    );
    const dec = await client.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: enc.KeyId }),
    );
    assert.equal(new TextDecoder().decode(dec.Plaintext), "hello");
    const other = await client.send(new CreateKeyCommand({}));
    await assert.rejects(
      client.send(
        new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.KeyMetadata?.KeyId }),
      ),
      { name: "IncorrectKeyException" },
    );
  });

  test("keys resolve by id, key ARN, alias name and alias ARN", async () => {
    const key = kms.listKeys()[0]!;
    const aliasArn = "arn:aws:kms:us-east-1:000000000000:alias/ssm-conformance";
    for (const KeyId of [key.keyId, key.arn, "alias/ssm-conformance", aliasArn]) {
      const out = await client.send(new DescribeKeyCommand({ KeyId }));
      assert.equal(out.KeyMetadata?.Arn, key.arn, KeyId);
      assert.equal(out.KeyMetadata?.KeyState, "Enabled");
      assert.ok(out.KeyMetadata?.CreationDate instanceof Date);
    }
  });

  test("unknown keys and aliases are NotFoundException", async () => {
    for (const KeyId of ["alias/nope", "00000000-0000-0000-0000-000000000000"]) {
      await assert.rejects(client.send(new GenerateDataKeyCommand({ KeyId, NumberOfBytes: 32 })), {
        name: "NotFoundException",
      });
    }
  });

  test("CreateKey, CreateAlias and ListAliases", async () => {
    const created = await client.send(new CreateKeyCommand({ Description: "logs" }));
    const keyId = created.KeyMetadata!.KeyId!;
    assert.equal(created.KeyMetadata?.Description, "logs");
    await client.send(new CreateAliasCommand({ AliasName: "alias/logs", TargetKeyId: keyId }));
    await assert.rejects(
      client.send(new CreateAliasCommand({ AliasName: "alias/logs", TargetKeyId: keyId })),
      {
        name: "AlreadyExistsException",
      },
    );
    await assert.rejects(client.send(new CreateAliasCommand({ AliasName: "logs2", TargetKeyId: keyId })), {
      name: "ValidationException",
    });
    const mine = await client.send(new ListAliasesCommand({ KeyId: keyId }));
    assert.deepEqual(
      mine.Aliases?.map((a) => [a.AliasName, a.TargetKeyId, a.AliasArn]),
      [["alias/logs", keyId, "arn:aws:kms:us-east-1:000000000000:alias/logs"]],
    );
    const all = await client.send(new ListAliasesCommand({}));
    assert.deepEqual(all.Aliases?.map((a) => a.AliasName).sort(), ["alias/logs", "alias/ssm-conformance"]);
    const dk = await client.send(new GenerateDataKeyCommand({ KeyId: "alias/logs", NumberOfBytes: 16 }));
    assert.equal(dk.KeyId, created.KeyMetadata?.Arn);
    assert.ok(kms.listKeys().some((k) => k.keyId === keyId && k.aliases.includes("alias/logs")));
  });
});

test("keys from options: fixed ids and aliases", () => {
  const service = createKmsProvider({
    accountId: "123456789012",
    region: "eu-west-1",
    keys: [{ keyId: "11111111-2222-3333-4444-555555555555", alias: "alias/a" }, {}],
  });
  const keys = service.listKeys();
  assert.equal(keys.length, 2);
  assert.deepEqual(keys[0], {
    keyId: "11111111-2222-3333-4444-555555555555",
    arn: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    aliases: ["alias/a"],
  });
  assert.deepEqual(keys[1]?.aliases, []);
});
