/**
 * Which counters one outside call moves, by budget key and kind. Pure.
 *
 * Keys are the call limiter's (`qbo:<realm>`, `xero:<tenant id>`, `cw:<tenant>`). Periods follow
 * each provider's published terms (domain.md §8): Intuit meters reads (creates and updates are
 * free) per calendar month per app, so a QBO read also moves the app-wide `qbo:app` counter; Xero
 * caps calls per organisation per day and per minute; ConnectWise throttles per minute. Outbound
 * sits below ledgers and connectwise, so the provider is the key's prefix, not a provider entry
 * (ledgers/providers.ts says what a new ledger adds here and in budgets.ts).
 *
 * Periods are UTC calendar months, days and minutes. Neither Intuit nor Xero says in the terms we
 * have which clock their month or day follows (Xero's day may be a rolling 24 hours): a guess, on
 * the safe side only by the guard's margin (budget-guard.ts defers at 80%).
 */
export type MeterPeriod = 'month_read' | 'month_write' | 'day' | 'minute';
export type CallKind = 'read' | 'write';
export type MeteredProvider = 'qbo' | 'xero' | 'cw';

/** Intuit's reads are metered per app: one counter over every QBO connection. */
export const qboAppKey = 'qbo:app';

export interface Bucket {
  key: string;
  period: MeterPeriod;
  start: Date;
}

export const providerOfKey = (key: string): MeteredProvider | undefined => {
  const prefix = key.slice(0, key.indexOf(':'));
  return prefix === 'qbo' || prefix === 'xero' || prefix === 'cw' ? prefix : undefined;
};

export function periodStart(period: MeterPeriod, at: Date): Date {
  const d = new Date(at.getTime());
  if (period === 'minute') d.setUTCSeconds(0, 0);
  else if (period === 'day') d.setUTCHours(0, 0, 0, 0);
  else {
    d.setUTCDate(1);
    d.setUTCHours(0, 0, 0, 0);
  }
  return d;
}

export function periodEnd(period: MeterPeriod, at: Date): Date {
  const start = periodStart(period, at);
  if (period === 'minute') return new Date(start.getTime() + 60_000);
  if (period === 'day') return new Date(start.getTime() + 86_400_000);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** The counters a call on `key` at `at` moves; none for a key of no metered provider. */
export function bucketsFor(key: string, kind: CallKind, at: Date): Bucket[] {
  const provider = providerOfKey(key);
  const b = (k: string, period: MeterPeriod): Bucket => ({ key: k, period, start: periodStart(period, at) });
  if (provider === 'qbo') {
    return kind === 'read' ? [b(key, 'month_read'), b(qboAppKey, 'month_read')] : [b(key, 'month_write')];
  }
  if (provider === 'xero') return [b(key, 'day'), b(key, 'minute')];
  if (provider === 'cw') return [b(key, 'minute'), b(key, 'day')];
  return [];
}

/**
 * Whether a node-quickbooks method writes (create, update, delete, void, send, batch): Intuit
 * meters only the others, the reads (queries, gets, reports, CDC).
 */
export const isQuickBooksWrite = (method: string) =>
  /^(create|update|delete|void|send|upload|batch)/.test(method);
