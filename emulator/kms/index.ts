/** KMS (`TrentService`): just enough for KMS-encrypted sessions: symmetric keys, aliases, data keys. */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { AwsServiceError, type ServiceProvider } from "../api/provider";
import { parseInput } from "../api/validate";
import { KeyStore, type KmsAlias, type KmsKey } from "./keys";

export interface KmsKeySeed {
  /** Fixed key id (a UUID); random by default. */
  keyId?: string;
  /** `alias/<name>` to create for the key. */
  alias?: string;
  description?: string;
}

export interface KmsProviderOptions {
  /** Account and region of the pre-created keys. Defaults 000000000000, us-east-1. */
  accountId?: string;
  region?: string;
  /** Keys created at start. Default: one key with alias `alias/ssm-conformance`. */
  keys?: KmsKeySeed[];
}

export interface KmsKeyInfo {
  keyId: string;
  arn: string;
  aliases: string[];
}

export interface KmsService {
  readonly provider: ServiceProvider;
  /** The keys that exist now (pre-created and created through the API). */
  listKeys(): KmsKeyInfo[];
}

const ERROR = "ValidationException";
const EPOCH_SECONDS = (d: Date) => d.getTime() / 1000;

const keyId = z.string().min(1).max(2048);
const context = z.record(z.string(), z.string()).optional();
const blob = (max: number) =>
  z
    .string()
    .refine((s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0, "Member must be Base64-encoded")
    .transform((s) => Buffer.from(s, "base64"))
    .refine((b) => b.length >= 1, "Member must have length greater than or equal to 1")
    .refine((b) => b.length <= max, `Member must have length less than or equal to ${max}`);

const CreateKeyInput = z.object({
  Description: z.string().max(8192).optional(),
  KeyUsage: z.string().optional(),
  KeySpec: z.string().optional(),
  CustomerMasterKeySpec: z.string().optional(),
});
const KeyIdInput = z.object({ KeyId: keyId });
const CreateAliasInput = z.object({
  AliasName: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[a-zA-Z0-9:/_-]+$/),
  TargetKeyId: keyId,
});
const ListAliasesInput = z.object({ KeyId: keyId.optional() });
const GenerateDataKeyInput = z.object({
  KeyId: keyId,
  NumberOfBytes: z.number().int().min(1).max(1024).optional(),
  KeySpec: z.enum(["AES_256", "AES_128"]).optional(),
  EncryptionContext: context,
});
const EncryptInput = z.object({ KeyId: keyId, Plaintext: blob(4096), EncryptionContext: context });
const DecryptInput = z.object({
  CiphertextBlob: blob(6144),
  EncryptionContext: context,
  KeyId: keyId.optional(),
});

export function createKmsProvider(options: KmsProviderOptions = {}): KmsService {
  const store = new KeyStore();
  const home = { accountId: options.accountId ?? "000000000000", region: options.region ?? "us-east-1" };
  for (const seed of options.keys ?? [{ alias: "alias/ssm-conformance" }]) {
    const key = store.createKey({ ...home, keyId: seed.keyId, description: seed.description });
    if (seed.alias) store.createAlias(seed.alias, key);
  }

  const provider: ServiceProvider = {
    signingName: "kms",
    targetPrefix: "TrentService",
    errorMessageKey: "message",
    internalErrorCode: "KMSInternalException",
    operations: {
      CreateKey: (input, ctx) => {
        const req = parseInput(CreateKeyInput, input, ERROR);
        const usage = req.KeyUsage ?? "ENCRYPT_DECRYPT";
        const spec = req.KeySpec ?? req.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (usage !== "ENCRYPT_DECRYPT" || spec !== "SYMMETRIC_DEFAULT") {
          throw new AwsServiceError(
            "UnsupportedOperationException",
            `This emulator only supports SYMMETRIC_DEFAULT keys for ENCRYPT_DECRYPT, not ${spec} for ${usage}.`,
          );
        }
        const key = store.createKey({
          accountId: ctx.caller.accountId,
          region: ctx.region,
          description: req.Description,
        });
        return { KeyMetadata: keyMetadata(key) };
      },
      DescribeKey: (input) => ({
        KeyMetadata: keyMetadata(store.resolve(parseInput(KeyIdInput, input, ERROR).KeyId)),
      }),
      CreateAlias: (input) => {
        const req = parseInput(CreateAliasInput, input, ERROR);
        if (!req.AliasName.startsWith("alias/") || req.AliasName.startsWith("alias/aws/")) {
          throw new AwsServiceError(
            ERROR,
            `Alias must start with the prefix "alias/" and must not start with "alias/aws/": ${req.AliasName}`,
          );
        }
        store.createAlias(req.AliasName, store.resolve(req.TargetKeyId, false));
        return {};
      },
      ListAliases: (input) => {
        const req = parseInput(ListAliasesInput, input, ERROR);
        const keyFilter = req.KeyId === undefined ? undefined : store.resolve(req.KeyId, false).keyId;
        return { Aliases: store.listAliases(keyFilter).map(aliasListEntry), Truncated: false };
      },
      GenerateDataKey: (input) => {
        const req = parseInput(GenerateDataKeyInput, input, ERROR);
        if ((req.NumberOfBytes === undefined) === (req.KeySpec === undefined)) {
          throw new AwsServiceError(ERROR, "Please specify either number of bytes or key spec.");
        }
        const key = store.resolve(req.KeyId);
        const plaintext = randomBytes(req.NumberOfBytes ?? (req.KeySpec === "AES_128" ? 16 : 32));
        return {
          KeyId: key.arn,
          Plaintext: plaintext.toString("base64"),
          CiphertextBlob: store.seal(key, plaintext, req.EncryptionContext ?? {}).toString("base64"),
        };
      },
      Encrypt: (input) => {
        const req = parseInput(EncryptInput, input, ERROR);
        const key = store.resolve(req.KeyId);
        return {
          KeyId: key.arn,
          CiphertextBlob: store.seal(key, req.Plaintext, req.EncryptionContext ?? {}).toString("base64"),
          EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        };
      },
      Decrypt: (input) => {
        const req = parseInput(DecryptInput, input, ERROR);
        const expected = req.KeyId === undefined ? undefined : store.resolve(req.KeyId);
        const { key, plaintext } = store.open(req.CiphertextBlob, req.EncryptionContext ?? {});
        if (expected && expected.keyId !== key.keyId) {
          throw new AwsServiceError(
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.",
          );
        }
        return {
          KeyId: key.arn,
          Plaintext: plaintext.toString("base64"),
          EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        };
      },
    },
  };

  return {
    provider,
    listKeys: () =>
      store.listKeys().map((key) => ({
        keyId: key.keyId,
        arn: key.arn,
        aliases: store.listAliases(key.keyId).map((a) => a.name),
      })),
  };
}

function keyMetadata(key: KmsKey) {
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: EPOCH_SECONDS(key.creationDate),
    Enabled: true,
    Description: key.description,
    KeyUsage: "ENCRYPT_DECRYPT",
    KeyState: "Enabled",
    Origin: "AWS_KMS",
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
    KeySpec: "SYMMETRIC_DEFAULT",
    EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    MultiRegion: false,
  };
}

function aliasListEntry(alias: KmsAlias) {
  return {
    AliasName: alias.name,
    AliasArn: alias.arn,
    TargetKeyId: alias.targetKeyId,
    CreationDate: EPOCH_SECONDS(alias.creationDate),
    LastUpdatedDate: EPOCH_SECONDS(alias.creationDate),
  };
}
