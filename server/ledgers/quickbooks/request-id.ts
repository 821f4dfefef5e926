import { createHash } from 'node:crypto';

/** QBO accepts a requestid of at most 50 characters, unique per company. */
export const maxRequestIdLength = 50;

/** The idempotency key itself when it fits, else a stable hash of it (same key, same requestid). */
export function requestIdFor(idempotencyKey: string, suffix = ''): string {
  const raw = suffix ? `${idempotencyKey}:${suffix}` : idempotencyKey;
  if (raw.length <= maxRequestIdLength && /^[\w:.-]+$/.test(raw)) return raw;
  return `h-${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`;
}
