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

  test('leaves payloads that were never encrypted as they are', async () => {
    const plain = converter.toPayload('plain');
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});
