/**
 * The one reading of a Retry-After header (RFC 9110 §10.2.3) for every outside system: either
 * delta-seconds or an HTTP date. Provider-specific wait headers (Xero's X-Rate-Limit-Problem, the
 * remaining-limit counts) stay with the provider; only this value's parsing is shared.
 */

/** Milliseconds to wait, or undefined when the value says nothing usable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  // Node gives a repeated header as an array; the first one counts.
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const trimmed = String(text).trim();
  // Digits are tested before Date.parse, which reads "5" or "-5" as a date in 2001.
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.round(Number(trimmed) * 1000));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The Retry-After of a header map, whatever case the client kept its names in. */
export function retryAfterOf(headers: Record<string, unknown> | undefined, now = Date.now()) {
  if (!headers) return undefined;
  const found = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
  return found === undefined ? undefined : retryAfterMs(found[1], now);
}
