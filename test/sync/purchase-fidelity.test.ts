import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type GlExport,
  glExportSchema,
  type UnpostedProcurement,
  unpostedProcurementSchema,
} from '../../server/connectwise/schemas.js';
import type { JournalDocument, SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { mapRecord } from '../../server/pipeline/push-gl-record.js';
import { findPurchasePart } from '../../server/records/gl-export-parts.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { sumMinor } from '../../server/shared/money.js';
import { buildProcurement } from '../../sim/connectwise/fixtures.js';
import { buildGlExport } from '../../sim/connectwise/gl-export.js';
import { ConnectWiseState, type CwBehaviours } from '../../sim/connectwise/state.js';

/**
 * Purchases and adjustments as ConnectWise really exports them (domain.md §8): credit detail lines under
 * a positive header, `cost` extended and `itemCost` unit, freight as a "PF" line, purchase tax entries of
 * their own, an export id that is not the product id, and adjustment lines without GL entry ids.
 */

const mappings = mappingsFrom(
  [
    ['4001', 'COGS'],
    ['1400', 'INV'],
    ['5100', 'ADJ'],
    ['5200', 'FREIGHT'],
    ['1500', 'TAXREC'],
  ].map(([cw_key, ledger_key]) => ({
    kind: 'gl_account' as const,
    cw_key: cw_key!,
    ledger_key: ledger_key!,
  })),
);
const route = { mappings, connection: { id: 'connection-1' } };
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { stored?: { code: string; message: string } }).stored;
  }
  return undefined;
};

/** The real export (Zynk-Workflow's ConnectWise docs; see test/conformance/PROVENANCE.md). */
const realExport = glExportSchema.parse(
  JSON.parse(
    readFileSync(new URL('../conformance/connectwise/gl-export-procurement.json', import.meta.url), 'utf8'),
  ),
);
/*
 * The unposted procurement that export belongs to. No published UnpostedProcurement goes with it: this is
 * built from the export's own values in ConnectWise's UnpostedProcurement field names (constructed).
 */
const realUnposted: UnpostedProcurement = unpostedProcurementSchema.parse({
  id: 17,
  procurementType: 'Purchase',
  description: 'Purchase',
  unpostedProductId: '17',
  purchaseOrder: { id: 5, name: 'COMPANYBPO' },
  vendor: { id: 3, identifier: 'CONNECTWISE', name: 'ConnectWise' },
  vendorInvoiceNumber: 'COMPANYBINV',
  purchaseDate: '2014-05-01T00:00:00Z',
  currency: { id: 2, currencyCode: 'GBP', numberOfDecimals: 2 },
  total: 12.5,
});

function simExport(records: ReturnType<typeof buildProcurement>[], behaviours: Partial<CwBehaviours> = {}) {
  const state = new ConnectWiseState('ledgerpod');
  Object.assign(state.behaviours, behaviours);
  state.seed({ procurement: records });
  return glExportSchema.parse(
    buildGlExport(
      state,
      records.map((r) => ({ kind: 'procurement' as const, id: r.id })),
    ),
  );
}
const unpostedOf = (record: ReturnType<typeof buildProcurement>) =>
  unpostedProcurementSchema.parse({ ...record, unpostedProductId: String(record.id) });

const mapPurchase = (glExport: GlExport, unposted: UnpostedProcurement) =>
  mapRecord(
    'procurement',
    glExport,
    unposted,
    route,
    `PUR-${unposted.id}`,
    unposted.unpostedProductId ?? String(unposted.id),
    unposted.id,
    `Purchase ${unposted.id}`,
  );

describe('a purchase as ConnectWise exports it', () => {
  it('the real export maps to one bill of 50 at 0.25 = 12.50, found by its PO, vendor and vendor invoice', () => {
    const { document, glEntryIds } = mapPurchase(realExport, realUnposted);
    const bill = document as SalesOrBillDocument;
    expect(bill).toMatchObject({
      type: 'bill',
      number: 'COMPANYBINV',
      currency: 'GBP',
      totalMinor: 1250n,
      party: { kind: 'vendor', cwId: '3' },
    });
    expect(bill.lines.map((l) => [l.accountKey, l.quantity, l.unitPrice, l.amountMinor])).toEqual([
      ['COGS', '50', '0.25', 1250n],
    ]);
    expect(glEntryIds).toEqual([1299]);
  });

  it('a part is never taken by guess: a look-alike of another receipt is refused with what to check', () => {
    const first = buildProcurement({
      id: 7101,
      procurementType: 'Purchase',
      total: 40,
      purchaseOrder: 'PO-9',
    });
    const twin = { ...first, id: 7102, glEntryIds: '990001', lines: undefined } as unknown as typeof first;
    const glExport = simExport([first, twin]);
    expect(glExport.purchaseTransactions?.map((p) => p.id)).toEqual([
      'PO #PO-9, Packing Slip: ',
      'PO #PO-9, Packing Slip: ',
    ]);
    expect(findPurchasePart(glExport.purchaseTransactions ?? [], '7101', unpostedOf(first))).toBeUndefined();
    expect(codeOf(() => mapPurchase(glExport, unpostedOf(first)))).toMatchObject({
      code: 'purchase_not_in_export',
      message: expect.stringContaining('PO number, vendor, vendor invoice number and total'),
    });
  });

  it.each(['descriptive', 'product-id'] as const)(
    'with export ids %s, each of several purchases in one export finds its own part',
    (purchaseExportId) => {
      const a = buildProcurement({ id: 7201, procurementType: 'Purchase', total: 10, packingSlip: 'PS-1' });
      const b = buildProcurement({ id: 7202, procurementType: 'Purchase', total: 20, packingSlip: 'PS-2' });
      const glExport = simExport([a, b], { purchaseExportId });
      for (const record of [a, b]) {
        const { document, glEntryIds } = mapPurchase(glExport, unpostedOf(record));
        expect((document as SalesOrBillDocument).totalMinor).toBe(BigInt(record.total * 100));
        expect(glEntryIds).toEqual(record.lines.map((l) => l.id));
      }
    },
  );

  it('freight as a PF line is booked once, though the header repeats it in freightAmount', () => {
    const purchase = buildProcurement({
      id: 7301,
      procurementType: 'Purchase',
      lines: [{ item: 'SSD', quantity: 3, unitCost: 89.99, accountNumber: '1400' }],
      freight: 12.5,
    });
    const glExport = simExport([purchase], { freight: 'line' });
    const part = glExport.purchaseTransactions![0]!;
    expect(part.freightAmount).toBe(12.5);
    expect(part.purchaseDetail?.map((d) => [d.glTypeId, d.quantity, d.cost, d.itemCost, d.total])).toEqual([
      ['RP', -3, 269.97, 89.99, -269.97],
      ['PF', -1, 12.5, 12.5, -12.5],
    ]);
    const bill = mapPurchase(glExport, unpostedOf(purchase)).document as SalesOrBillDocument;
    expect(bill.lines.map((l) => [l.description, l.accountKey, l.amountMinor])).toEqual([
      ['SSD', 'INV', 26997n],
      ['Freight', 'FREIGHT', 1250n],
    ]);
    expect(bill.totalMinor).toBe(28247n);
  });

  it('freight only on the header is a line exactly when the header total counts it', () => {
    const purchase = buildProcurement({
      id: 7302,
      procurementType: 'Purchase',
      lines: [{ item: 'SSD', quantity: 1, unitCost: 100, accountNumber: '1400' }],
      freight: 7,
    });
    const glExport = simExport([purchase], { freight: 'header-only' });
    expect(glExport.purchaseTransactions![0]!.purchaseDetail?.map((d) => d.glTypeId)).toEqual(['RP']);
    const counted = mapPurchase(glExport, unpostedOf(purchase));
    expect((counted.document as SalesOrBillDocument).lines.map((l) => l.amountMinor)).toEqual([10000n, 700n]);
    // The freight line has no GL entry in this shape, so the batch names only the item.
    expect(counted.glEntryIds).toEqual([purchase.lines[0]!.id]);

    // The other reading: a header total without the freight. Then no freight line (the bill is the GL).
    const uncounted = structuredClone(glExport);
    uncounted.purchaseTransactions![0]!.total = 100;
    const bill = mapPurchase(uncounted, { ...unpostedOf(purchase), total: 100 })
      .document as SalesOrBillDocument;
    expect(bill.lines.map((l) => l.amountMinor)).toEqual([10000n]);
  });

  it('purchase tax GL entries are on the bill and named by its batch', () => {
    const purchase = buildProcurement({
      id: 7401,
      procurementType: 'Purchase',
      lines: [{ item: 'SSD', quantity: 2, unitCost: 50, accountNumber: '1400' }],
      tax: 8.25,
    });
    const glExport = simExport([purchase]);
    const part = glExport.purchaseTransactions![0]!;
    expect(part.purchaseDetailTax?.map((t) => [t.accountNumber, t.total])).toEqual([['1500', -8.25]]);
    const { document, glEntryIds } = mapPurchase(glExport, unpostedOf(purchase));
    const bill = document as SalesOrBillDocument;
    expect(bill.lines.map((l) => [l.accountKey, l.amountMinor])).toEqual([
      ['INV', 10000n],
      ['TAXREC', 825n],
    ]);
    expect(bill.totalMinor).toBe(10825n);
    expect(sumMinor(bill.lines.map((l) => l.amountMinor))).toBe(bill.totalMinor);
    expect(glEntryIds).toEqual(purchase.lines.map((l) => l.id));
    expect(glEntryIds).toHaveLength(2);
  });

  it('keeps quantity x unit cost only when it gives the line exactly, else one unit at the amount', () => {
    const glExport = structuredClone(realExport);
    const line = glExport.purchaseTransactions![0]!.purchaseDetail![0]!;
    line.itemCost = 0.3;
    const bill = mapPurchase(glExport, realUnposted).document as SalesOrBillDocument;
    expect(bill.lines.map((l) => [l.quantity, l.unitPrice, l.amountMinor])).toEqual([['1', '12.50', 1250n]]);
  });
});

describe('an inventory adjustment and its GL entry ids', () => {
  const adjustment = buildProcurement({
    id: 7501,
    procurementType: 'Adjustment',
    description: 'Cycle count',
    lines: [
      { item: 'SSD', quantity: 2, unitCost: 50 },
      { item: 'CAB', quantity: -1, unitCost: 4 },
    ],
  });
  const run = (behaviours: Partial<CwBehaviours>) =>
    mapRecord(
      'adjustment',
      simExport([adjustment], behaviours),
      unpostedProcurementSchema.parse(adjustment),
      route,
      'ADJ-7501',
      String(adjustment.id),
      adjustment.id,
      'Inventory adjustment 7501',
    );

  it('without line ids (as in ConnectWise types) it is refused before anything is written, saying what is missing', () => {
    expect(codeOf(() => run({ adjustmentLineIds: 'absent' }))).toMatchObject({
      code: 'adjustment_entries_unknown',
      message: expect.stringContaining('names no GL entry ids'),
    });
  });

  it('with line ids sent, it is a balanced journal naming each entry', () => {
    const { document, glEntryIds } = run({ adjustmentLineIds: 'present' });
    expect(sumMinor((document as JournalDocument).lines.map((l) => l.amountMinor))).toBe(0n);
    expect(glEntryIds).toEqual(adjustment.lines.map((l) => l.id));
  });
});
