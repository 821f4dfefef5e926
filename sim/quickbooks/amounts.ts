import {
  formatMinor,
  currencyDecimals as isoDecimals,
  minorToNumber,
  toMinor,
} from '../../server/shared/money.js';

/**
 * QBO rounds amounts to the currency's ISO 4217 decimals (ISK/CLP 0, KWD 3); the same function the
 * product uses. A document without CurrencyRef is in the home currency, USD in this simulator.
 */
export const currencyDecimals = (currency: string | undefined): number => isoDecimals(currency ?? 'USD');

export const amountMinor = (value: unknown, decimals: number): bigint =>
  value === undefined || value === null ? 0n : toMinor(value as number | string, decimals);

export const amountNumber = (minor: bigint, decimals: number): number => minorToNumber(minor, decimals);

/** Qty x UnitPrice rounded to the currency's decimals, computed on decimal text (no float drift). */
export function extendedMinor(qty: unknown, unitPrice: unknown, decimals: number): bigint {
  const [qm, qs] = scaled(String(qty));
  const [pm, ps] = scaled(String(unitPrice));
  return toMinor(formatMinor(qm * pm, qs + ps), decimals);
}

/** Rate percentage applied to an amount, rounded half away from zero. */
export function percentOf(minor: bigint, ratePercent: unknown, decimals: number): bigint {
  const [rm, rs] = scaled(String(ratePercent));
  return toMinor(formatMinor(minor * rm, decimals + rs + 2), decimals);
}

function scaled(text: string): [bigint, number] {
  const plain = /e/i.test(text)
    ? Number(text)
        .toFixed(12)
        .replace(/\.?0+$/, '')
    : text;
  const [whole = '0', fraction = ''] = plain.replace('-', '').split('.');
  const magnitude = BigInt(whole + fraction);
  return [plain.startsWith('-') ? -magnitude : magnitude, fraction.length];
}
