import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 12: integration vendors report ConnectWise takes one payment per invoice (Zynk updates the
 * existing one; domain.md §8); CW's own API types list many. Unverified either way, so the CW
 * simulator acts either way (behaviours.paymentsPerInvoice) and the tenant chooses
 * (cwPaymentsPerInvoice). Two ledger payments of one invoice, end to end through the simulators and
 * the real SDKs, under each combination that matters.
 */
describe.each(['qbo', 'xero'] as const)('ConnectWise payments per invoice (%s)', (kind) => {
  let world: PipelineWorld;
  let nextId = kind === 'qbo' ? 9800 : 9850;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
  });
  afterAll(() => world?.close());
  afterEach(async () => {
    await fetch(`${world.cw.url}/__sim/faults`, { method: 'DELETE' });
  });

  const setUp = async (cw: 'many' | 'one', setting: 'many' | 'one') => {
    world.cw.sim.state.behaviours.paymentsPerInvoice = cw;
    const res = await api(world.pod.url, world.token.admin, 'PUT', '/api/v1/settings', {
      cwPaymentsPerInvoice: setting,
    });
    expect(res.status).toBe(200);
    expect(res.body.settings.cwPaymentsPerInvoice).toBe(setting);
    const cwId = nextId++;
    await world.seedInvoices([invoice(cwId, `OP-${cwId}`)]);
    await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/sync`);
    const ledgerId: string = (await world.waitForState(cwId, ['synced'])).ledger!.id;
    return { cwId, ledgerId };
  };
  const syncPayments = async (since?: string) => {
    const res = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      '/api/v1/payments/sync',
      since ? { since } : {},
    );
    expect(res.status).toBe(202);
  };
  const cwPayments = async (cwId: number) =>
    (await world.cwState()).payments.filter((p) => p.invoice.id === cwId);
  const paymentStates = (cwId: number) =>
    expect.poll(
      async () =>
        ((await world.record(cwId)).body.payments as { state: string; amount: string }[])
          .map((p) => `${p.amount} ${p.state}`)
          .sort(),
      { timeout: 45_000, interval: 500 },
    );

  it('CW takes many, setting many: a CW payment per ledger payment', async () => {
    const { cwId, ledgerId } = await setUp('many', 'many');
    await world.ledgerSim.recordPayment(ledgerId, '300.00');
    await world.ledgerSim.recordPayment(ledgerId, '200.00');
    await syncPayments();
    await paymentStates(cwId).toEqual(['200.00 written', '300.00 written']);
    expect((await cwPayments(cwId)).map((p) => p.amount).sort()).toEqual([200, 300]);
  });

  it('CW takes one, setting many: the second is refused with a hint naming the setting; set to one, it is added', async () => {
    const { cwId, ledgerId } = await setUp('one', 'many');
    await world.ledgerSim.recordPayment(ledgerId, '300.00');
    await syncPayments();
    await paymentStates(cwId).toEqual(['300.00 written']);
    await world.ledgerSim.recordPayment(ledgerId, '200.00');
    await syncPayments();
    await paymentStates(cwId).toEqual(['200.00 error', '300.00 written']);
    const refused = (await world.record(cwId)).body.events.find(
      (e: { kind: string }) => e.kind === 'payment_refused',
    );
    expect(refused.detail.message).toMatch(/already has a payment/);
    expect((await cwPayments(cwId)).map((p) => p.amount)).toEqual([300]);

    // The admin follows the hint; the refused payment goes into the existing CW payment.
    const res = await api(world.pod.url, world.token.admin, 'PUT', '/api/v1/settings', {
      cwPaymentsPerInvoice: 'one',
    });
    expect(res.status).toBe(200);
    await syncPayments(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
    await paymentStates(cwId).toEqual(['200.00 written', '300.00 written']);
    expect((await cwPayments(cwId)).map((p) => p.amount)).toEqual([500]);
  });

  it('CW takes one, setting one: one CW payment holding both, exactly once when an update answer is lost', async () => {
    const { cwId, ledgerId } = await setUp('one', 'one');
    await world.ledgerSim.recordPayment(ledgerId, '300.00');
    await syncPayments();
    await paymentStates(cwId).toEqual(['300.00 written']);
    const first = (await cwPayments(cwId))[0]!;
    expect(first.amount).toBe(300);

    await world.ledgerSim.recordPayment(ledgerId, '200.00');
    // The update lands in CW but its answer is lost: the retry replaces the amount with the same sum.
    await world.fault('cw', {
      method: 'PATCH',
      path: '*/finance/invoices/*/payments/*',
      kind: 'drop_response_after_write',
      times: 1,
    });
    await syncPayments();
    await paymentStates(cwId).toEqual(['200.00 written', '300.00 written']);
    expect(await world.pendingFaults()).toEqual([]);
    expect(await cwPayments(cwId)).toEqual([expect.objectContaining({ id: first.id, amount: 500 })]);
    const view = (await world.record(cwId)).body;
    expect(view.payments.map((p: { cwPaymentId: number }) => Number(p.cwPaymentId))).toEqual([
      first.id,
      first.id,
    ]);
    expect(view.state).toBe('partly_paid');
  });

  it.runIf(kind === 'qbo')(
    'CW takes one, setting one: a payment voided in the ledger is taken out of the single CW payment',
    async () => {
      const { cwId, ledgerId } = await setUp('one', 'one');
      await world.ledgerSim.recordPayment(ledgerId, '300.00');
      await world.ledgerSim.recordPayment(ledgerId, '200.00');
      await syncPayments();
      await paymentStates(cwId).toEqual(['200.00 written', '300.00 written']);
      expect((await cwPayments(cwId)).map((p) => p.amount)).toEqual([500]);

      const state = (await (await fetch(`${world.ledgerSim.url}/__sim/state`)).json()) as any;
      const second = (state.realms[world.ledgerSim.externalId].Payment as any[]).find(
        (p) =>
          p.TotalAmt === 200 && p.Line?.some((l: any) => l.LinkedTxn?.some((t: any) => t.TxnId === ledgerId)),
      );
      const voided = await fetch(
        `${world.ledgerSim.url}/__sim/realms/${world.ledgerSim.externalId}/payments/${second.Id}/void`,
        { method: 'POST' },
      );
      expect(voided.status).toBe(200);
      await syncPayments();
      await paymentStates(cwId).toEqual(['200.00 voided', '300.00 written']);
      expect((await cwPayments(cwId)).map((p) => p.amount)).toEqual([300]);
      const note = (await world.record(cwId)).body.events.find(
        (e: { kind: string }) => e.kind === 'payment_voided_in_ledger',
      );
      expect(note.detail).toMatchObject({ removedFromConnectWise: true, amount: '200.00' });
    },
    120_000,
  );
});
