import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CwBehaviours } from '../../sim/connectwise/state.js';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 12: a payment voided in QuickBooks Online stays in CDC zeroed with a "Voided" note. It must
 * come back as voided on the record and be taken out of ConnectWise, audited. Whether QBO keeps a
 * voided payment's lines is not published, so this runs under both simulator behaviours. Nor is
 * whether ConnectWise refuses to delete a payment on an invoice already in a GL batch (every synced
 * invoice is): under 'refused' the record says so, with what to do by hand, and CW keeps the payment.
 */
describe.each<['zeroed' | 'cleared', CwBehaviours['batchedPaymentDelete'], number]>([
  ['zeroed', 'allowed', 8101],
  ['cleared', 'allowed', 8102],
  ['zeroed', 'refused', 8103],
])(
  'a payment voided in QBO (lines %s, CW delete of a batched payment %s)',
  (voidedPaymentLines, batchedPaymentDelete, cwId) => {
    let world: PipelineWorld;
    let ledgerId: string;

    beforeAll(async () => {
      world = await startPipelineWorld('qbo');
      world.cw.sim.state.behaviours.batchedPaymentDelete = batchedPaymentDelete;
      const res = await fetch(`${world.ledgerSim.url}/__sim/behaviour`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ voidedPaymentLines }),
      });
      expect(await res.json()).toEqual({ voidedPaymentLines });
      await world.seedInvoices([
        invoice(cwId, `VOID-${cwId}`, {
          lines: [{ description: 'Support block', quantity: 1, unitPrice: 1000, accountNumber: '4000' }],
        }),
      ]);
      await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/sync`);
      ledgerId = (await world.waitForState(cwId, ['synced'])).ledger!.id;
    });
    afterAll(() => world?.close());

    const syncPayments = async () => {
      const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
      expect(res.status).toBe(202);
    };
    const cwPayments = async () => (await world.cwState()).payments.filter((p) => p.invoice.id === cwId);

    const removed = batchedPaymentDelete === 'allowed';
    it(`ends right: the CW payment is ${removed ? 'removed' : 'kept, the refusal said'}, audited, and the record shows the payment voided`, async () => {
      await world.ledgerSim.recordPayment(ledgerId, '1082.50');
      await syncPayments();
      const paid = await world.waitFor(
        cwId,
        (v) => v.state === 'paid' && v.payments.some((p: { state: string }) => p.state === 'written'),
        'paid with its payment written',
      );
      expect(await cwPayments()).toHaveLength(1);

      const state = (await (await fetch(`${world.ledgerSim.url}/__sim/state`)).json()) as any;
      const payment = (state.realms[world.ledgerSim.externalId].Payment as any[]).find((p) =>
        p.Line?.some((l: any) => l.LinkedTxn?.some((t: any) => t.TxnId === ledgerId)),
      );
      const voided = await fetch(
        `${world.ledgerSim.url}/__sim/realms/${world.ledgerSim.externalId}/payments/${payment.Id}/void`,
        { method: 'POST' },
      );
      expect(voided.status).toBe(200);
      expect((await voided.json()).Payment).toMatchObject({
        TotalAmt: 0,
        PrivateNote: expect.stringMatching(/^Voided/),
      });

      await syncPayments();
      const view = await world.waitFor(
        cwId,
        (v) => v.state === 'synced' && v.payments.some((p: { state: string }) => p.state === 'voided'),
        'back to synced with the payment voided',
      );
      expect(view.payments).toEqual([
        expect.objectContaining({ id: paid.payments[0]!.id, state: 'voided', amount: '1082.50' }),
      ]);
      const note = view.events.find((e: { kind: string }) => e.kind === 'payment_voided_in_ledger');
      expect(note?.detail).toMatchObject({
        ledgerPaymentId: payment.Id,
        cwPaymentId: paid.payments[0]!.cwPaymentId,
        removedFromConnectWise: removed,
        amount: '1082.50',
        ...(removed
          ? {}
          : {
              message: expect.stringMatching(/^ConnectWise refused to remove payment \d+: /),
              hint: 'Remove the payment from the invoice in ConnectWise by hand (or reverse its batch first).',
            }),
      });
      expect(await cwPayments()).toHaveLength(removed ? 0 : 1);
      expect(view.ledger!.balance).toBe('1082.50');
    });
  },
);
