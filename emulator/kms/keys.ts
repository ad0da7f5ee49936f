/**
 * KMS keys, aliases and the ciphertext blob. The blob format is ours:
 * `0x01 | len(keyId) | keyId | iv(12) | tag(16) | AES-256-GCM(plaintext)` under the key's master secret, with
 * the canonicalised encryption context as additional authenticated data, so a wrong context fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { AwsServiceError } from "../api/provider";

export interface KmsKey {
  readonly keyId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly description: string;
  readonly creationDate: Date;
  readonly secret: Buffer;
}

export interface KmsAlias {
  /** `alias/<name>` */
  readonly name: string;
  readonly arn: string;
  readonly targetKeyId: string;
  readonly creationDate: Date;
}

export type EncryptionContext = Readonly<Record<string, string>>;

const BLOB_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const invalidCiphertext = () =>
  new AwsServiceError(
    "InvalidCiphertextException",
    "The ciphertext is invalid, was not produced by this service, or the encryption context does not match.",
  );

export class KeyStore {
  private readonly keys = new Map<string, KmsKey>();
  private readonly aliases = new Map<string, KmsAlias>();

  createKey(opts: { accountId: string; region: string; keyId?: string; description?: string }): KmsKey {
    const keyId = opts.keyId ?? randomUUID();
    if (this.keys.has(keyId)) throw new Error(`KMS key ${keyId} already exists`);
    const key: KmsKey = {
      keyId,
      arn: `arn:aws:kms:${opts.region}:${opts.accountId}:key/${keyId}`,
      accountId: opts.accountId,
      region: opts.region,
      description: opts.description ?? "",
      creationDate: new Date(),
      secret: randomBytes(32),
    };
    this.keys.set(keyId, key);
    return key;
  }

  createAlias(name: string, key: KmsKey): KmsAlias {
    const arn = `arn:aws:kms:${key.region}:${key.accountId}:${name}`;
    if (this.aliases.has(name)) {
      throw new AwsServiceError("AlreadyExistsException", `An alias with the name ${arn} already exists`);
    }
    const alias: KmsAlias = { name, arn, targetKeyId: key.keyId, creationDate: new Date() };
    this.aliases.set(name, alias);
    return alias;
  }

  listAliases(keyId?: string): KmsAlias[] {
    return [...this.aliases.values()].filter((a) => keyId === undefined || a.targetKeyId === keyId);
  }

  listKeys(): KmsKey[] {
    return [...this.keys.values()];
  }

  /** A key by id, key ARN, `alias/<name>` or alias ARN; NotFoundException otherwise. */
  resolve(ref: string, allowAlias = true): KmsKey {
    const aliasName = ref.startsWith("alias/") ? ref : ref.match(/^arn:aws:kms:[^:]*:\d*:(alias\/.+)$/)?.[1];
    if (aliasName !== undefined && allowAlias) {
      const alias = this.aliases.get(aliasName);
      const key = alias && this.keys.get(alias.targetKeyId);
      if (!key) throw new AwsServiceError("NotFoundException", `Alias ${ref} is not found.`);
      return key;
    }
    const keyId = ref.match(/^arn:aws:kms:[^:]*:\d*:key\/(.+)$/)?.[1] ?? ref;
    const key = this.keys.get(keyId);
    if (!key || (ref.startsWith("arn:") && key.arn !== ref)) {
      throw new AwsServiceError("NotFoundException", `Key '${ref}' does not exist`);
    }
    return key;
  }

  seal(key: KmsKey, plaintext: Buffer, context: EncryptionContext): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.secret, iv).setAAD(canonicalContext(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(key.keyId, "utf8");
    return Buffer.concat([Buffer.from([BLOB_VERSION, id.length]), id, iv, cipher.getAuthTag(), ciphertext]);
  }

  /** Opens a blob made by `seal`; InvalidCiphertextException on any mismatch. */
  open(blob: Buffer, context: EncryptionContext): { key: KmsKey; plaintext: Buffer } {
    if (blob.length < 2 || blob[0] !== BLOB_VERSION) throw invalidCiphertext();
    const idEnd = 2 + blob[1]!;
    const key = this.keys.get(blob.subarray(2, idEnd).toString("utf8"));
    const iv = blob.subarray(idEnd, idEnd + IV_BYTES);
    const tag = blob.subarray(idEnd + IV_BYTES, idEnd + IV_BYTES + TAG_BYTES);
    if (!key || tag.length !== TAG_BYTES) throw invalidCiphertext();
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.secret, iv).setAAD(canonicalContext(context));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([
        decipher.update(blob.subarray(idEnd + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]);
      return { key, plaintext };
    } catch {
      throw invalidCiphertext();
    }
  }
}

/** Order-independent, unambiguous encoding of the context. */
function canonicalContext(context: EncryptionContext): Buffer {
  const entries = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify(entries), "utf8");
}
