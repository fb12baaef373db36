import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../common/payload-codec';

const converter = new DefaultPayloadConverter();

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(randomBytes(32));
  const secret = { webhookSecret: 'b537207f20cbfa02357cf448134da559', note: 'client: ana@example.com' };

  test('encrypted payloads hide their content and decode to the original', async () => {
    const payload = converter.toPayload(secret);
    const [encrypted] = await codec.encode([payload]);
    const stored = Buffer.from(encrypted!.data!).toString('latin1');
    expect(stored).not.toContain('b537207f20cbfa02357cf448134da559');
    expect(stored).not.toContain('ana@example.com');
    const [decoded] = await codec.decode([encrypted!]);
    expect(converter.fromPayload(decoded!)).toEqual(secret);
  });

  test('refuses a payload encrypted with another key', async () => {
    const [encrypted] = await new EncryptionCodec(randomBytes(32)).encode([converter.toPayload(secret)]);
    await expect(codec.decode([encrypted!])).rejects.toThrow(/unknown key id/);
  });

  test('after a rotation, encrypts with the new key and still decrypts what the previous keys wrote', async () => {
    const keyA = randomBytes(32);
    const keyB = randomBytes(32);
    const [writtenWithA] = await new EncryptionCodec(keyA).encode([converter.toPayload(secret)]);
    const rotated = new EncryptionCodec(keyB, [keyA]);
    const [writtenWithB] = await rotated.encode([converter.toPayload('after rotation')]);

    expect(writtenWithB!.metadata!['encryption-key-id']).not.toEqual(writtenWithA!.metadata!['encryption-key-id']);
    const [a, b] = await rotated.decode([writtenWithA!, writtenWithB!]);
    expect(converter.fromPayload(a!)).toEqual(secret);
    expect(converter.fromPayload(b!)).toBe('after rotation');
    // A previous key only decrypts: a codec without the new key cannot read what was written after the rotation.
    await expect(new EncryptionCodec(keyA).decode([writtenWithB!])).rejects.toThrow(/unknown key id/);
  });

  test('refuses a previous key that is not 32 bytes, naming the setting', () => {
    expect(() => new EncryptionCodec(randomBytes(32), [randomBytes(16)])).toThrow(/PAYLOAD_ENCRYPTION_PREVIOUS_KEYS/);
  });

  test('leaves payloads that were never encrypted as they are', async () => {
    const plain = converter.toPayload('plain');
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});
