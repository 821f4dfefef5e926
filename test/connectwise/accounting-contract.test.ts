import type { components } from 'connectwise-rest/dist/ManageTypes.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AccountingBatch,
  type CallbackEntry,
  ConnectWiseError,
  type GlTransaction,
  glExportSchema,
  type HostedSetup,
  type Invoice,
  type Member,
  type Payment,
  parseGlEntryIds,
  type UnpostedInvoice,
} from '../../server/connectwise/index.js';
import { buildExpense, buildInvoiceWithGl, buildProcurement, seedWith } from '../../sim/connectwise/index.js';
import { type SimAndClient, startSimAndClient } from './support.js';

type Cw = components['schemas'];
type Assignable<Ours extends Theirs, Theirs> = Ours extends Theirs ? true : never;

const invoice = buildInvoiceWithGl({
  number: 'INV-100',
  lines: [
    { description: 'Managed services', quantity: 1, unitPrice: 1200 },
    { description: 'Onsite labor', quantity: 2.5, unitPrice: 95.5, taxable: false },
  ],
  taxRate: 8.25,
});
const creditMemo = buildInvoiceWithGl({
  number: 'CM-100',
  type: 'CreditMemo',
  lines: [{ description: 'Refund', quantity: 1, unitPrice: 100 }],
  taxRate: 10,
});
const piped = buildInvoiceWithGl({
  number: 'INV|7',
  lines: [{ description: 'x', quantity: 1, unitPrice: 5 }],
});
const open = buildInvoiceWithGl({
  number: 'INV-OPEN',
  closed: false,
  lines: [{ description: 'x', quantity: 1, unitPrice: 5 }],
});
const expense = buildExpense({ total: 42.1 });
const adjustment = buildProcurement({
  procurementType: 'Adjustment',
  total: 10,
  description: "Bob's recount",
});
const purchase = buildProcurement({ procurementType: 'Purchase', total: 300, packingSlip: 'PS-1' });

describe('simulator accounting contract', () => {
  let cw: SimAndClient;
  beforeEach(async () => {
    cw = await startSimAndClient(
      seedWith([invoice, creditMemo, piped, open], {
        expenses: [expense],
        procurement: [adjustment, purchase],
      }),
    );
  });
  afterEach(() => cw.close());

  it('keeps schema outputs assignable to the connectwise-rest wire types', () => {
    // Compile-time: tsc fails here if a schema drifts from CW's own types.
    const checks: [
      Assignable<Invoice, Cw['Invoice']>,
      Assignable<UnpostedInvoice, Cw['UnpostedInvoice']>,
      Assignable<GlTransaction, Cw['GLExportTransaction']>,
      Assignable<AccountingBatch, Cw['AccountingBatch']>,
      Assignable<HostedSetup, Cw['ConnectWiseHostedSetup']>,
      Assignable<Member, Cw['MyMember']>,
      Assignable<Payment, Cw['Payment']>,
      Assignable<CallbackEntry, Cw['CallbackEntry']>,
    ] = [true, true, true, true, true, true, true, true];
    expect(checks.every(Boolean)).toBe(true);
  });

  it('lists closed records with GL entries and no batch as unposted', async () => {
    const unposted = await cw.client.listUnposted('invoices');
    expect(unposted.map((u) => u.invoiceNumber).sort()).toEqual(['CM-100', 'INV-100', 'INV|7']);
    expect(await cw.client.countUnposted('invoices', 'invoiceNumber like "INV%"')).toBe(2);
    expect(await cw.client.getUnposted('invoices', open.invoice.id)).toBeNull();
    expect((await cw.client.listUnposted('expenses')).map((e) => e.id)).toEqual([expense.id]);
    expect((await cw.client.listUnposted('procurement')).map((p) => p.procurementType)).toEqual([
      'Adjustment',
      'Purchase',
    ]);
  });

  it('exports invoices in CW sign convention without marking anything', async () => {
    const exported = await cw.client.exportGl({
      includedInvoiceIds: [invoice.invoice.id, creditMemo.invoice.id],
    });
    const [inv, cm] = exported.transactions ?? [];
    expect(inv).toMatchObject({
      documentNumber: 'INV-100',
      documentType: 'INVOICE',
      total: 1537.75,
      salesTax: 99,
    });
    expect(inv?.detail?.map((d) => [d.glTypeId, d.quantity, d.total])).toEqual([
      ['RP', -1, -1200],
      ['RP', -2.5, -238.75],
      ['ST', -1, -99],
    ]);
    expect(cm).toMatchObject({ documentType: 'CREDIT MEMO', total: -110 });
    expect(cm?.detail?.map((d) => [d.glTypeId, d.total])).toEqual([
      ['RP', 100],
      ['ST', 10],
    ]);
    expect(parseGlEntryIds(inv?.glEntryIds)).toEqual(invoice.entryIds);
    expect(await cw.client.countUnposted('invoices')).toBe(3);

    const other = await cw.client.exportGl({
      includedExpenseIds: [expense.id],
      includedProductIds: [String(adjustment.id), String(purchase.id)],
    });
    expect(other.expenseBills).toHaveLength(1);
    expect(other.adjustmentTransactions).toHaveLength(1);
    expect(other.purchaseTransactions).toHaveLength(1);
  });

  it('moves a record out of unposted with a batch and back with its reversal', async () => {
    const [tx] = (await cw.client.exportGl({ includedInvoiceIds: [invoice.invoice.id] })).transactions ?? [];
    const ids = parseGlEntryIds(tx?.glEntryIds);
    // The product reads nothing of this answer (client.ts createBatch); the simulator's is checked raw.
    const answer = await cw.raw('/finance/accounting/batches', {
      method: 'POST',
      body: JSON.stringify({
        batchIdentifier: 'LP-INV-100',
        processedRecordIds: ids,
        exportInvoicesFlag: true,
      }),
    });
    expect(answer.status).toBe(201);
    expect(glExportSchema.parse(await answer.json()).transactions?.[0]?.documentNumber).toBe('INV-100');
    expect(await cw.client.getUnposted('invoices', invoice.invoice.id)).toBeNull();
    const batch = await cw.client.findBatch('LP-INV-100');
    // The invoice's GET names its batch only under the guessed 'present' (CwBehaviours.invoiceGlBatch).
    expect((await cw.client.getInvoice(invoice.invoice.id))?.glBatch).toBeUndefined();
    cw.sim.state.behaviours.invoiceGlBatch = 'present';
    expect((await cw.client.getInvoice(invoice.invoice.id))?.glBatch).toEqual({
      id: batch?.id,
      name: 'LP-INV-100',
    });

    await cw.client.deleteBatch(batch!.id);
    expect((await cw.client.getUnposted('invoices', invoice.invoice.id))?.invoiceNumber).toBe('INV-100');
    expect((await cw.client.getInvoice(invoice.invoice.id))?.glBatch).toBeUndefined();
    cw.sim.state.behaviours.invoiceGlBatch = 'absent';
    expect(await cw.client.listBatches()).toEqual([]);
  });

  it('refuses batches CW refuses', async () => {
    const refusal = async (request: { batchIdentifier: string; processedRecordIds: number[] }) => {
      try {
        await cw.client.createBatch(request);
      } catch (error) {
        expect(error).toBeInstanceOf(ConnectWiseError);
        return (error as ConnectWiseError).errors[0]?.message ?? (error as ConnectWiseError).message;
      }
      throw new Error('expected a refusal');
    };
    await cw.client.createBatch({ batchIdentifier: 'B-1', processedRecordIds: creditMemo.entryIds });
    expect(await refusal({ batchIdentifier: 'b-1', processedRecordIds: invoice.entryIds })).toMatch(
      /already used/,
    );
    expect(await refusal({ batchIdentifier: 'x'.repeat(51), processedRecordIds: invoice.entryIds })).toMatch(
      /50/,
    );
    expect(await refusal({ batchIdentifier: 'B-2', processedRecordIds: piped.entryIds })).toMatch(
      /invalid character \|/,
    );
    expect(
      await refusal({ batchIdentifier: 'B-3', processedRecordIds: parseGlEntryIds(adjustment.glEntryIds) }),
    ).toMatch(/invalid character '/);
    expect(await refusal({ batchIdentifier: 'B-4', processedRecordIds: [999_999_999] })).toMatch(
      /does not exist/,
    );
    expect(await refusal({ batchIdentifier: 'B-5', processedRecordIds: creditMemo.entryIds })).toMatch(
      /already in a batch/,
    );
    expect(await cw.client.countUnposted('invoices')).toBe(2);
  });

  it('applies payments to the balance', async () => {
    await cw.client.createInvoicePayment(invoice.invoice.id, {
      amount: 500.1,
      paymentDate: '2024-04-01T00:00:00Z',
    });
    await cw.client.createInvoicePayment(invoice.invoice.id, {
      amount: 0.2,
      paymentDate: '2024-04-02T00:00:00Z',
    });
    const after = await cw.client.getInvoice(invoice.invoice.id);
    expect(after).toMatchObject({ payments: 500.3, balance: 1037.45 });
    expect((await cw.client.listInvoicePayments(invoice.invoice.id)).map((p) => p.amount)).toEqual([
      500.1, 0.2,
    ]);
    const over = cw.client.createInvoicePayment(invoice.invoice.id, {
      amount: 5000,
      paymentDate: '2024-04-03T00:00:00Z',
    });
    await expect(over).rejects.toMatchObject({ code: 'cw_invalid_request' });
  });

  it('answers list errors like CW', async () => {
    const big = await cw.raw('/finance/invoices?pageSize=1001');
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ code: 'InvalidObject' });
    const bad = await cw.raw(`/finance/invoices?conditions=${encodeURIComponent('id ~ 3')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'InvalidObject', errors: [{ field: 'conditions' }] });
    const noClient = await cw.raw('/finance/invoices', { headers: { clientId: '' } });
    expect(noClient.status).toBe(400);
  });
});
