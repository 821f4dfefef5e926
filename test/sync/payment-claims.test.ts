import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsDepsFor } from '../../server/payments/payment-jobs.js';
import { syncPaymentsBack } from '../../server/payments/payments-back.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Two writers of one ledger payment (a sweep and a webhook's read, say) while ConnectWise takes
 * longer to write it than a claim lives unrenewed: the first keeps its claim, so the second finds
 * the payment written instead of taking the row over, finding nothing on the invoice yet, and
 * writing a second payment.
 */
describe.each(['qbo', 'xero'] as const)('a payment claim through a slow ConnectWise write (%s)', (kind) => {
  let world: PipelineWorld;
  let ledgerId: string;
  beforeAll(async () => {
    // The product's own schedule stays out of it; CW's slow answer is waited for, not timed out.
    world = await startPipelineWorld(kind, { env: { PAYMENTS_CHECK_MINUTES: '0', CW_TIMEOUT_MS: '20000' } });
    await world.seedInvoices([invoice(8701, 'CLM-8701')]);
    await world.pushRecord('invoice', 8701);
    ledgerId = (await world.waitForState(8701, ['synced'])).ledger!.id;
  });
  afterAll(() => world.close());

  it('the second writer waits for the first and finds its payment: one payment in ConnectWise', async () => {
    await world.ledgerSim.recordPayment(ledgerId, '1082.50');
    await world.fault('cw', {
      method: 'POST',
      path: '*/finance/invoices/*/payments',
      kind: 'slow',
      delayMs: 3_000,
    });
    const found = await paymentsDepsFor(world.workerDeps(), {
      tenantId: world.tenant.id,
      connectionId: world.connection.id,
    });
    // A claim that lapses after 600 ms unrenewed: the slow write outlives it five times over.
    const back = { ...found!.back, claimStaleMs: 600 };
    const since = new Date(Date.now() - 86_400_000);
    const [first, second] = await Promise.all([syncPaymentsBack(back, since), syncPaymentsBack(back, since)]);

    expect(first.written + second.written).toBe(1);
    const cwPayments = (await world.cwState()).payments.filter((p) => p.invoice.id === 8701);
    expect(cwPayments).toHaveLength(1);
    expect(cwPayments[0]!.amount).toBe(1082.5);
    const rows = await world.pod.database.db
      .selectFrom('payments')
      .select(['state', 'cw_payment_id', 'claimed_at'])
      .where('tenant_id', '=', world.tenant.id)
      .execute();
    expect(rows).toEqual([{ state: 'written', cw_payment_id: String(cwPayments[0]!.id), claimed_at: null }]);
  });
});
