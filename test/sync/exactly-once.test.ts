import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runPushJob } from '../../server/sync/record-jobs.js';
import { api } from '../support/cw-tenant.js';
import { DyingRecordStore } from '../support/dying-record-store.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

type FaultKind = 'timeout' | 'http500' | 'drop_response_after_write';

/** Every external call a push makes, as a fault rule target. */
const calls = (kind: 'qbo' | 'xero') => [
  { name: 'CW invoice read', target: 'cw' as const, method: 'GET', path: '*/finance/invoices/*' },
  { name: 'CW GL export', target: 'cw' as const, method: 'POST', path: '*/finance/accounting/export' },
  {
    name: 'ledger party look-up',
    target: 'ledger' as const,
    method: 'GET',
    path: kind === 'qbo' ? '/v3/company/*/query' : '/api.xro/2.0/Contacts',
  },
  {
    name: 'ledger document create',
    target: 'ledger' as const,
    method: kind === 'qbo' ? 'POST' : 'PUT',
    path: kind === 'qbo' ? '/v3/company/*/invoice' : '/api.xro/2.0/Invoices',
  },
  {
    name: 'CW batch look-up',
    target: 'cw' as const,
    method: 'GET',
    path: '*/finance/accounting/batches',
    // Only a lost batch answer makes a push look its batch up: lose one first.
    before: { method: 'POST', path: '*/finance/accounting/batches', kind: 'drop_response_after_write' },
  },
  { name: 'CW batch create', target: 'cw' as const, method: 'POST', path: '*/finance/accounting/batches' },
];

const faultKinds: FaultKind[] = ['timeout', 'http500', 'drop_response_after_write'];

describe.each(['qbo', 'xero'] as const)('exactly once under faults (%s)', (kind) => {
  let world: PipelineWorld;
  let nextId = 6000;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
  }, 60_000);
  afterAll(() => world.close());
  // A rule the push never consumed must not leak into the next test.
  afterEach(async () => {
    for (const url of [world.cw.url, world.ledgerSim.url])
      await fetch(`${url}/__sim/faults`, { method: 'DELETE' });
  });

  async function assertExactlyOnce(cwId: number, number: string) {
    const view = await world.waitForState(cwId, ['synced'], 45_000);
    expect(view.error).toBeNull();
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === number)).toHaveLength(1);
    const batches = (await world.cwState()).batches.filter((b) => b.batchIdentifier === `LP-${number}`);
    expect(batches).toHaveLength(1);
  }

  for (const call of calls(kind)) {
    for (const fault of faultKinds) {
      // A lost answer only matters for a call that writes; for reads it is a reset connection.
      it(`${call.name}: ${fault}`, async () => {
        const cwId = nextId++;
        const number = `EO-${cwId}`;
        // A company of its own, so this push looks its party up (later pushes answer from the cache).
        const company = { id: cwId, identifier: `EO${cwId}`, name: `Exactly Once ${cwId}` };
        await world.seedInvoices([invoice(cwId, number, { company })]);
        if (call.before) await world.fault(call.target, { ...call.before, times: 1 });
        await world.fault(call.target, {
          method: call.method,
          path: call.path,
          kind: fault,
          times: 1,
          delayMs: 5_000,
        });
        const res = await api(
          world.pod.url,
          world.token.accountant,
          'POST',
          `/api/v1/records/invoice/${cwId}/sync`,
        );
        expect(res.status).toBe(202);
        await assertExactlyOnce(cwId, number);
        // The fault was met: this push really made the call and survived its failure.
        expect(await world.pendingFaults()).toEqual([]);
      }, 60_000);
    }
  }

  for (const dieAfter of ['exported', 'pushed', 'synced'] as const) {
    it(`a worker killed right after persisting "${dieAfter}" resumes without a duplicate`, async () => {
      const cwId = nextId++;
      const number = `EO-${cwId}`;
      await world.seedInvoices([invoice(cwId, number)]);
      const deps = world.workerDeps();
      const job = { tenantId: world.tenant.id, type: 'invoice' as const, cwId, actor: 'test' };
      const first = runPushJob({ ...deps, records: new DyingRecordStore(deps.db, dieAfter) }, job, {
        retryCount: 0,
        retryLimit: 8,
      });
      // Dying after the last step was stored leaves nothing to do; earlier, the job fails and is retried.
      if (dieAfter === 'synced') await first;
      else await expect(first).rejects.toThrow(/worker killed/);
      // The queue hands the job to another worker, which finishes it.
      await runPushJob(deps, job, { retryCount: 1, retryLimit: 8 });
      await assertExactlyOnce(cwId, number);
    }, 60_000);
  }
});
