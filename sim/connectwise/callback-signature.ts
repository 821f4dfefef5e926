import { createHash, createHmac } from 'node:crypto';

/**
 * CW's callback signature: base64(HMAC-SHA256(key = SHA256(signing_key), message = raw body)).
 * Written here independently of the product's verifier so the two check each other.
 */
export function signCallback(body: string | Buffer, signingKey: string): string {
  const key = createHash('sha256').update(signingKey, 'utf8').digest();
  return createHmac('sha256', key).update(body).digest('base64');
}
