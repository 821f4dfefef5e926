import { formatMinor, toMinor } from '../../server/shared/money.js';

/** Xero's JSON dates: `/Date(1552262400000+0000)/`, milliseconds since the epoch in UTC. */
export const msDate = (ms: number): string => `/Date(${ms}+0000)/`;

/** Accepts what clients send for a date (`2024-01-31`, ISO date-time or `/Date(ms)/`); returns epoch ms. */
export function parseWireDate(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = /^\/Date\((-?\d+)/.exec(value);
  if (ms) return Number(ms[1]);
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A date-only wire value normalised to midnight UTC, as Xero stores document dates. */
export function wireDay(value: unknown, fallbackMs: number): { ms: number; wire: string } {
  const ms = parseWireDate(value) ?? fallbackMs;
  const day = Math.floor(ms / 86_400_000) * 86_400_000;
  return { ms: day, wire: msDate(day) };
}

/** Xero keeps document amounts at 2 decimals; the simulator computes in cents as bigint. */
export const CENTS = 2;
export const cents = (value: unknown): bigint =>
  typeof value === 'number' || typeof value === 'string' ? toMinor(value, CENTS) : 0n;
export const money = (minor: bigint): number => Number(formatMinor(minor, CENTS));

/** Integer division rounding half away from zero. */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** Timestamps that never repeat, so If-Modified-Since paging is deterministic. */
export class MonotonicClock {
  private last = 0;
  now(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }
}
