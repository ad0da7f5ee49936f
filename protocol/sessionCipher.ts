/**
 * KMS session encryption (session-manager-spec.md section 8, "KMS details"). Once the handshake has agreed
 * on a 64-byte KMS data key, some stream-data payloads travel as AES-256-GCM ciphertext, without AAD, in
 * the wire form nonce (12 bytes) || ciphertext || tag (16 bytes). node:crypto only.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { PayloadType } from "./constants";
import { ProtocolError } from "./errors";

export type CipherRole = "agent" | "client";

export const DATA_KEY_BYTES = 64;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const KEY_BYTES = 32;
const ALGORITHM = "aes-256-gcm";

/** Payload types encrypted once KMS encryption is on, by sender. Size, Flag and handshake payloads never are. */
export const ENCRYPTED_PAYLOAD_TYPES: Readonly<Record<CipherRole, readonly number[]>> = {
  agent: [PayloadType.Output, PayloadType.StdErr, PayloadType.ExitCode],
  client: [PayloadType.Output],
};

export function isEncryptedPayloadType(sender: CipherRole, payloadType: number): boolean {
  return ENCRYPTED_PAYLOAD_TYPES[sender].includes(payloadType);
}

/** One end's view of the data key: it encrypts with its own direction's key and decrypts with the peer's. */
export class SessionCipher {
  private constructor(
    readonly role: CipherRole,
    private readonly encryptKey: Buffer,
    private readonly decryptKey: Buffer,
    private readonly nextNonce: () => Buffer,
  ) {}

  /** Bytes 0-31 of the data key are the agent->client key, bytes 32-63 the client->agent key. */
  static forRole(role: CipherRole, dataKey: Uint8Array): SessionCipher {
    if (dataKey.length !== DATA_KEY_BYTES) {
      throw new RangeError(`the KMS data key must be ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
    }
    const key = Buffer.from(dataKey);
    const agentToClient = key.subarray(0, KEY_BYTES);
    const clientToAgent = key.subarray(KEY_BYTES);
    return role === "agent"
      ? new SessionCipher(role, agentToClient, clientToAgent, counterNonces())
      : new SessionCipher(role, clientToAgent, agentToClient, () => randomBytes(NONCE_BYTES));
  }

  encrypt(plaintext: Uint8Array): Buffer {
    const nonce = this.nextNonce();
    const cipher = createCipheriv(ALGORITHM, this.encryptKey, nonce, { authTagLength: TAG_BYTES });
    return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  /** Decrypts what the peer sent; `field` names the payload member in the ProtocolError on failure. */
  decrypt(wire: Uint8Array, field = "EncryptedPayload"): Buffer {
    if (wire.length < NONCE_BYTES + TAG_BYTES) {
      throw new ProtocolError(
        "bad-payload",
        field,
        -1,
        `${wire.length} bytes is shorter than a ${NONCE_BYTES}-byte nonce plus a ${TAG_BYTES}-byte tag`,
      );
    }
    const bytes = Buffer.from(wire.buffer, wire.byteOffset, wire.length);
    const tagAt = bytes.length - TAG_BYTES;
    const decipher = createDecipheriv(ALGORITHM, this.decryptKey, bytes.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(bytes.subarray(tagAt));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, tagAt)), decipher.final()]);
    } catch {
      throw new ProtocolError(
        "bad-payload",
        field,
        -1,
        "AES-GCM authentication failed: wrong key, or the nonce, ciphertext or tag was altered",
      );
    }
  }

  /** Encrypts an outgoing payload if its type is encrypted in this role's sending direction. */
  sealOutgoing(payloadType: number, payload: Uint8Array): Buffer {
    return isEncryptedPayloadType(this.role, payloadType) ? this.encrypt(payload) : Buffer.from(payload);
  }

  /** Decrypts an incoming payload if its type is encrypted in the peer's sending direction. */
  openIncoming(payloadType: number, payload: Uint8Array): Buffer {
    return isEncryptedPayloadType(peerOf(this.role), payloadType)
      ? this.decrypt(payload)
      : Buffer.from(payload);
  }
}

function peerOf(role: CipherRole): CipherRole {
  return role === "agent" ? "client" : "agent";
}

/**
 * The agent's nonces: a 96-bit counter with a random start, incremented per message. Like the agent
 * (`agent/session/crypto/nonce.go`), the counter is little-endian and each call returns the value before
 * the increment; a counter never repeats a nonce under one key, which random nonces only make unlikely.
 */
function counterNonces(): () => Buffer {
  const state = randomBytes(NONCE_BYTES);
  return () => {
    const nonce = Buffer.from(state);
    for (let i = 0; i < NONCE_BYTES; i++) {
      state[i] = (state[i] + 1) & 0xff;
      if (state[i] !== 0) break;
    }
    return nonce;
  };
}
