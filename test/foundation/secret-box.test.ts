import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretTamperedError } from '../../server/crypto/secret-box.js';

describe('secret box', () => {
  const key = randomBytes(32);
  const box = createSecretBox([key]);

  it('seals and opens, with a fresh nonce each time', () => {
    const a = box.seal('refresh-token-123');
    const b = box.seal('refresh-token-123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token-123');
    expect(box.open(a)).toBe('refresh-token-123');
  });

  it('detects tampering with any part', () => {
    const sealed = box.seal('{"privateKey":"abc"}');
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const changed = [...parts];
      const bytes = Buffer.from(changed[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      changed[index] = bytes.toString('base64url');
      expect(() => box.open(changed.join('.'))).toThrow(SecretTamperedError);
    }
    expect(() => box.open('plain text')).toThrow(SecretTamperedError);
  });

  it('refuses a value sealed with an unknown key', () => {
    const other = createSecretBox([randomBytes(32)]);
    expect(() => box.open(other.seal('x'))).toThrow(/not configured/);
  });

  it('keeps opening old values after the key is rotated', () => {
    const sealedWithOld = box.seal('old secret');
    const rotated = createSecretBox([randomBytes(32), key]);
    expect(rotated.open(sealedWithOld)).toBe('old secret');
    const sealedWithNew = rotated.seal('new secret');
    expect(sealedWithNew.split('.')[1]).not.toBe(sealedWithOld.split('.')[1]);
    expect(rotated.open(sealedWithNew)).toBe('new secret');
  });
});
