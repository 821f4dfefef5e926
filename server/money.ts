/**
 * Money is integer minor units (bigint) with the currency's number of decimals. Decimal values from
 * the wire (JSON numbers or strings) are parsed from their decimal text, never multiplied as floats.
 */

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
