import { obj, str, type Wire } from './tenant-books.js';
import { CENTS, cents, divRound, money } from './wire-format.js';

const RATE_DECIMALS = 4;
const toFixedUnits = (value: unknown, decimals: number): bigint => {
  const text = typeof value === 'number' ? String(value) : str(value);
  if (text === undefined || text === '') return 0n;
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const minor = BigInt(whole + fraction.slice(0, decimals).padEnd(decimals, '0'));
  return text.startsWith('-') ? -minor : minor;
};

export interface LineProblem {
  message: string;
}

/**
 * Line amounts, tax and totals the way Xero computes them: LineAmount = Quantity x UnitAmount rounded
 * to cents (checked against a LineAmount the client sent), tax per line from the TaxType rate unless
 * the client sent a TaxAmount (never above the line), and LineAmountTypes deciding whether amounts
 * include tax. Pure: the property suite runs it as the model of Xero.
 */
export function computeTotals(
  lineItems: Wire[],
  lineAmountTypes: string,
  taxRateOf: (taxType: string) => string | number | undefined,
): { lines: Wire[]; SubTotal: number; TotalTax: number; Total: number; problems: LineProblem[] } {
  const problems: LineProblem[] = [];
  let sub = 0n;
  let tax = 0n;
  const lines = lineItems.map((input) => {
    const line = { ...obj(input) };
    const quantity = line.Quantity === undefined ? 10_000n : toFixedUnits(line.Quantity, RATE_DECIMALS);
    const unit = toFixedUnits(line.UnitAmount, RATE_DECIMALS);
    const computed = divRound(quantity * unit, 10n ** BigInt(2 * RATE_DECIMALS - CENTS));
    let amount = computed;
    if (line.LineAmount !== undefined) {
      amount = cents(line.LineAmount);
      if (line.UnitAmount !== undefined && amount !== computed) {
        problems.push({
          message: `The line total ${money(amount)} does not match the expected line total ${money(computed)}`,
        });
      }
    }
    let lineTax = 0n;
    if (lineAmountTypes !== 'NoTax') {
      const rate = toFixedUnits(taxRateOf(str(line.TaxType) ?? '') ?? 0, RATE_DECIMALS);
      const scale = 100n * 10n ** BigInt(RATE_DECIMALS);
      if (line.TaxAmount !== undefined) {
        lineTax = cents(line.TaxAmount);
        // Xero refuses a line whose tax is above the line amount (domain.md §8, "Rounding in Xero"
        // developer guide); the message's wording is the simulator's own.
        const abs = (v: bigint) => (v < 0n ? -v : v);
        if (abs(lineTax) > abs(amount))
          problems.push({
            message: `The TaxAmount ${money(lineTax)} is more than the line amount ${money(amount)}`,
          });
      } else if (lineAmountTypes === 'Inclusive') lineTax = amount - divRound(amount * scale, scale + rate);
      else lineTax = divRound(amount * rate, scale);
    }
    sub += lineAmountTypes === 'Inclusive' ? amount - lineTax : amount;
    tax += lineTax;
    line.Quantity = line.Quantity ?? 1;
    line.LineAmount = money(amount);
    line.TaxAmount = money(lineTax);
    return line;
  });
  return { lines, SubTotal: money(sub), TotalTax: money(tax), Total: money(sub + tax), problems };
}
