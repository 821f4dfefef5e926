import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { toQboEntity, wireTotalMinor } from '../../server/ledgers/quickbooks/mapping.js';
import { formatMinor, sumMinor, toMinor } from '../../server/shared/money.js';

const currencies = [
  { currency: 'JPY', decimals: 0 },
  { currency: 'USD', decimals: 2 },
  { currency: 'KWD', decimals: 3 },
];

const documentArb = fc.constantFrom(...currencies).chain(({ currency, decimals }) =>
  fc.record({
    type: fc.constantFrom('invoice' as const, 'credit_memo' as const, 'bill' as const),
    currency: fc.constant(currency),
    decimals: fc.constant(decimals),
    taxMinor: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    lines: fc.array(
      fc.record({
        qty: fc.integer({ min: -50, max: 500 }),
        priceMinor: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 10n }),
        odd: fc.boolean(),
      }),
      { minLength: 1, maxLength: 60 },
    ),
  }),
);

it('LedgerDocument -> QBO wire keeps totals exact in minor units (0, 2 and 3 decimals)', () => {
  fc.assert(
    fc.property(documentArb, (d) => {
      const lines = d.lines.map(({ qty, priceMinor, odd }) => ({
        description: 'line',
        quantity: String(qty),
        unitPrice: formatMinor(priceMinor, d.decimals),
        // An "odd" line has an amount that Qty x UnitPrice does not give (CW rounding): sent without them.
        amountMinor: BigInt(qty) * priceMinor + (odd ? 1n : 0n),
        accountKey: '1',
        itemKey: '30',
        taxKey: undefined,
        classKey: undefined,
      }));
      const doc: SalesOrBillDocument = {
        type: d.type,
        number: 'N-1',
        date: '2024-01-01',
        dueDate: undefined,
        currency: d.currency,
        decimals: d.decimals,
        memo: undefined,
        party: { kind: 'customer', cwId: '1', accountNumber: undefined, name: 'A', email: undefined },
        lines,
        taxMinor: d.taxMinor,
        totalMinor: sumMinor(lines.map((l) => l.amountMinor)) + d.taxMinor,
        terms: undefined,
      };
      const wire = toQboEntity(doc, '100');
      expect(wireTotalMinor(wire, d.decimals)).toBe(doc.totalMinor);
      for (const [i, line] of (
        wire.Line as { Amount: number; SalesItemLineDetail?: { Qty?: number; UnitPrice?: number } }[]
      ).entries()) {
        expect(toMinor(line.Amount, d.decimals)).toBe(lines[i]!.amountMinor);
        const detail = line.SalesItemLineDetail;
        if (detail?.Qty !== undefined) {
          const extended = toMinor(String(BigInt(detail.Qty) * toMinor(detail.UnitPrice!, d.decimals)), 0);
          expect(extended).toBe(lines[i]!.amountMinor);
        }
      }
    }),
    { numRuns: 200 },
  );
});
