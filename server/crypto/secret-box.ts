import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest with AES-256-GCM. A stored value is
 * `v1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url parts); the key id lets an old key keep
 * opening old values after SECRET_KEY is rotated.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** True when `sealed` was sealed with the current (first) key: a rotation leaves it as it is. */
  sealedWithCurrentKey(sealed: string): boolean;
}

export class SecretTamperedError extends Error {
  readonly code = 'secret_unreadable';
  constructor(reason: string) {
    super(`stored secret cannot be opened: ${reason}`);
    this.name = 'SecretTamperedError';
  }
}

const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** The first key seals; every key opens. */
export function createSecretBox(keys: Buffer[]): SecretBox {
  const [primary] = keys;
  if (!primary) throw new Error('createSecretBox needs at least one key');
  for (const key of keys) if (key.length !== 32) throw new Error('secret keys must be 32 bytes');
  const byId = new Map(keys.map((key) => [keyIdOf(key), key]));
  const primaryId = keyIdOf(primary);

  return {
    seal(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', primary, nonce);
      cipher.setAAD(Buffer.from(primaryId));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [nonce, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
      return ['v1', primaryId, ...parts].join('.');
    },
    sealedWithCurrentKey(sealed) {
      const [version, keyId] = sealed.split('.');
      return version === 'v1' && keyId === primaryId;
    },
    open(sealed) {
      const [version, keyId, nonce, tag, ciphertext] = sealed.split('.');
      if (version !== 'v1' || !keyId || !nonce || !tag || ciphertext === undefined) {
        throw new SecretTamperedError('not a sealed value');
      }
      const key = byId.get(keyId);
      if (!key)
        throw new SecretTamperedError(
          `key ${keyId} is not configured (was SECRET_KEY rotated without SECRET_KEYS_OLD?)`,
        );
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
        decipher.setAAD(Buffer.from(keyId));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertext, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SecretTamperedError('authentication failed (tampered or wrong key)');
      }
    },
  };
}
