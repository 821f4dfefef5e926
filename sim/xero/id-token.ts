import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

/** The simulator's RS256 signing key, published as a JWKS so clients verify id_tokens for real. */
export class IdTokenSigner {
  private readonly privateKey: KeyObject;
  readonly kid = randomUUID();

  constructor() {
    this.privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }

  jwks() {
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, use: 'sig', alg: 'RS256' }] };
  }

  sign(claims: Record<string, unknown>): string {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'RS256', kid: this.kid, typ: 'JWT' })}.${encode(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }
}
