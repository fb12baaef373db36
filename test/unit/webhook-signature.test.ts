/**
 * X-Hook-Signature checks (asana/webhook-signature.ts), case by case as octokit/webhooks-methods.js tests `verify`:
 * the right secret over the exact bytes passes; anything else, including malformed headers, fails without throwing.
 */
import { createHmac } from 'node:crypto';
import { isValidSignature, signDelivery } from '../../asana/webhook-signature';

const SECRET = 'a'.repeat(64);
const OTHER_SECRET = 'b'.repeat(64);
const body = Buffer.from(
  JSON.stringify({ events: [{ action: 'changed', resource: { gid: '1', resource_type: 'task' } }] }),
);
const signature = signDelivery(body, SECRET);

describe('signDelivery', () => {
  test('is the lowercase hex HMAC-SHA256 of the bytes, keyed with the secret', () => {
    expect(signature).toBe(createHmac('sha256', SECRET).update(body).digest('hex'));
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signDelivery(body.toString('utf8'), SECRET)).toBe(signature);
  });
});

describe('isValidSignature', () => {
  test('accepts the signature made with the secret over the same bytes', () => {
    expect(isValidSignature(body, signature, SECRET)).toBe(true);
  });

  test('refuses a signature made with another secret', () => {
    expect(isValidSignature(body, signDelivery(body, OTHER_SECRET), SECRET)).toBe(false);
  });

  test('refuses a signature made over other bytes, even the same JSON serialized differently', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 1));
    expect(isValidSignature(reserialized, signature, SECRET)).toBe(false);
    expect(isValidSignature(Buffer.concat([body, Buffer.from(' ')]), signature, SECRET)).toBe(false);
  });

  test('accepts upper-case hex and surrounding whitespace: the same digest, written differently', () => {
    expect(isValidSignature(body, signature.toUpperCase(), SECRET)).toBe(true);
    expect(isValidSignature(body, ` ${signature}\t`, SECRET)).toBe(true);
  });

  test('accepts a signature made with any of several secrets (a rotation), and only those', () => {
    expect(isValidSignature(body, signature, [OTHER_SECRET, SECRET])).toBe(true);
    expect(isValidSignature(body, signDelivery(body, OTHER_SECRET), [OTHER_SECRET, SECRET])).toBe(true);
    expect(isValidSignature(body, signDelivery(body, 'c'.repeat(64)), [OTHER_SECRET, SECRET])).toBe(false);
  });

  test('refuses an empty or missing signature', () => {
    expect(isValidSignature(body, '', SECRET)).toBe(false);
    expect(isValidSignature(body, undefined, SECRET)).toBe(false);
  });

  test('refuses everything when there is no secret, or only empty ones', () => {
    expect(isValidSignature(body, signature, [])).toBe(false);
    expect(isValidSignature(body, signDelivery(body, ''), '')).toBe(false);
    expect(isValidSignature(body, signDelivery(body, ''), ['', ''])).toBe(false);
  });

  test('refuses a signature of the wrong length without throwing', () => {
    expect(isValidSignature(body, signature.slice(0, -1), SECRET)).toBe(false);
    expect(isValidSignature(body, `${signature}0`, SECRET)).toBe(false);
    expect(isValidSignature(body, `sha256=${signature}`, SECRET)).toBe(false);
    // Same number of characters, more bytes: a multi-byte character must not reach timingSafeEqual's length check.
    expect(isValidSignature(body, `${signature.slice(0, -1)}é`, SECRET)).toBe(false);
  });

  test('refuses a string of the right length that is not hex', () => {
    expect(isValidSignature(body, 'z'.repeat(64), SECRET)).toBe(false);
  });
});
