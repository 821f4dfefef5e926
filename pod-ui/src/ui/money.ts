const formats = new Map<string, Intl.NumberFormat>();

/**
 * Display only. The server sends every amount as decimal text at the precision it holds (the
 * currency's ISO 4217 decimals, or more where ConnectWise's figure has more), so the pod keeps no
 * currency table: it shows exactly the digits it was sent. Intl's own currency digits (CLDR) are
 * not used: they differ from ISO for some codes and would round 4546628.64 ISK to 4,546,629.
 * Intl formats a decimal *string* exactly (no float round trip) in current browsers.
 * Unknown currency codes fall back to the plain text with the code.
 */
export function formatMoney(amount: string, currency: string): string {
  const digits = amount.split('.')[1]?.length ?? 0;
  const key = `${currency}:${digits}`;
  let format = formats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    } catch {
      return `${amount} ${currency}`;
    }
    formats.set(key, format);
  }
  return format.format(amount as unknown as number);
}

/** "1234.50" and "1234.5" are the same amount; compared as text so no float rounding hides a cent. */
export function sameAmount(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}

function normalise(text: string): string {
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!match) return text;
  const whole = (match[2] ?? '').replace(/^0+/, '') || '0';
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const zero = whole === '0' && fraction === '';
  return `${match[1] === '-' && !zero ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
