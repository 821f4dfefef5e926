import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { glExportSchema } from '../../server/connectwise/schemas.js';
import type { JournalDocument, SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { mapRecord } from '../../server/pipeline/push-gl-record.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { sumMinor, toMinor } from '../../server/shared/money.js';
import { buildExpense, buildProcurement } from '../../sim/connectwise/fixtures.js';
import { buildGlExport } from '../../sim/connectwise/gl-export.js';
import { ConnectWiseState, type CwBehaviours } from '../../sim/connectwise/state.js';

const mappings = mappingsFrom(
  [
    ['6100', 'EXP'],
    ['2000', 'AP'],
    ['2100', 'REIMB'],
    ['1400', 'INV'],
    ['5100', 'ADJ'],
    ['__freight__', 'FREIGHT'],
  ].map(([cw_key, ledger_key]) => ({
    kind: 'gl_account' as const,
    cw_key: cw_key!,
    ledger_key: ledger_key!,
  })),
);

/** CW's own export of one record, built by the simulator from a seeded record. */
function exportOf(
  kind: 'expense' | 'procurement',
  record: Record<string, unknown> & { id: number },
  behaviours: Partial<CwBehaviours> = {},
) {
  const state = new ConnectWiseState('ledgerpod');
  Object.assign(state.behaviours, behaviours);
  state.seed(kind === 'expense' ? { expenses: [record] } : { procurement: [record] });
  return glExportSchema.parse(buildGlExport(state, [{ kind, id: record.id }]));
}

const map = (
  type: 'expense' | 'procurement' | 'adjustment',
  record: Record<string, unknown> & { id: number },
  with_ = mappings,
  behaviours: Partial<CwBehaviours> = { adjustmentLineIds: 'present' },
) =>
  mapRecord(
    type,
    exportOf(type === 'expense' ? 'expense' : 'procurement', record, behaviours),
    record as never,
    { mappings: with_, connection: { id: 'connection-1' } },
    `X-${record.id}`,
    String(record.id),
    record.id,
    `record ${record.id}`,
  );

describe('CW expense / purchase / adjustment export -> ledger document', () => {
  it('a reimbursable expense is a bill payable to the member as vendor', () => {
    const expense = buildExpense({ id: 81, amount: 42.5, classification: 'Reimbursable' });
    const { document, glEntryIds } = map('expense', expense);
    expect(document).toMatchObject({
      type: 'bill',
      number: 'X-81',
      currency: 'USD',
      totalMinor: 4250n,
      party: { kind: 'vendor', accountNumber: 'jdoe', name: 'Jane Doe' },
      lines: [{ amountMinor: 4250n, accountKey: 'EXP' }],
    });
    expect(glEntryIds).toEqual(expense.glEntryIds.split(',').map(Number));
  });

  it('a company-paid expense is a journal: expense debit, offset credit, balancing to zero', () => {
    const expense = buildExpense({ id: 82, amount: 19.99, classification: 'NonReimbursable' });
    const { document, glEntryIds } = map('expense', expense);
    const journal = document as JournalDocument;
    expect(journal.type).toBe('journal');
    expect(journal.lines.map((l) => [l.accountKey, l.amountMinor])).toEqual([
      ['EXP', 1999n],
      ['AP', -1999n],
    ]);
    expect(glEntryIds).toEqual(expense.glEntryIds.split(',').map(Number));
  });

  it('a purchase is a bill to the vendor: item lines, freight, vendor invoice number kept by the caller', () => {
    const purchase = buildProcurement({
      id: 83,
      procurementType: 'Purchase',
      lines: [
        { item: 'SW-24', quantity: 2, unitCost: 310.25 },
        { item: 'CABLE', quantity: 10, unitCost: 4.99 },
      ],
      freight: 25,
    });
    const { document, glEntryIds } = map('procurement', purchase);
    const bill = document as SalesOrBillDocument;
    expect(bill).toMatchObject({
      type: 'bill',
      totalMinor: 62050n + 4990n + 2500n,
      party: { kind: 'vendor', name: 'Tech Data Corporation', accountNumber: 'TechData' },
      memo: expect.stringContaining('PO PO-83'),
    });
    expect(bill.lines.map((l) => [l.accountKey, l.quantity, l.unitPrice, l.amountMinor])).toEqual([
      ['INV', '2', '310.25', 62050n],
      ['INV', '10', '4.99', 4990n],
      ['FREIGHT', '1', '25.00', 2500n],
    ]);
    expect(glEntryIds).toEqual(purchase.lines.map((l) => l.id));
  });

  it('an inventory adjustment is a balanced journal, stock added and removed', () => {
    const adjustment = buildProcurement({
      id: 84,
      procurementType: 'Adjustment',
      description: 'Cycle count March',
      lines: [
        { item: 'SW-24', quantity: 3, unitCost: 100 },
        { item: 'CABLE', quantity: -4, unitCost: 5 },
      ],
    });
    const { document, glEntryIds } = map('adjustment', adjustment);
    const journal = document as JournalDocument;
    expect(journal.lines.map((l) => [l.accountKey, l.amountMinor])).toEqual([
      ['INV', 30000n],
      ['ADJ', -30000n],
      ['INV', -2000n],
      ['ADJ', 2000n],
    ]);
    expect(sumMinor(journal.lines.map((l) => l.amountMinor))).toBe(0n);
    expect(glEntryIds).toEqual(adjustment.lines.map((l) => l.id));
  });

  it("refuses ' in an adjustment's description, unmapped accounts, and refunds as bills", () => {
    const quoted = buildProcurement({
      id: 85,
      procurementType: 'Adjustment',
      total: 10,
      description: "Bob's count",
    });
    expect(() => map('adjustment', quoted)).toThrow(
      expect.objectContaining({ stored: expect.objectContaining({ code: 'invalid_batch_character' }) }),
    );
    const unmapped = buildExpense({ id: 86, amount: 10, accountNumber: '6999' });
    expect(() => map('expense', unmapped)).toThrow(/6999/);
    const refund = buildExpense({ id: 87, amount: -12 });
    expect(() => map('expense', refund)).toThrow(
      expect.objectContaining({ stored: expect.objectContaining({ code: 'negative_bill' }) }),
    );
  });

  it('money property: bill totals are exact in minor units and journals balance to zero', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            quantity: fc.integer({ min: 1, max: 500 }),
            cents: fc.integer({ min: 1, max: 10_000_000 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(
          fc.record({
            quantity: fc.integer({ min: -50, max: 50 }).filter((q) => q !== 0),
            cents: fc.integer({ min: 1, max: 1_000_000 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (lines, freightCents, adjustments) => {
          const given = lines.map((l, i) => ({
            item: `I${i}`,
            quantity: l.quantity,
            unitCost: l.cents / 100,
          }));
          const purchase = buildProcurement({
            id: 90,
            procurementType: 'Purchase',
            lines: given,
            freight: freightCents / 100,
          });
          const bill = map('procurement', purchase).document as SalesOrBillDocument;
          const expected =
            sumMinor(lines.map((l) => BigInt(l.quantity) * BigInt(l.cents))) + BigInt(freightCents);
          expect(bill.totalMinor).toBe(expected);
          expect(sumMinor(bill.lines.map((l) => l.amountMinor))).toBe(expected);
          // Debits positive: every purchase line is positive.
          expect(bill.lines.every((l) => l.amountMinor > 0n)).toBe(true);

          const adjustment = buildProcurement({
            id: 91,
            procurementType: 'Adjustment',
            lines: adjustments.map((a, i) => ({
              item: `A${i}`,
              quantity: a.quantity,
              unitCost: a.cents / 100,
            })),
          });
          const journal = map('adjustment', adjustment).document as JournalDocument;
          expect(sumMinor(journal.lines.map((l) => l.amountMinor))).toBe(0n);
          // The inventory side carries CW's sign: stock added is a debit, stock removed a credit.
          const inventory = journal.lines.filter((l) => l.accountKey === 'INV').map((l) => l.amountMinor);
          expect(inventory).toEqual(adjustments.map((a) => BigInt(a.quantity) * BigInt(a.cents)));
          expect(toMinor(adjustment.total, 2)).toBe(sumMinor(inventory));
        },
      ),
      { numRuns: 150 },
    );
  });
});
