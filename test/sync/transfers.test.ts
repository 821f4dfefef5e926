import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPushJob } from '../../server/pipeline/push-job.js';
import { refreshRecord } from '../../server/pipeline/refresh-record.js';
import { buildProcurement } from '../../sim/connectwise/fixtures.js';
import { DyingRecordStore } from '../support/dying-record-store.js';
import { otherRecordMappings, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Inventory transfers (CW procurement type `Transfer`, the GLExport's `inventoryTransfers`) booked as
 * journals through the real SDKs: QBO JournalEntry, Xero ManualJournal; each in its own CW batch.
 */
describe.each(['qbo', 'xero'] as const)('inventory transfers to %s', (kind) => {
  let world: PipelineWorld;
  // The test charts have one inventory account; the second warehouse's (1410) maps to another.
  const secondWarehouse = kind === 'qbo' ? '5' : '610';
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.addMappings([...otherRecordMappings[kind], ['gl_account', '1410', secondWarehouse]]);
  });
  afterAll(() => world.close());

  const batchesNamed = async (identifier: string) =>
    (await world.cwState()).batches.filter((b) => b.batchIdentifier === identifier);
  const journals = async (number: string) =>
    (await world.ledgerDocuments('journal')).filter((d) => d.number === number);
  /** The journal's lines as account and signed amount (debits positive), read from the simulator. */
  const journalLines = async (number: string) => {
    const state = (await world.ledgerSim.control('GET', '/__sim/state')) as any;
    if (kind === 'qbo') {
      const realm = Object.values(state.realms)[0] as Record<string, any[]>;
      const entry = (realm.JournalEntry ?? []).find((j) => j.DocNumber === number);
      return (entry?.Line ?? []).map((l: any) => [
        l.JournalEntryLineDetail.AccountRef.value,
        (l.JournalEntryLineDetail.PostingType === 'Debit' ? 1 : -1) * Number(l.Amount),
      ]);
    }
    const books = Object.values(state.tenants)[0] as Record<string, any[]>;
    const journal = (books.ManualJournals ?? []).find((j) => String(j.Narration).startsWith(`${number}: `));
    return (journal?.JournalLines ?? []).map((l: any) => [l.AccountCode, Number(l.LineAmount)]);
  };
  const transfer = (id: number) =>
    buildProcurement({
      id,
      procurementType: 'Transfer',
      description: 'Stock to the branch',
      lines: [
        { item: 'SW-24', quantity: 2, unitCost: 150 },
        { item: 'CABLE', quantity: 10, unitCost: 4.25 },
      ],
    });

  it('a transfer is booked as one balanced journal, then its own CW batch of products', async () => {
    const seeded = transfer(9101);
    await world.seedOther({ procurement: [seeded] });
    expect((await world.pushRecord('transfer', 9101)).status).toBe(202);
    const view = await world.waitForRecord('transfer', 9101, ['synced']);
    expect(view).toMatchObject({
      record: { type: 'transfer', number: 'TRF-9101', total: '342.50' },
      cw: { batch: { identifier: 'LP-TRF-9101' } },
      ledger: { kind, number: 'TRF-9101' },
      error: null,
    });
    const [journal, ...more] = await journals('TRF-9101');
    expect(more).toHaveLength(0);
    expect(journal?.total).toBe(342.5);
    const inventory = kind === 'qbo' ? '8' : '630';
    expect(await journalLines('TRF-9101')).toEqual([
      [secondWarehouse, 300],
      [inventory, -300],
      [secondWarehouse, 42.5],
      [inventory, -42.5],
    ]);
    const [batch, ...others] = await batchesNamed('LP-TRF-9101');
    expect(others).toHaveLength(0);
    // A product batch, naming every GL entry of the transfer (each item's and its offset's).
    expect(batch).toMatchObject({
      exportProductsFlag: true,
      exportInvoicesFlag: false,
      exportExpensesFlag: false,
    });
    const posted = [...world.cw.sim.state.batches.values()].find((b) => b.id === batch!.id);
    expect([...(posted?.entryIds ?? [])].sort()).toEqual(seeded.glEntryIds.split(',').map(Number).sort());
    expect(world.cw.sim.state.procurement.get(9101)?.glBatch?.name).toBe('LP-TRF-9101');
  });

  it('an id CW holds as a transfer is not pushed as an adjustment, and a refresh as one leaves no record', async () => {
    await world.seedOther({ procurement: [transfer(9102)] });
    await world.pushRecord('adjustment', 9102);
    const failed = await world.waitForRecord('adjustment', 9102, ['error']);
    expect(failed.error).toMatchObject({ code: 'cw_record_not_found' });
    expect(failed.error!.message).toContain('transfer');
    await refreshRecord(world.workerDeps(), {
      tenantId: world.tenant.id,
      type: 'procurement',
      cwId: 9102,
      reason: 'manual',
      syncIfClosed: false,
    });
    expect((await world.recordOf('procurement', 9102)).status).toBe(404);
    await world.pushRecord('transfer', 9102);
    await world.waitForRecord('transfer', 9102, ['synced']);
    expect(await journals('TRF-9102')).toHaveLength(1);
  });

  // Every write of the push failing once in every way it can, and a worker killed between steps:
  // one journal, one batch.
  const writes = [
    {
      name: 'ledger journal create',
      target: 'ledger',
      method: kind === 'qbo' ? 'POST' : 'PUT',
      path: kind === 'qbo' ? '/v3/company/*/journalentry' : '/api.xro/2.0/ManualJournals',
    },
    { name: 'CW batch create', target: 'cw', method: 'POST', path: '*/finance/accounting/batches' },
  ] as const;
  let nextId = 9200;
  for (const call of writes) {
    for (const fault of ['timeout', 'http500', 'drop_response_after_write'] as const) {
      it(`${call.name} failing with ${fault} leaves exactly one journal and one batch`, async () => {
        const cwId = nextId++;
        await world.seedOther({ procurement: [transfer(cwId)] });
        await world.fault(call.target, {
          method: call.method,
          path: call.path,
          kind: fault,
          times: 1,
          delayMs: 5_000,
        });
        await world.pushRecord('transfer', cwId);
        const view = await world.waitForRecord('transfer', cwId, ['synced'], 60_000);
        expect(view.error).toBeNull();
        expect(await journals(`TRF-${cwId}`)).toHaveLength(1);
        expect(await batchesNamed(`LP-TRF-${cwId}`)).toHaveLength(1);
        expect(await world.pendingFaults()).toEqual([]);
      });
    }
  }
  for (const [index, dieAfter] of (['exported', 'pushed'] as const).entries()) {
    it(`a worker killed right after persisting "${dieAfter}" resumes without a duplicate`, async () => {
      const cwId = 9301 + index;
      await world.seedOther({ procurement: [transfer(cwId)] });
      const deps = world.workerDeps();
      const job = { tenantId: world.tenant.id, type: 'transfer' as const, cwId, actor: 'test' };
      await expect(
        runPushJob({ ...deps, records: new DyingRecordStore(deps.db, dieAfter) }, job, {
          retryCount: 0,
          retryLimit: 8,
        }),
      ).rejects.toThrow(/worker killed/);
      await runPushJob(deps, job, { retryCount: 1, retryLimit: 8 });
      await world.waitForRecord('transfer', cwId, ['synced']);
      expect(await journals(`TRF-${cwId}`)).toHaveLength(1);
      expect(await batchesNamed(`LP-TRF-${cwId}`)).toHaveLength(1);
    });
  }
});
