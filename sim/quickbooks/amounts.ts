import { formatMinor, minorToNumber, toMinor } from '../../server/money.js';

/** Currencies whose minor unit is not cents; QBO rounds amounts to the currency's decimals. */
const decimalsByCurrency: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};

export const currencyDecimals = (currency: string | undefined): number =>
  decimalsByCurrency[(currency ?? 'USD').toUpperCase()] ?? 2;

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
