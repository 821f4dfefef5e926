/**
 * Spreads a document's tax (as ConnectWise computed it) over its taxed lines so Xero's total equals
 * ConnectWise's to the minor unit: shares in proportion to line amounts, the rounding residue on the
 * largest line. Signed weights keep a discount line's tax negative.
 */
export function allocateTax(amounts: bigint[], taxed: boolean[], taxMinor: bigint): bigint[] {
  const shares = amounts.map(() => 0n);
  const indexes = amounts.map((_, i) => i).filter((i) => taxed[i]);
  if (taxMinor === 0n || indexes.length === 0) return shares;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  let total = indexes.reduce((sum, i) => sum + amounts[i]!, 0n);
  const weight = (i: number) => (total === 0n ? abs(amounts[i]!) : amounts[i]!);
  if (total === 0n) total = indexes.reduce((sum, i) => sum + abs(amounts[i]!), 0n);
  let largest = indexes[0]!;
  let given = 0n;
  for (const i of indexes) {
    shares[i] = total === 0n ? 0n : (taxMinor * weight(i)) / total;
    given += shares[i]!;
    if (abs(amounts[i]!) > abs(amounts[largest]!)) largest = i;
  }
  shares[largest] = shares[largest]! + (taxMinor - given);
  return shares;
}
