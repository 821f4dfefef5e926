import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 12 (audit): once ConnectWise has committed a write (a GL batch, a payment), nothing the
 * product parses from its answer may leave the record unknown or make the write twice. The CW
 * simulator commits the write and then answers its 2xx status with a body the product cannot read
 * (fault `replace_body_after_write`): not JSON, or JSON whose fields have the wrong types.
 *
 * Everything a batch commit needs (the export preview, the GL entry ids) is read before it, so the
 * batch answer is not read at all (client.ts createBatch); a payment's answer is read for its id
 * only, and an unreadable one is ambiguous, so the next try finds the payment on the invoice.
 */
const unreadable = [
  ['not JSON', '<html>Service temporarily degraded</html>'],
  ['JSON with wrong types', '{"id":"9x","transactions":"none","amount":"600.00"}'],
] as const;

describe('a CW answer that cannot be read after the write was committed', () => {
  let world: PipelineWorld;
  let nextId = 9700;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
  });
  afterAll(() => world?.close());
  afterEach(async () => {
    await fetch(`${world.cw.url}/__sim/faults`, { method: 'DELETE' });
  });

  const push = async (cwId: number) => {
    const res = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      `/api/v1/records/invoice/${cwId}/sync`,
    );
    expect(res.status).toBe(202);
  };

  it.each(unreadable)(
    'batch commit answered with %s: synced, one batch, one document',
    async (_, body) => {
      const cwId = nextId++;
      const number = `AC-${cwId}`;
      await world.seedInvoices([invoice(cwId, number)]);
      await world.fault('cw', {
        method: 'POST',
        path: '*/finance/accounting/batches',
        kind: 'replace_body_after_write',
        body,
      });
      await push(cwId);
      const view = await world.waitForState(cwId, ['synced', 'error'], 45_000);
      expect(view.error).toBeNull();
      expect(view.state).toBe('synced');
      expect(await world.pendingFaults()).toEqual([]);
      const batches = (await world.cwState()).batches.filter((b) => b.batchIdentifier === `LP-${number}`);
      expect(batches).toHaveLength(1);
      expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === number)).toHaveLength(1);
    },
    60_000,
  );

  it.each(unreadable)(
    'payment answered with %s: one CW payment, written with its id',
    async (_, body) => {
      const cwId = nextId++;
      await world.seedInvoices([invoice(cwId, `AP-${cwId}`)]);
      await push(cwId);
      const ledgerId = (await world.waitForState(cwId, ['synced'])).ledger!.id;
      await world.ledgerSim.recordPayment(ledgerId, '600.00');
      await world.fault('cw', {
        method: 'POST',
        path: '*/finance/invoices/*/payments',
        kind: 'replace_body_after_write',
        body,
      });
      await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
      // The sweep that met the unreadable answer stops unsure; its retry finds the payment in CW.
      await expect
        .poll(async () => (await world.record(cwId)).body.payments, { timeout: 45_000, interval: 500 })
        .toEqual([expect.objectContaining({ amount: '600.00', state: 'written' })]);
      expect(await world.pendingFaults()).toEqual([]);
      const written = (await world.cwState()).payments.filter((p) => p.invoice.id === cwId);
      expect(written).toHaveLength(1);
      const view = (await world.record(cwId)).body;
      expect(view.payments[0].cwPaymentId).toBe(written[0]!.id);
    },
    90_000,
  );
});
