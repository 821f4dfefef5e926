import { formatMinor } from '../../shared/money.js';
import { splitProportionally, taxGroupsOf } from '../document-tax.js';
import type { SalesOrBillDocument } from '../ledger.js';

export type LineTaxes = { ok: true; taxes: (bigint | undefined)[] } | { ok: false; problem: string };

/**
 * Each line's TaxAmount for Xero: CW's tax of each tax code split over the lines taxed at that code,
 * in proportion to their amounts, so tax per rate is CW's to the minor unit and no line's tax passes
 * the line (Xero refuses that: "Rounding in Xero" developer guide). Untaxed lines get undefined.
 * `step` is the smallest amount Xero holds in the document's minor units (10 for a 3-decimal currency).
 */
export function lineTaxesOf(doc: SalesOrBillDocument, step = 1n): LineTaxes {
  const taxes: (bigint | undefined)[] = doc.lines.map(() => undefined);
  const money = (minor: bigint) => `${formatMinor(minor, doc.decimals)} ${doc.currency}`;
  for (const group of taxGroupsOf(doc)) {
    for (const i of group.lines) taxes[i] ??= 0n;
    if (group.taxMinor === 0n) continue;
    const label = group.cwCodes.length > 0 ? `tax code ${group.cwCodes.join(', ')}` : 'tax';
    if (group.lines.length === 0)
      return {
        ok: false,
        problem: `ConnectWise charged ${money(group.taxMinor)} ${label} on ${doc.number}, but no line of it is taxable.`,
      };
    const base = group.lines.reduce((sum, i) => sum + doc.lines[i]!.amountMinor, 0n);
    const absTax = group.taxMinor < 0n ? -group.taxMinor : group.taxMinor;
    const absBase = base < 0n ? -base : base;
    // Lines that net to zero still hold tax up to their own sizes; lines of zero hold none.
    const room = group.lines.reduce((sum, i) => {
      const amount = doc.lines[i]!.amountMinor;
      return sum + (amount < 0n ? -amount : amount);
    }, 0n);
    if ((base !== 0n && absTax > absBase) || absTax > room)
      return {
        ok: false,
        problem: `ConnectWise's ${label} of ${money(group.taxMinor)} on ${doc.number} is more than the ${money(base)} it was charged on; Xero refuses a line whose tax is above its amount.`,
      };
    const shares = splitProportionally(
      group.lines.map((i) => doc.lines[i]!.amountMinor),
      group.taxMinor,
      step,
    );
    for (const [k, i] of group.lines.entries()) taxes[i] = taxes[i]! + shares[k]!;
  }
  return { ok: true, taxes };
}
