import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, post } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';
import { jobsSettled } from '../support/wait.js';

describe.each(['qbo', 'xero'] as const)('payments back from %s', (kind) => {
  let world: PipelineWorld;
  const ledgerIds = new Map<number, string>();

  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    const simple = (id: number) =>
      invoice(id, `PAY-${id}`, {
        lines: [{ description: 'Support block', quantity: 1, unitPrice: 1000, accountNumber: '4000' }],
      });
    await world.seedInvoices([simple(8001), simple(8002), simple(8003)]);
    for (const cwId of [8001, 8002, 8003]) {
      await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/sync`);
      ledgerIds.set(cwId, (await world.waitForState(cwId, ['synced'])).ledger!.id);
    }
  });
  afterAll(() => world.close());

  const syncPayments = async () => {
    const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
    expect(res.status).toBe(202);
  };
  const paidWith = (state: string, written: number) => (view: any) =>
    view.state === state &&
    view.payments.filter((p: { state: string }) => p.state === 'written').length >= written;
  const cwPayments = async (cwId: number) =>
    (await world.cwState()).payments.filter((p) => p.invoice.id === cwId);

  it('writes a full payment to the CW invoice once, and the record turns paid', async () => {
    await world.ledgerSim.recordPayment(ledgerIds.get(8001)!, '1082.50');
    await syncPayments();
    const view = await world.waitFor(8001, paidWith('paid', 1), 'paid with its payment written');
    expect(view.payments).toEqual([
      expect.objectContaining({ amount: '1082.50', state: 'written', cwPaymentId: expect.any(Number) }),
    ]);
    expect(view.ledger!.balance).toBe('0.00');
    // Another sweep, and another, changes nothing in ConnectWise.
    await syncPayments();
    await syncPayments();
    // Until the work that request queued has run (at least the old quiet window): nothing more may follow.
    await jobsSettled(world.pod.database.db, 2_000);
    expect(await cwPayments(8001)).toHaveLength(1);
    expect((await cwPayments(8001))[0]!.amount).toBe(1082.5);
  });

  it('writes partial payments one by one, and the record turns partly paid then paid', async () => {
    await world.ledgerSim.recordPayment(ledgerIds.get(8002)!, '500.00');
    await syncPayments();
    const partly = await world.waitFor(
      8002,
      paidWith('partly_paid', 1),
      'partly paid with its payment written',
    );
    expect(partly.ledger!.balance).toBe('582.50');
    await world.ledgerSim.recordPayment(ledgerIds.get(8002)!, '582.50');
    await syncPayments();
    const paid = await world.waitFor(8002, paidWith('paid', 2), 'paid with both payments written');
    expect(paid.payments.map((p: { amount: string }) => p.amount).sort()).toEqual(['500.00', '582.50']);
    expect((await cwPayments(8002)).map((p) => p.amount).sort()).toEqual([500, 582.5]);
  });

  it('reports a payment deleted in the ledger on the record instead of ignoring it', async () => {
    await world.ledgerSim.recordPayment(ledgerIds.get(8003)!, '200.00');
    await syncPayments();
    const partly = await world.waitFor(
      8003,
      paidWith('partly_paid', 1),
      'partly paid with its payment written',
    );
    const paymentId = await ledgerPaymentIdOf(world, kind, ledgerIds.get(8003)!);
    if (kind === 'qbo') {
      await fetch(`${world.ledgerSim.url}/__sim/realms/${world.ledgerSim.externalId}/payments/${paymentId}`, {
        method: 'DELETE',
      });
    } else {
      await post(
        world.ledgerSim.url,
        `/__sim/tenants/${world.ledgerSim.externalId}/payments/${paymentId}/delete`,
        {},
      );
    }
    await syncPayments();
    const view = await world.waitFor(
      8003,
      // The event is part of what is waited for: on a busy machine it can land a moment after the state.
      (v) =>
        v.state === 'synced' &&
        v.payments.some((p: { state: string }) => p.state === 'deleted') &&
        v.events.some((e) => e.kind === 'payment_deleted_in_ledger'),
      'back to synced with the payment marked deleted and the deletion reported',
    );
    expect(view.payments).toEqual([
      expect.objectContaining({ id: partly.payments[0]!.id, state: 'deleted' }),
    ]);
    expect(view.events.map((e: { kind: string }) => e.kind)).toContain('payment_deleted_in_ledger');
    const note = view.events.find((e: { kind: string }) => e.kind === 'payment_deleted_in_ledger');
    expect((note?.detail as { hint?: string } | undefined)?.hint).toContain('ConnectWise');
    // Written back: the CW payment we wrote is removed, so CW's balance agrees with the books.
    expect(note?.detail).toMatchObject({
      removedFromConnectWise: true,
      cwPaymentId: partly.payments[0]!.cwPaymentId,
    });
    expect(await cwPayments(8003)).toEqual([]);
  });

  it('re-runs from a date without writing anything twice', async () => {
    const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {
      since: '2020-01-01',
    });
    expect(res.body).toEqual({ queued: true, connections: 1 });
    // Until the work that request queued has run (at least the old quiet window): nothing more may follow.
    await jobsSettled(world.pod.database.db, 3_000);
    expect(await cwPayments(8001)).toHaveLength(1);
    expect(await cwPayments(8002)).toHaveLength(2);
    const bad = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {
      since: 'last week',
    });
    expect(bad.status).toBe(400);
    expect((await api(world.pod.url, world.token.viewer, 'POST', '/api/v1/payments/sync', {})).status).toBe(
      403,
    );
  });
});

/** The ledger's own id of the (only) payment on a document, read from the simulator's state. */
async function ledgerPaymentIdOf(
  world: PipelineWorld,
  kind: 'qbo' | 'xero',
  documentId: string,
): Promise<string> {
  const state = (await (await fetch(`${world.ledgerSim.url}/__sim/state`)).json()) as any;
  if (kind === 'qbo') {
    const payments = state.realms[world.ledgerSim.externalId].Payment as any[];
    return payments.find((p) =>
      p.Line?.some((l: any) => l.LinkedTxn?.some((t: any) => t.TxnId === documentId)),
    ).Id;
  }
  const payments = state.tenants[world.ledgerSim.externalId].Payments as any[];
  return payments.find((p) => p.Invoice?.InvoiceID === documentId).PaymentID;
}
