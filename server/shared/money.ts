import { code as iso4217 } from 'currency-codes';

/**
 * Money is integer minor units (bigint) with the currency's number of decimals. Decimal values from
 * the wire (JSON numbers or strings) are parsed from their decimal text, never multiplied as floats.
 */

/** A currency code that ISO 4217 does not list: no amount in it can be read or written safely. */
export class UnknownCurrencyError extends RangeError {
  readonly code = 'unknown_currency';
  constructor(readonly currency: string) {
    super(
      `"${currency}" is not an ISO 4217 currency code, so its number of decimals is unknown. Use the three-letter code (for example ISK, USD, KWD) in ConnectWise and the ledger.`,
    );
  }
}

/**
 * The ISO 4217 minor-unit exponent of a currency (ISK 0, USD 2, KWD 3), from the `currency-codes`
 * package: the one source for the product, the pod's server answers and the simulators. Not Intl,
 * whose CLDR data differs from ISO for some codes (IQD, for one). A ledger may keep other precision
 * (Xero: 2 dp in every currency); that is the ledger's own constant, not a second table.
 */
export function currencyDecimals(currency: string): number {
  const digits = iso4217(currency.trim())?.digits;
  if (digits === undefined) throw new UnknownCurrencyError(currency);
  return digits;
}

/**
 * Minor units at one precision expressed at another: exact when widening (1234n, 0 -> 2: 123400n),
 * rounded half away from zero when narrowing (462864n, 2 -> 0: 4629n). Callers that must not round
 * compare the result back with `rescaleMinor(result, to, from)`.
 */
export function rescaleMinor(minor: bigint, from: number, to: number): bigint {
  if (to >= from) return minor * 10n ** BigInt(to - from);
  const divisor = 10n ** BigInt(from - to);
  const magnitude = minor < 0n ? -minor : minor;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return minor < 0n ? -quotient : quotient;
}

/** Whether two amounts at different precisions are the same amount (compared at the finer one). */
export function sameMinor(a: bigint, aDecimals: number, b: bigint, bDecimals: number): boolean {
  const finer = Math.max(aDecimals, bDecimals);
  return rescaleMinor(a, aDecimals, finer) === rescaleMinor(b, bDecimals, finer);
}

/** True when `minor` at `from` decimals has no digits beyond `to` decimals. */
export const fitsDecimals = (minor: bigint, from: number, to: number): boolean =>
  rescaleMinor(rescaleMinor(minor, from, to), to, from) === minor;

const decimalPattern = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Plain decimal text of a JSON number, expanding exponent notation. */
function decimalText(value: number | string): string {
  if (typeof value === 'string') return value.trim();
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  if (Number.isInteger(value)) return BigInt(value).toString();
  return value.toFixed(20).replace(/\.?0+$/, '');
}

/**
 * Parses an amount into minor units, rounding half away from zero at `decimals`
 * ("12.345", 2 -> 1235n; "-0.005", 2 -> -1n).
 */
export function toMinor(value: number | string, decimals: number): bigint {
  const match = decimalPattern.exec(decimalText(value));
  if (!match) throw new RangeError(`not a decimal amount: ${value}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, decimals).padEnd(decimals, '0');
  let minor = BigInt(whole + kept);
  const next = fraction.charCodeAt(decimals);
  if (!Number.isNaN(next) && next >= 53 /* '5' */) minor += 1n;
  return sign && minor !== 0n ? -minor : minor;
}

/** Minor units back to decimal text with exactly `decimals` places: 1235n, 2 -> "12.35". */
export function formatMinor(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = decimals === 0 ? digits : digits.slice(0, -decimals);
  const fraction = decimals === 0 ? '' : `.${digits.slice(-decimals)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** For wire formats that take JSON numbers: the nearest double prints back as the same decimal text. */
export function minorToNumber(minor: bigint, decimals: number): number {
  return Number(formatMinor(minor, decimals));
}

export const sumMinor = (amounts: Iterable<bigint>): bigint => {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
};

export const absMinor = (value: bigint): bigint => (value < 0n ? -value : value);

/** Most fraction digits among CW's amounts as it sent them (4546628.64 -> 2), at least `floor`. */
export function decimalsUsed(amounts: (number | string | null | undefined)[], floor: number): number {
  let most = floor;
  for (const amount of amounts) {
    if (amount === null || amount === undefined) continue;
    const text = typeof amount === 'number' ? numberText(amount) : amount.trim();
    const fraction = /\.(\d*?)0*$/.exec(text)?.[1] ?? '';
    most = Math.max(most, fraction.length);
  }
  return most;
}

const numberText = (value: number) => {
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
};
