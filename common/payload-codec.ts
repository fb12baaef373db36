/**
 * Encrypts every payload Temporal stores (workflow and activity inputs and results, signals, queries, memos) with
 * AES-256-GCM, so webhook secrets and Asana/Attio content are never plaintext in history. Installed on the client
 * and the worker through the same data converter. Search attributes and workflow ids bypass codecs: keep them free
 * of secrets and personal data (common/search-attributes.ts).
 *
 * Shape follows temporalio/samples-typescript `encryption/`: the encrypted payload is a serialized Payload with
 * metadata `encoding: binary/encrypted` and the key id. A key rotates by making the new one PAYLOAD_ENCRYPTION_KEY and
 * keeping the old one in PAYLOAD_ENCRYPTION_PREVIOUS_KEYS: new payloads use the new key, the key id of each stored
 * payload selects the key that decrypts it (README, "Rotating the payload key").
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ENCODING = 'binary/encrypted';
const METADATA_KEY_ID = 'encryption-key-id';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array | null | undefined): string => new TextDecoder().decode(bytes ?? new Uint8Array());

/** The id stored with each payload, derived from the key (never the key itself), selects the key that decrypts it. */
const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

export class EncryptionCodec implements PayloadCodec {
  private readonly key: Buffer;
  private readonly keyId: string;
  /** Every key this codec can decrypt with, by key id: the current one and the previous ones (decode only). */
  private readonly decryptionKeys: ReadonlyMap<string, Buffer>;

  /**
   * @param key 32 bytes; encrypts every new payload.
   * @param previousKeys 32 bytes each; only decrypt, so history written before a key rotation stays readable.
   */
  constructor(key: Buffer, previousKeys: readonly Buffer[] = []) {
    if (key.length !== 32) throw new ValueError('PAYLOAD_ENCRYPTION_KEY must be 32 bytes');
    if (previousKeys.some((previous) => previous.length !== 32)) {
      throw new ValueError('PAYLOAD_ENCRYPTION_PREVIOUS_KEYS must be 32 bytes each');
    }
    this.key = key;
    this.keyId = keyIdOf(key);
    this.decryptionKeys = new Map([...previousKeys, key].map((k) => [keyIdOf(k), k]));
  }

  static fromBase64(base64Key: string, previousBase64Keys: readonly string[] = []): EncryptionCodec {
    return new EncryptionCodec(
      Buffer.from(base64Key, 'base64'),
      previousBase64Keys.map((previous) => Buffer.from(previous, 'base64')),
    );
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: encode(ENCODING), [METADATA_KEY_ID]: encode(this.keyId) },
      data: this.encrypt(temporal.api.common.v1.Payload.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (decode(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCODING) return payload;
      const keyId = decode(payload.metadata?.[METADATA_KEY_ID]);
      const key = this.decryptionKeys.get(keyId);
      if (!key) {
        throw new ValueError(
          `payload encrypted with unknown key id ${keyId} (add its key to PAYLOAD_ENCRYPTION_PREVIOUS_KEYS)`,
        );
      }
      if (!payload.data) throw new ValueError('encrypted payload has no data');
      return temporal.api.common.v1.Payload.decode(this.decrypt(key, payload.data));
    });
  }

  private encrypt(plain: Uint8Array): Uint8Array {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  private decrypt(key: Buffer, sealed: Uint8Array): Uint8Array {
    const buffer = Buffer.from(sealed);
    const iv = buffer.subarray(0, IV_LENGTH);
    const tag = buffer.subarray(buffer.length - TAG_LENGTH);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(buffer.subarray(IV_LENGTH, buffer.length - TAG_LENGTH)), decipher.final()]);
  }
}

/**
 * The demo's fixed key: the demo runs against local stand-ins with invented data, so a well-known key is harmless
 * there and keeps history readable across restarts. Outside the demo PAYLOAD_ENCRYPTION_KEY is required (config.ts).
 */
export const DEMO_PAYLOAD_KEY = Buffer.alloc(32, 'asana-attio-sync demo key').toString('base64');
