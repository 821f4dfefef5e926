import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshRecord } from '../../server/pipeline/refresh-record.js';
import { post } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

const creditMemo = (id: number, number: string) =>
  invoice(id, number, {
    type: 'CreditMemo',
    lines: [{ description: 'Service credit', quantity: 1, unitPrice: 100, accountNumber: '4000' }],
  });

describe.each(['qbo', 'xero'] as const)('credit memo application to %s', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
  });
  afterAll(() => world.close());

  const deps = () => world.workerDeps();
  const refresh = (type: 'invoice' | 'credit_memo', cwId: number) =>
    refreshRecord(deps(), { tenantId: world.tenant.id, type, cwId, reason: 'manual', syncIfClosed: false });
  const applyInCw = (invoiceId: number, creditMemoId: number) =>
    post(world.cw.url, `/__sim/invoices/${invoiceId}/apply-credit`, { creditMemoId, date: '2024-05-20' });
  const ledgerInvoice = async (number: string) =>
    (await world.ledgerDocuments('invoice')).find((d) => d.number === number)!;
  const ledgerCredit = async (number: string) =>
    (await world.ledgerDocuments('credit_memo')).find((d) => d.number === number)!;
  const applications = () => world.pod.database.db.selectFrom('credit_applications').selectAll().execute();

  it('a credit memo applied in CW is applied once in the ledger, and both records show it', async () => {
    await world.seedInvoices([invoice(5101, 'INV-5101'), creditMemo(5102, 'CM-5102')]);
    await world.pushRecord('invoice', 5101);
    await world.pushRecord('credit_memo', 5102);
    await world.waitForRecord('invoice', 5101, ['synced']);
    await world.waitForRecord('credit_memo', 5102, ['synced']);

    await applyInCw(5101, 5102);
    await refresh('credit_memo', 5102);

    // 1658.93 less the credit memo's 108.25 (100 plus 8.25% tax).
    const credited = await ledgerInvoice('INV-5101');
    expect(credited.balance).toBe(1550.68);
    if (kind === 'xero') expect((await ledgerCredit('CM-5102')).links).toHaveLength(1);
    else expect(credited.links).toHaveLength(1);
    expect(await applications()).toEqual([
      expect.objectContaining({
        state: 'applied',
        amount_minor: '10825',
        ledger_application_id: expect.any(String),
      }),
    ]);

    const invoiceView = (await world.recordOf('invoice', 5101)).body;
    expect(invoiceView).toMatchObject({ state: 'partly_paid', ledger: { balance: '1550.68' } });
    const creditView = (await world.recordOf('credit_memo', 5102)).body;
    for (const view of [invoiceView, creditView]) {
      expect(view.events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'credit_applied',
            detail: expect.objectContaining({
              creditMemo: 'CM-5102',
              invoice: 'INV-5101',
              amountMinor: '10825',
            }),
          }),
        ]),
      );
    }

    // Applying twice (the invoice's refresh now, the credit memo's again) changes nothing.
    await refresh('invoice', 5101);
    await refresh('credit_memo', 5102);
    expect((await ledgerInvoice('INV-5101')).balance).toBe(1550.68);
    if (kind === 'xero') expect((await ledgerCredit('CM-5102')).links).toHaveLength(1);
    else expect((await ledgerInvoice('INV-5101')).links).toHaveLength(1);
    expect(await applications()).toHaveLength(1);
  });

  it('a credit memo applied in CW before it is pushed is applied right after its push', async () => {
    await world.seedInvoices([invoice(5201, 'INV-5201'), creditMemo(5202, 'CM-5202')]);
    await world.pushRecord('invoice', 5201);
    await world.waitForRecord('invoice', 5201, ['synced']);
    await applyInCw(5201, 5202);
    // The credit memo is not ours yet: nothing happens in the ledger.
    await refresh('invoice', 5201);
    expect((await ledgerInvoice('INV-5201')).balance).toBe(1658.93);

    await world.pushRecord('credit_memo', 5202);
    await world.waitForRecord('credit_memo', 5202, ['synced', 'paid', 'partly_paid']);
    // The ledger holds the credit a moment before the application row is marked applied (it is
    // 'applying' while the ledger call returns), so both are waited on.
    const appliedRows = async () =>
      (await applications()).filter((a) => a.amount_minor === '10825' && a.state === 'applied');
    const deadline = Date.now() + 20_000;
    while (
      ((await ledgerInvoice('INV-5201')).balance !== 1550.68 || (await appliedRows()).length < 2) &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await ledgerInvoice('INV-5201')).balance).toBe(1550.68);
    expect(await appliedRows()).toHaveLength(2);
  });

  const faults = ['timeout', 'http500', 'drop_response_after_write'] as const;
  for (const [index, fault] of faults.entries()) {
    it(`the ledger application failing with ${fault} is retried without a second application`, async () => {
      const [invoiceId, creditId] = [5301 + 2 * index, 5302 + 2 * index];
      const [invoiceNumber, creditNumber] = [`INV-${invoiceId}`, `CM-${creditId}`];
      await world.seedInvoices([invoice(invoiceId, invoiceNumber), creditMemo(creditId, creditNumber)]);
      await world.pushRecord('invoice', invoiceId);
      await world.pushRecord('credit_memo', creditId);
      await world.waitForRecord('invoice', invoiceId, ['synced']);
      await world.waitForRecord('credit_memo', creditId, ['synced']);
      await applyInCw(invoiceId, creditId);
      await world.fault('ledger', {
        method: kind === 'qbo' ? 'POST' : 'PUT',
        path: kind === 'qbo' ? '/v3/company/*/payment' : '/api.xro/2.0/CreditNotes/*/Allocations',
        kind: fault,
        times: 1,
        delayMs: 5_000,
      });
      // The first attempt fails (and is left to retry); a retry (this one or the product's own
      // refresh job, whichever claims the application) makes or finds the one application.
      await refresh('credit_memo', creditId).catch(() => undefined);
      await expect
        .poll(
          async () => {
            await refresh('credit_memo', creditId).catch(() => undefined);
            return (await ledgerInvoice(invoiceNumber)).balance;
          },
          { timeout: 30_000, interval: 1_000 },
        )
        .toBe(1550.68);
      if (kind === 'xero') expect((await ledgerCredit(creditNumber)).links).toHaveLength(1);
      else expect((await ledgerInvoice(invoiceNumber)).links).toHaveLength(1);
    });
  }
});
