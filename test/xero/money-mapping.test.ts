import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DocumentLine, SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { fromXeroInvoice, toXeroDocument } from '../../server/ledgers/xero/mapping.js';
import { invoiceWire } from '../../server/ledgers/xero/wire.js';
import { rescaleMinor, sumMinor } from '../../server/shared/money.js';
import { computeTotals } from '../../sim/xero/totals.js';

const currencies = [
  { code: 'JPY', decimals: 0 },
  { code: 'USD', decimals: 2 },
  { code: 'KWD', decimals: 3 },
];

const lineArb = (decimals: number): fc.Arbitrary<DocumentLine> =>
  fc
    .record({
      amountMinor: fc.bigInt({ min: -5_000_000n, max: 20_000_000n }),
      quantity: fc.constantFrom('1', '2', '0.5', '3.25', '7'),
      taxed: fc.boolean(),
    })
    .map(({ amountMinor, quantity, taxed }) => ({
      description: 'line',
      quantity,
      // Whatever CW says the price is; the mapping must not trust quantity x price over the amount.
      unitPrice: (Number(amountMinor) / 10 ** decimals / Number(quantity)).toFixed(4),
      amountMinor,
      accountKey: '200',
      itemKey: undefined,
      taxKey: taxed ? 'OUTPUT' : undefined,
      classKey: undefined,
    }));

const documentArb = fc
  .constantFrom(...currencies)
  .chain((currency) =>
    fc.record({
      currency: fc.constant(currency),
      lines: fc.array(lineArb(currency.decimals), { minLength: 1, maxLength: 40 }),
      tax: fc.bigInt({ min: -100_000n, max: 2_000_000n }),
    }),
  )
  .map(({ currency, lines, tax }): SalesOrBillDocument => {
    const taxMinor = lines.some((l) => l.taxKey) ? tax : 0n;
    return {
      type: 'invoice',
      number: 'CW-1',
      date: '2024-03-11',
      dueDate: undefined,
      currency: currency.code,
      decimals: currency.decimals,
      memo: undefined,
      party: { kind: 'customer', cwId: '1', accountNumber: undefined, name: 'A', email: undefined },
      lines,
      taxMinor,
      totalMinor: sumMinor(lines.map((l) => l.amountMinor)) + taxMinor,
      terms: undefined,
    };
  });

describe('money survives the trip to Xero and back', () => {
  it('Xero recomputes the same total, to the minor unit, that ConnectWise stated', () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        let wire: Record<string, unknown>;
        try {
          wire = toXeroDocument(doc, 'contact-id').body;
        } catch (error) {
          // Only an amount Xero would round (3-decimal currencies) or tax above the lines it was charged
          // on (which Xero refuses line by line) may be refused, and loudly.
          expect(error).toBeInstanceOf(LedgerError);
          const message = (error as LedgerError).providerMessage;
          if (/cannot be sent exactly/.test(message)) expect(doc.decimals).toBeGreaterThan(2);
          else expect(message).toMatch(/is more than the .* it was charged on/);
          return;
        }
        const lines = wire.LineItems as Record<string, unknown>[];
        const totals = computeTotals(lines, String(wire.LineAmountTypes), () => 10);
        expect(totals.problems).toEqual([]);
        const answer = invoiceWire.parse({
          ...wire,
          InvoiceID: 'id',
          Total: totals.Total,
          AmountDue: totals.Total,
          Status: 'AUTHORISED',
        });
        const ref = fromXeroInvoice(answer, { appUrl: 'https://go.xero.com' });
        // The ref is at Xero's precision (2 dp in every currency), the document at CW's.
        expect(ref.decimals).toBe(2);
        expect(rescaleMinor(ref.totalMinor, ref.decimals, doc.decimals)).toBe(doc.totalMinor);
        expect(rescaleMinor(ref.balanceMinor, ref.decimals, doc.decimals)).toBe(doc.totalMinor);
      }),
      { numRuns: 400 },
    );
  });

  it('an out-of-balance document is refused rather than sent', () => {
    fc.assert(
      fc.property(documentArb, fc.bigInt({ min: 1n, max: 1000n }), (doc, off) => {
        expect(() => toXeroDocument({ ...doc, totalMinor: doc.totalMinor + off }, 'c')).toThrow(
          /Out of balance/,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('a document number longer than Xero allows is refused, never cut', () => {
    const doc = fc.sample(documentArb, 1)[0]!;
    expect(() => toXeroDocument({ ...doc, number: 'N'.repeat(256) }, 'c')).toThrow(
      /256 characters; Xero allows 255/,
    );
  });
});
