import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks CW's `x-content-signature`: base64(HMAC-SHA256(key = SHA256(signing_key), message = raw body)).
 * Must run on the raw request bytes, before any JSON parsing re-serialises them.
 */
export function verifyCallbackSignature(
  rawBody: string | Buffer,
  signatureHeader: string | string[] | undefined,
  signingKey: string,
): boolean {
  const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
  if (!header || !signingKey) return false;
  const key = createHash('sha256').update(signingKey, 'utf8').digest();
  const expected = createHmac('sha256', key).update(rawBody).digest();
  const given = Buffer.from(header.trim(), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
