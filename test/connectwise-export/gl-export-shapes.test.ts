import type { components } from 'connectwise-rest/dist/ManageTypes.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type GlExportAdjustmentTransaction,
  type GlExportExpenseBill,
  type GlExportPurchaseTransaction,
  glExportSchema,
  parseGlEntryIds,
} from '../../server/connectwise/index.js';
import { toMinor } from '../../server/shared/money.js';
import {
  buildExpense,
  buildProcurement,
  glAccounts,
  seedWith,
  techData,
} from '../../sim/connectwise/index.js';
import { type SimAndClient, startSimAndClient } from '../connectwise/support.js';

type Cw = components['schemas'];
type Assignable<Ours extends Theirs, Theirs> = Ours extends Theirs ? true : never;
const cents = (values: (number | null | undefined)[]) =>
  values.reduce((sum, v) => sum + toMinor(v ?? 0, 2), 0n);

const alice = { id: 201, identifier: 'alice', name: 'Alice Ray' };
const lunch = buildExpense({ amount: 42.1, member: alice, type: 'Meals', billable: true });
const taxi = buildExpense({ amount: 18.35, member: alice, type: 'Taxi', date: '2024-03-11T00:00:00Z' });
const cardPaid = buildExpense({ amount: 99.99, classification: 'NonReimbursable', type: 'Software' });
const purchase = buildProcurement({
  procurementType: 'Purchase',
  packingSlip: 'PS-77',
  purchaseOrder: 'PO-1042',
  vendorInvoiceNumber: 'TD-558812',
  freight: 12.5,
  lines: [
    { item: 'SSD-1TB', description: '1TB SSD', quantity: 3, unitCost: 89.99 },
    { item: 'CAB-CAT6', description: 'Cat6 cable 3m', quantity: 10, unitCost: 4.15 },
  ],
});
const shrinkage = buildProcurement({
  procurementType: 'Adjustment',
  description: 'Quarterly count',
  lines: [
    { item: 'SSD-1TB', quantity: -2, unitCost: 89.99 },
    { item: 'CAB-CAT6', quantity: 5, unitCost: 4.15 },
  ],
});
const legacy = buildProcurement({ procurementType: 'Purchase', total: 300, packingSlip: 'PS-1' });

describe('GLExport for expenses, purchases and inventory adjustments', () => {
  let cw: SimAndClient;
  beforeEach(async () => {
    cw = await startSimAndClient(
      seedWith([], { expenses: [lunch, taxi, cardPaid], procurement: [purchase, shrinkage, legacy] }),
    );
  });
  afterEach(() => cw.close());

  it('keeps the new schemas assignable to the connectwise-rest wire types', () => {
    const checks: [
      Assignable<GlExportExpenseBill, Cw['GLExportExpenseBill']>,
      Assignable<GlExportPurchaseTransaction, Cw['GLExportPurchaseTransaction']>,
      Assignable<GlExportAdjustmentTransaction, Cw['GLExportAdjustmentTransaction']>,
    ] = [true, true, true];
    expect(checks.every(Boolean)).toBe(true);
  });

  it("groups a member's reimbursable expenses into one bill with a debit line per entry", async () => {
    const gl = await cw.client.exportGl({ includedExpenseIds: [lunch.id, taxi.id, cardPaid.id] });
    expect(gl.expenseBills).toHaveLength(1);
    const bill = gl.expenseBills![0]!;
    expect(bill).toMatchObject({
      documentType: 'EXPENSE',
      member: alice,
      vendorNumber: 'alice',
      apAccountNumber: glAccounts.employeeReimbursements,
      total: 60.45,
      documentDate: '2024-03-11T00:00:00Z',
    });
    expect(
      // billable and expenseClass are not read by the product (a tolerant reader leaves them undeclared).
      bill.detail?.map((d) => {
        const wire = d as typeof d & { billable?: boolean; expenseClass?: { name?: string } };
        return [d.accountNumber, d.total, wire.billable, d.reimbursable, wire.expenseClass?.name];
      }),
    ).toEqual([
      [glAccounts.expenses, 42.1, true, true, 'Reimbursable'],
      [glAccounts.expenses, 18.35, false, true, 'Reimbursable'],
    ]);
    expect(cents(bill.detail!.map((d) => d.total))).toBe(toMinor(bill.total ?? 0, 2));
    // Every GL entry of both expenses is named on the bill, so one batch can post them.
    expect(bill.detail!.flatMap((d) => d.id)).toEqual([
      ...parseGlEntryIds(lunch.glEntryIds),
      ...parseGlEntryIds(taxi.glEntryIds),
    ]);
    expect(gl.vendors).toContainEqual(expect.objectContaining({ member: alice, vendorNumber: 'alice' }));

    const raw = (await (
      await cw.raw('/finance/accounting/export', {
        method: 'POST',
        body: JSON.stringify({ includedExpenseIds: [cardPaid.id] }),
      })
    ).json()) as { expenses: Record<string, unknown>[]; expenseBills: unknown[] };
    expect(raw.expenseBills).toEqual([]);
    expect(raw.expenses).toEqual([
      expect.objectContaining({
        accountNumber: glAccounts.expenses,
        apAccountNumber: glAccounts.accountsPayable,
        total: 99.99,
        offset: expect.objectContaining({ glTypeId: 'EO', total: -99.99 }),
      }),
    ]);
  });

  it('exports a purchase as a real export shows one: credit lines under a positive total, freight as a PF line', async () => {
    const gl = await cw.client.exportGl({ includedProductIds: [String(purchase.id)] });
    const bill = gl.purchaseTransactions?.[0];
    // The shape of zynksoftware/Zynk-Workflow's real REST export (test/conformance/connectwise/gl-export-procurement.json).
    expect(bill).toMatchObject({
      id: 'PO #PO-1042, Packing Slip: PS-77',
      documentNumber: 'PO-1042',
      company: techData,
      vendorNumber: techData.identifier,
      vendorInvoiceNumber: 'TD-558812',
      packingSlip: 'PS-77',
      apAccountNumber: glAccounts.accountsPayable,
      freightAmount: 12.5,
      total: 323.97,
      billingTermsXref: 'Net 30',
    });
    expect(
      bill?.purchaseDetail?.map((d) => [
        d.lineNumber,
        d.glTypeId,
        d.item?.identifier,
        d.quantity,
        d.cost,
        d.itemCost,
        d.total,
        d.accountNumber,
      ]),
    ).toEqual([
      [1, 'RP', 'SSD-1TB', -3, 269.97, 89.99, -269.97, glAccounts.inventory],
      [2, 'RP', 'CAB-CAT6', -10, 41.5, 4.15, -41.5, glAccounts.inventory],
      [3, 'PF', 'FREIGHT', -1, 12.5, 12.5, -12.5, glAccounts.freight],
    ]);
    // The lines (freight among them) mirror the header total; freightAmount repeats the PF line.
    expect(-cents(bill!.purchaseDetail!.map((d) => d.total))).toBe(toMinor(bill!.total ?? 0, 2));
    expect(bill!.purchaseDetail!.map((d) => d.id)).toEqual(parseGlEntryIds(purchase.glEntryIds));
    expect(gl.vendors).toContainEqual(
      expect.objectContaining({ vendor: techData, vendorNumber: 'TechData' }),
    );

    // The detail line ids are the GL entry ids a batch posts.
    await cw.client.createBatch({
      batchIdentifier: `LP-P-${purchase.id}`,
      exportProductsFlag: true,
      processedRecordIds: bill!.purchaseDetail!.map((d) => d.id!),
    });
    expect(await cw.client.getUnposted('procurement', purchase.id)).toBeNull();
  });

  it('keeps a purchase unposted while one of its GL entries (its tax) is left out of every batch', async () => {
    const taxed = buildProcurement({
      procurementType: 'Purchase',
      total: 100,
      tax: 8.25,
      packingSlip: 'PS-T',
    });
    cw.sim.state.seed({ procurement: [taxed] });
    const gl = await cw.client.exportGl({ includedProductIds: [String(taxed.id)] });
    const part = gl.purchaseTransactions![0]!;
    expect(part.purchaseDetailTax?.map((t) => [t.accountNumber, t.total])).toEqual([
      [glAccounts.purchaseTax, -8.25],
    ]);
    await cw.client.createBatch({
      batchIdentifier: `LP-P-${taxed.id}`,
      exportProductsFlag: true,
      processedRecordIds: part.purchaseDetail!.map((d) => d.id!),
    });
    expect(await cw.client.getUnposted('procurement', taxed.id)).not.toBeNull();
    await cw.client.createBatch({
      batchIdentifier: `LP-P-${taxed.id}-TAX`,
      exportProductsFlag: true,
      processedRecordIds: part.purchaseDetailTax!.map((d) => d.id!),
    });
    expect(await cw.client.getUnposted('procurement', taxed.id)).toBeNull();
  });

  it('exports an adjustment with signed quantities: stock removed is a credit, stock added a debit', async () => {
    const gl = await cw.client.exportGl({ includedProductIds: [String(shrinkage.id)] });
    const adjustment = gl.adjustmentTransactions?.[0];
    expect(adjustment).toMatchObject({
      documentType: 'ADJUSTMENT',
      glTypeID: 'IA',
      adjustmentDescription: 'Quarterly count',
      accountNumber: glAccounts.inventoryAdjustments,
    });
    expect(
      adjustment?.adjustmentDetail?.map((d) => [d.item?.identifier, d.quantity, d.cost, d.total]),
    ).toEqual([
      ['SSD-1TB', -2, 89.99, -179.98],
      ['CAB-CAT6', 5, 4.15, 20.75],
    ]);
    expect(shrinkage.total).toBe(-159.23);
    expect(
      adjustment?.adjustmentDetail?.every((d) => d.inventoryAccountNumber === glAccounts.inventory),
    ).toBe(true);
  });

  it('keeps item lines off the Accounting Interface list, which has no such field', async () => {
    const unposted = await cw.client.getUnposted('procurement', purchase.id);
    expect(unposted).toMatchObject({ procurementType: 'Purchase', total: 323.97, vendor: techData });
    expect(unposted).not.toHaveProperty('lines');
    expect(unposted).not.toHaveProperty('glEntryIds');
  });

  it('still serves a record seeded with only a total as one line carrying it', async () => {
    const raw = await (
      await cw.raw('/finance/accounting/export', {
        method: 'POST',
        body: JSON.stringify({ exportProductsFlag: true }),
      })
    ).json();
    const gl = glExportSchema.parse(raw);
    const old = gl.purchaseTransactions?.find((p) => p.packingSlip === 'PS-1');
    expect(old?.total).toBe(300);
    expect(old?.purchaseDetail?.map((d) => [d.quantity, d.total])).toEqual([[-1, -300]]);
  });
});
