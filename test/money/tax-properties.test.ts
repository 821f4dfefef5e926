import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bookBill,
  bookCase,
  type CwCase,
  caseArb,
  currencies,
  journalBalances,
  type LedgerKind,
} from './tax-cases.js';

/**
 * For each kind of books: what the ledger's own tax model makes of the document the product sends
 * equals ConnectWise, to the minor unit: the total, the tax, and the tax per CW tax code (rate).
 * Seeded; TAX_CASES (per kind) and TAX_SEED change the run (bench/tax-properties.ts runs more).
 */
const runsPerKind = Number(process.env.TAX_CASES ?? 3400);
const seed = Number(process.env.TAX_SEED ?? 1302);

const nonZero = (map: Map<string, bigint>) => new Map([...map].filter(([, v]) => v !== 0n));

/** The property, as one function so explicit regression cases run exactly what the suite runs. */
function checkCase(c: CwCase, kind: LedgerKind): void {
  const { truth, outcome, doc } = bookCase(c, kind);
  if (!outcome.booked) {
    // The one refusal allowed: an amount Xero cannot hold at 2 decimals (issue 13 item 2, rounding).
    expect(kind).toBe('xero');
    expect(c.currency.decimals).toBeGreaterThan(2);
    expect(outcome.reason).toMatch(/cannot be sent exactly/);
    return;
  }
  expect(outcome.problems).toEqual([]);
  expect(outcome.totalMinor).toBe(truth.totalMinor);
  expect(outcome.taxMinor).toBe(truth.taxMinor);
  if (kind !== 'qbo_us') expect(nonZero(outcome.taxByCode)).toEqual(nonZero(truth.taxByCode));
  if (kind === 'qbo_global') {
    // Every line carries a code; a line CW did not tax carries the exempt one.
    for (const [i, line] of doc!.lines.entries()) if (!c.lines[i]!.taxable) expect(line.taxKey).toBe('199');
  }
}

/** Shrunk counterexamples met while the suite was written (against wrong mappings), kept as cases. */
const regressions: { why: string; kind: LedgerKind; c: CwCase }[] = [
  {
    why: 'a bare TotalTax in a non-US company: it recomputes, so a code of two rates must get TaxLines',
    kind: 'qbo_global',
    c: {
      type: 'invoice',
      currency: { code: 'EUR', decimals: 2 },
      lines: [
        { quantity: '4', price: '9673655.34', taxable: true, code: 7 },
        { quantity: '0.0001', price: '0', taxable: false, code: 4 },
      ],
    },
  },
  {
    why: "all of a code's tax on its first line: that line is 0.00, so its tax would pass it",
    kind: 'xero',
    c: {
      type: 'invoice',
      currency: { code: 'EUR', decimals: 2 },
      lines: [
        { quantity: '1', price: '0.000001', taxable: true, code: 4 },
        { quantity: '0.0001', price: '350', taxable: true, code: 4 },
      ],
    },
  },
];

describe('tax per provider and company kind equals ConnectWise (property suite)', () => {
  for (const { why, kind, c } of regressions) it(`regression, ${kind}: ${why}`, () => checkCase(c, kind));
  for (const kind of ['qbo_us', 'qbo_global', 'xero'] as const) {
    it(`${kind}: book total and tax per rate are CW's (${runsPerKind} seeded cases)`, () => {
      fc.assert(
        fc.property(caseArb, (c) => checkCase(c, kind)),
        { numRuns: runsPerKind, seed },
      );
    }, 120_000);
  }

  for (const kind of ['qbo_us', 'xero'] as const) {
    it(`${kind} bills: book total and tax are CW's`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const { truth, outcome } = bookBill(c, kind);
          if (!outcome.booked) {
            expect(
              kind === 'xero' && c.currency.decimals > 2 && /cannot be sent exactly/.test(outcome.reason),
            ).toBe(true);
            return;
          }
          expect(outcome.problems).toEqual([]);
          expect(outcome.totalMinor).toBe(truth.totalMinor);
          expect(outcome.taxMinor).toBe(truth.taxMinor);
        }),
        { numRuns: 500, seed },
      );
    }, 120_000);
  }

  it('journals (company-paid expenses): debits = credits = CW amount in QBO and Xero', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        fc.constantFrom(...currencies),
        (amount, currency) => {
          expect(journalBalances(amount, currency)).toBe(true);
        },
      ),
      { numRuns: 500, seed },
    );
  });
});
