/**
 * Asana webhook signatures: `X-Hook-Signature` is the lowercase hex HMAC-SHA256 of the exact request body, keyed with
 * the secret from the handshake (docs/asana.md 1.5). Verify over the raw bytes, never over re-serialized JSON
 * (Asana/python-asana#182). Used by the receiver, the Asana stand-in and tests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The X-Hook-Signature Asana sends for `rawBody`. */
export function signDelivery(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Whether `header` is the signature of `rawBody` under any of `secrets` (several during a rotation). Constant time
 * for a given length; a header of the wrong length is rejected before any comparison.
 */
export function isValidSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: string | readonly string[],
): boolean {
  if (!header) return false;
  const received = Buffer.from(header.trim().toLowerCase(), 'utf8');
  let valid = false;
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    if (!secret) continue;
    const expected = Buffer.from(signDelivery(rawBody, secret), 'utf8');
    if (received.length === expected.length && timingSafeEqual(received, expected)) valid = true;
  }
  return valid;
}
