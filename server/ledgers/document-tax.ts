import type { DocumentLine, DocumentTax, SalesOrBillDocument } from './ledger.js';

/**
 * CW's tax of a document as groups of lines, the same for every ledger. Pure.
 * A ledger books CW's figure per group (per rate), never a spread of the document's total.
 */

/** Whether CW taxed the line; documents without CW's tax detail fall back to "has a tax code". */
export const isTaxedLine = (line: DocumentLine): boolean =>
  line.taxable ?? (line.taxKey !== undefined && line.taxKey !== '' && line.taxKey !== 'NON');

export interface TaxGroup extends DocumentTax {
  /** Indexes of the document's lines this group's tax was charged on. */
  lines: number[];
}

/**
 * The document's tax groups with their lines: the taxed lines carrying the group's tax code, or,
 * where no line carries it (a tax CW charges at a level over every taxed line), every taxed line.
 * A document that states only its total tax is one group over all taxed lines.
 */
export function taxGroupsOf(doc: SalesOrBillDocument): TaxGroup[] {
  const taxed = doc.lines.flatMap((line, i) => (isTaxedLine(line) ? [i] : []));
  const sum = (indexes: number[]) => indexes.reduce((total, i) => total + doc.lines[i]!.amountMinor, 0n);
  if (!doc.taxes) {
    if (doc.taxMinor === 0n) return [];
    const key = taxed.map((i) => doc.lines[i]!.taxKey).find((k) => k) ?? '';
    return [{ taxKey: key, cwCodes: [], taxableMinor: sum(taxed), taxMinor: doc.taxMinor, lines: taxed }];
  }
  return doc.taxes.map((tax) => {
    const own = taxed.filter((i) => doc.lines[i]!.taxKey === tax.taxKey);
    return { ...tax, lines: own.length > 0 ? own : taxed };
  });
}

const abs = (v: bigint) => (v < 0n ? -v : v);
/** Floor division for bigints of any sign. */
const floorDiv = (a: bigint, b: bigint) => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

/**
 * Splits `total` over `weights` in proportion, in whole `step`s (largest remainder: every share is
 * its exact part rounded down or up, so a share never passes its weight while |total| <= |sum|).
 * The sum of the shares is `total` exactly; a part of `total` below one step goes to the largest weight.
 */
export function splitProportionally(weights: bigint[], total: bigint, step = 1n): bigint[] {
  const shares = weights.map(() => 0n);
  if (weights.length === 0 || total === 0n) return shares;
  let largest = 0;
  for (let i = 1; i < weights.length; i++) if (abs(weights[i]!) > abs(weights[largest]!)) largest = i;
  const units = total / step;
  const leftover = total - units * step;
  let base = weights.reduce((s, w) => s + w, 0n);
  let signedWeights = weights;
  if (base === 0n) {
    // No proportion to keep (lines cancel out): by size instead.
    signedWeights = weights.map(abs);
    base = signedWeights.reduce((s, w) => s + w, 0n);
  }
  if (base === 0n) {
    shares[largest] = total;
    return shares;
  }
  const remainders: { i: number; rest: bigint }[] = [];
  let given = 0n;
  for (const [i, w] of signedWeights.entries()) {
    const numerator = units * w;
    const share = floorDiv(numerator, base);
    shares[i] = share;
    given += share;
    // numerator - share * base has the sign of base; compare by magnitude.
    remainders.push({ i, rest: abs(numerator - share * base) });
  }
  remainders.sort((a, b) =>
    a.rest === b.rest
      ? Number(abs(weights[b.i]!) - abs(weights[a.i]!)) || a.i - b.i
      : a.rest > b.rest
        ? -1
        : 1,
  );
  let missing = units - given;
  for (let k = 0; missing !== 0n; k = (k + 1) % remainders.length) {
    const one = missing > 0n ? 1n : -1n;
    shares[remainders[k]!.i]! += one;
    missing -= one;
  }
  const result = shares.map((s) => s * step);
  result[largest]! += leftover;
  return result;
}
