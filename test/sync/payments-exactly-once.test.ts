import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

type FaultKind = 'timeout' | 'http500' | 'drop_response_after_write';
const faultKinds: FaultKind[] = ['timeout', 'http500', 'drop_response_after_write'];

/** The external calls of writing payments back: reading them from the ledger, writing them to CW. */
const calls = (kind: 'qbo' | 'xero') => [
  {
    name: 'ledger payments read',
    target: 'ledger' as const,
    method: 'GET',
    path: kind === 'qbo' ? '/v3/company/*/cdc' : '/api.xro/2.0/Payments',
  },
  { name: 'CW payment create', target: 'cw' as const, method: 'POST', path: '*/finance/invoices/*/payments' },
  {
    name: 'CW payments look-up',
    target: 'cw' as const,
    method: 'GET',
    path: '*/finance/invoices/*/payments',
  },
];

describe.each(['qbo', 'xero'] as const)('one CW payment per ledger payment under faults (%s)', (kind) => {
  let world: PipelineWorld;
  let nextId = 9600;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
  });
  afterAll(() => world.close());

  for (const call of calls(kind)) {
    for (const fault of faultKinds) {
      it(`${call.name}: ${fault}`, async () => {
        const cwId = nextId++;
        await world.seedInvoices([invoice(cwId, `PX-${cwId}`)]);
        await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/sync`);
        const ledgerId = (await world.waitForState(cwId, ['synced'])).ledger!.id;
        await world.ledgerSim.recordPayment(ledgerId, '600.00');
        await world.fault(call.target, {
          method: call.method,
          path: call.path,
          kind: fault,
          times: 1,
          delayMs: 5_000,
        });
        await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {});
        // The state follows the ledger's balance; the CW payment follows once the sweep gets through.
        await world.waitForState(cwId, ['partly_paid'], 45_000);
        await expect
          .poll(async () => (await world.record(cwId)).body.payments, { timeout: 45_000, interval: 500 })
          .toEqual([expect.objectContaining({ amount: '600.00', state: 'written' })]);
        const written = (await world.cwState()).payments.filter((p) => p.invoice.id === cwId);
        expect(written).toHaveLength(1);
        expect(written[0]!.amount).toBe(600);
      });
    }
  }
});
