const formats = new Map<string, Intl.NumberFormat>();

/**
 * Display only: Intl formats a decimal *string* exactly (no float round trip) in current browsers.
 * Unknown currency codes fall back to the plain text with the code.
 */
export function formatMoney(amount: string, currency: string): string {
  let format = formats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      return `${amount} ${currency}`;
    }
    formats.set(currency, format);
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
