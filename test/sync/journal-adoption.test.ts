import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger } from '../../server/ledgers/ledger.js';
import { runPushJob } from '../../server/pipeline/push-job.js';
import { buildProcurement } from '../../sim/connectwise/fixtures.js';
import { otherRecordMappings, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Issue 12: a worker that dies right after the ledger created its journal, before the record heard
 * of it, leaves a journal the next attempt finds by number and must adopt as its own. QBO answers a
 * JournalEntry without TotalAmt and Xero lists manual journals without their lines (domain.md §8),
 * so the total that proves it ours must come from the lines.
 */
describe.each(['qbo', 'xero'] as const)('a journal adopted after a crash, on %s', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    // An adjustment is pushed only when CW's export names its GL entries (unpublished either way;
    // without them the push is refused before anything is written: other-records.test.ts).
    world.cw.sim.state.behaviours.adjustmentLineIds = 'present';
    await world.addMappings(otherRecordMappings[kind]);
  });
  afterAll(() => world?.close());

  it('ends right: one journal, adopted, and one CW batch', async () => {
    const cwId = 8701;
    await world.seedOther({
      procurement: [buildProcurement({ id: cwId, procurementType: 'Adjustment', total: 75 })],
    });
    const deps = world.workerDeps();
    // The ledger call goes through; the worker dies before anything records it.
    const dying = {
      for(connection: Parameters<typeof deps.ledgers.for>[0]): Ledger {
        const ledger = deps.ledgers.for(connection);
        return {
          ...ledger,
          async create(...args: Parameters<Ledger['create']>) {
            await ledger.create(...args);
            throw new Error('worker killed after the ledger create');
          },
        };
      },
    };
    const job = { tenantId: world.tenant.id, type: 'adjustment' as const, cwId, actor: 'test' };
    await expect(
      runPushJob({ ...deps, ledgers: dying }, job, { retryCount: 0, retryLimit: 8 }),
    ).rejects.toThrow(/worker killed/);
    const journals = () =>
      world.ledgerDocuments('journal').then((all) => all.filter((d) => d.number === `ADJ-${cwId}`));
    const [created] = await journals();
    expect(created).toBeDefined();

    await runPushJob(deps, job, { retryCount: 1, retryLimit: 8 });
    const view = await world.waitForRecord('adjustment', cwId, ['synced']);
    expect(view.error).toBeNull();
    expect(view.ledger).toMatchObject({ kind, id: created!.id, total: '75.00' });
    expect(await journals()).toHaveLength(1);
    expect(
      (await world.cwState()).batches.filter((b) => b.batchIdentifier === `LP-ADJ-${cwId}`),
    ).toHaveLength(1);
  });
});
