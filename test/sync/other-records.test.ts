import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPushJob } from '../../server/pipeline/push-job.js';
import { refreshRecord } from '../../server/pipeline/refresh-record.js';
import { buildExpense, buildProcurement } from '../../sim/connectwise/fixtures.js';
import { DyingRecordStore } from '../support/dying-record-store.js';
import { otherRecordMappings, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

describe.each(['qbo', 'xero'] as const)('expenses, purchases and adjustments to %s', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.addMappings(otherRecordMappings[kind]);
    // The adjustments below are pushed as if CW sent line ids (not in its types); the default, without
    // them, is refused (see the test of that below and test/sync/purchase-fidelity.test.ts).
    world.cw.sim.state.behaviours.adjustmentLineIds = 'present';
    // Freight (5200) and purchase tax (1500) accounts of the real-shaped purchases.
    await world.addMappings(
      kind === 'qbo'
        ? [
            ['gl_account', '5200', '6'],
            ['gl_account', '1500', '7'],
          ]
        : [
            ['gl_account', '5200', '310'],
            ['gl_account', '1500', '429'],
            // Xero books purchase tax per code on the lines (its return reads it there): the
            // purchases' CW tax code, mapped to a purchase tax type.
            ['tax_code', 'Purchase', 'INPUT'],
          ],
    );
  });
  afterAll(() => world.close());

  const batchesNamed = async (identifier: string) =>
    (await world.cwState()).batches.filter((b) => b.batchIdentifier === identifier);
  const numbered = async (type: 'bill' | 'journal', number: string) =>
    (await world.ledgerDocuments(type)).filter((d) => d.number === number);

  it('a reimbursable expense becomes one bill to the member, then its own CW batch', async () => {
    await world.seedOther({ expenses: [buildExpense({ id: 8101, amount: 86.4, type: 'Mileage' })] });
    expect((await world.pushRecord('expense', 8101)).status).toBe(202);
    const view = await world.waitForRecord('expense', 8101, ['synced']);
    expect(view).toMatchObject({
      record: { type: 'expense', number: 'EXP-8101', total: '86.40', currency: 'USD' },
      cw: { batch: { identifier: 'LP-EXP-8101' } },
      ledger: { kind, number: 'EXP-8101', total: '86.40' },
      error: null,
    });
    expect(view.events.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['queued', 'exported', 'ledger_document', 'batched']),
    );
    expect(await numbered('bill', 'EXP-8101')).toHaveLength(1);
    expect(await batchesNamed('LP-EXP-8101')).toHaveLength(1);
  });

  it('a company-paid expense becomes one balanced journal', async () => {
    await world.seedOther({
      expenses: [buildExpense({ id: 8102, amount: 240, classification: 'NonReimbursable' })],
    });
    await world.pushRecord('expense', 8102);
    const view = await world.waitForRecord('expense', 8102, ['synced']);
    expect(view.ledger).toMatchObject({ kind, total: '240.00' });
    expect(await numbered('journal', 'EXP-8102')).toHaveLength(1);
    expect(await numbered('bill', 'EXP-8102')).toHaveLength(0);
    expect(await batchesNamed('LP-EXP-8102')).toHaveLength(1);
  });

  it('a purchase becomes one bill to the vendor under its vendor invoice number, with freight', async () => {
    await world.seedOther({
      procurement: [
        buildProcurement({
          id: 8201,
          procurementType: 'Purchase',
          vendorInvoiceNumber: 'TD-55120',
          lines: [
            { item: 'SW-24', quantity: 2, unitCost: 310.25 },
            { item: 'CABLE', quantity: 10, unitCost: 4.99 },
          ],
          freight: 18.5,
        }),
      ],
    });
    await world.pushRecord('procurement', 8201);
    const view = await world.waitForRecord('procurement', 8201, ['synced']);
    expect(view).toMatchObject({
      record: { number: 'PUR-8201', total: '688.90' },
      cw: { batch: { identifier: 'LP-PUR-8201' } },
      ledger: { number: 'TD-55120', total: '688.90' },
    });
    const bills = await numbered('bill', 'TD-55120');
    expect(bills).toHaveLength(1);
    expect(bills[0]!.total).toBe(688.9);
    expect(await batchesNamed('LP-PUR-8201')).toHaveLength(1);
  });

  // The acceptance case of issue 12: a purchase shaped like a real GL export (descriptive export id,
  // credit lines under a positive total, freight as a PF line, purchase tax entries) ends right on the
  // ledger, and its batch names every GL entry so nothing is left unposted in CW.
  for (const freight of ['line', 'header-only'] as const) {
    for (const purchaseExportId of ['descriptive', 'product-id'] as const) {
      it(`a real-shaped purchase (freight ${freight}, export id ${purchaseExportId}) ends right`, async () => {
        const state = world.cw.sim.state;
        Object.assign(state.behaviours, { freight, purchaseExportId });
        const cwId = 8210 + (freight === 'line' ? 0 : 2) + (purchaseExportId === 'descriptive' ? 0 : 1);
        const purchase = buildProcurement({
          id: cwId,
          procurementType: 'Purchase',
          packingSlip: `PS-${cwId}`,
          vendorInvoiceNumber: `TD-${cwId}`,
          lines: [
            { item: 'SW-24', quantity: 2, unitCost: 310.25 },
            { item: 'CABLE', quantity: 10, unitCost: 4.99 },
          ],
          freight: 18.5,
          tax: 11.2,
          taxCode: { id: 13, name: 'Purchase' },
        });
        await world.seedOther({ procurement: [purchase] });
        try {
          await world.pushRecord('procurement', cwId);
          const view = await world.waitForRecord('procurement', cwId, ['synced']);
          expect(view).toMatchObject({
            record: { number: `PUR-${cwId}`, total: '700.10' },
            cw: { batch: { identifier: `LP-PUR-${cwId}` } },
            ledger: { number: `TD-${cwId}`, total: '700.10' },
            error: null,
          });
          const bills = await numbered('bill', `TD-${cwId}`);
          expect(bills).toHaveLength(1);
          expect(bills[0]!.total).toBe(700.1);
          // Every GL entry of the purchase (items, freight when it has one, tax) is in its one batch.
          expect(await batchesNamed(`LP-PUR-${cwId}`)).toHaveLength(1);
          const unposted = await world.cw.sim.state.procurement.get(cwId);
          expect(unposted?.glBatch?.name).toBe(`LP-PUR-${cwId}`);
        } finally {
          Object.assign(state.behaviours, { freight: 'line', purchaseExportId: 'descriptive' });
        }
      });
    }
  }

  it('an adjustment exported without GL entry ids (as in ConnectWise types) is refused, nothing written', async () => {
    const state = world.cw.sim.state;
    state.behaviours.adjustmentLineIds = 'absent';
    try {
      await world.seedOther({
        procurement: [buildProcurement({ id: 8303, procurementType: 'Adjustment', total: 30 })],
      });
      await world.pushRecord('adjustment', 8303);
      const failed = await world.waitForRecord('adjustment', 8303, ['error']);
      expect(failed.error).toMatchObject({ code: 'adjustment_entries_unknown', retryable: false });
      expect(failed.error!.hint).toContain('Accounting Interface');
      expect(await numbered('journal', 'ADJ-8303')).toHaveLength(0);
      expect(await batchesNamed('LP-ADJ-8303')).toHaveLength(0);
    } finally {
      state.behaviours.adjustmentLineIds = 'present';
    }
  });

  it('an inventory adjustment becomes one journal', async () => {
    await world.seedOther({
      procurement: [
        buildProcurement({
          id: 8301,
          procurementType: 'Adjustment',
          description: 'Cycle count March',
          lines: [
            { item: 'SW-24', quantity: 2, unitCost: 150 },
            { item: 'CABLE', quantity: -5, unitCost: 4 },
          ],
        }),
      ],
    });
    await world.pushRecord('adjustment', 8301);
    const view = await world.waitForRecord('adjustment', 8301, ['synced']);
    expect(view.cw.batch!.identifier).toBe('LP-ADJ-8301');
    expect(await numbered('journal', 'ADJ-8301')).toHaveLength(1);
    expect(await batchesNamed('LP-ADJ-8301')).toHaveLength(1);
  });

  it('an unmapped GL account ends in error with its hint, and syncs after the fix', async () => {
    await world.seedOther({ expenses: [buildExpense({ id: 8103, amount: 12, accountNumber: '6150' })] });
    await world.pushRecord('expense', 8103);
    const failed = await world.waitForRecord('expense', 8103, ['error']);
    expect(failed.error).toMatchObject({
      code: 'gl_account_unmapped',
      retryable: false,
      hint: expect.stringContaining('Mappings'),
    });
    expect(failed.error!.message).toContain('6150');
    expect(await batchesNamed('LP-EXP-8103')).toHaveLength(0);
    await world.addMappings([['gl_account', '6150', kind === 'qbo' ? '7' : '453']]);
    await world.pushRecord('expense', 8103);
    const synced = await world.waitForRecord('expense', 8103, ['synced']);
    expect(synced.error).toBeNull();
    expect(await numbered('bill', 'EXP-8103')).toHaveLength(1);
  });

  it("an adjustment with ' in its description is refused like CW does, and syncs once corrected", async () => {
    const quoted = buildProcurement({
      id: 8302,
      procurementType: 'Adjustment',
      description: "Bob's recount",
      total: 40,
    });
    await world.seedOther({ procurement: [quoted] });
    await world.pushRecord('adjustment', 8302);
    const failed = await world.waitForRecord('adjustment', 8302, ['error']);
    expect(failed.error).toMatchObject({
      code: 'invalid_batch_character',
      hint: expect.stringContaining("'"),
    });
    expect(await numbered('journal', 'ADJ-8302')).toHaveLength(0);
    await world.seedOther({ procurement: [{ ...quoted, description: 'Bob recount' }] });
    await world.pushRecord('adjustment', 8302);
    await world.waitForRecord('adjustment', 8302, ['synced']);
    expect(await numbered('journal', 'ADJ-8302')).toHaveLength(1);
    expect(await batchesNamed('LP-ADJ-8302')).toHaveLength(1);
  });

  // Every external call of the push, each failing once in every way it can: one bill, one batch.
  const calls = [
    { name: 'CW unposted read', target: 'cw', method: 'GET', path: '*/finance/accounting/unposted*' },
    { name: 'CW GL export', target: 'cw', method: 'POST', path: '*/finance/accounting/export' },
    {
      name: 'ledger bill create',
      target: 'ledger',
      method: kind === 'qbo' ? 'POST' : 'PUT',
      path: kind === 'qbo' ? '/v3/company/*/bill' : '/api.xro/2.0/Invoices',
      writes: true,
    },
    {
      name: 'CW batch create',
      target: 'cw',
      method: 'POST',
      path: '*/finance/accounting/batches',
      writes: true,
    },
  ] as const;
  const faults = ['timeout', 'http500', 'drop_response_after_write'] as const;
  let nextFaultId = 8600;
  for (const call of calls) {
    for (const fault of faults) {
      if (fault === 'drop_response_after_write' && !('writes' in call)) continue;
      it(`${call.name} failing with ${fault} leaves exactly one bill and one batch`, async () => {
        const cwId = nextFaultId++;
        await world.seedOther({ expenses: [buildExpense({ id: cwId, amount: 55.55 })] });
        await world.fault(call.target, {
          method: call.method,
          path: call.path,
          kind: fault,
          times: 1,
          delayMs: 5_000,
        });
        await world.pushRecord('expense', cwId);
        const view = await world.waitForRecord('expense', cwId, ['synced'], 60_000);
        expect(view.error).toBeNull();
        expect(await numbered('bill', `EXP-${cwId}`)).toHaveLength(1);
        expect(await batchesNamed(`LP-EXP-${cwId}`)).toHaveLength(1);
        // The fault was met: this push really made the call and survived its failure.
        expect(await world.pendingFaults()).toEqual([]);
      });
    }
  }

  it('a lost answer to the CW batch create of a purchase leaves exactly one bill and one batch', async () => {
    await world.seedOther({
      procurement: [buildProcurement({ id: 8202, procurementType: 'Purchase', total: 120 })],
    });
    await world.fault('cw', {
      method: 'POST',
      path: '*/finance/accounting/batches',
      kind: 'drop_response_after_write',
      times: 1,
    });
    await world.pushRecord('procurement', 8202);
    const view = await world.waitForRecord('procurement', 8202, ['synced'], 60_000);
    expect(view.error).toBeNull();
    expect(await numbered('bill', 'VI-8202')).toHaveLength(1);
    expect(await batchesNamed('LP-PUR-8202')).toHaveLength(1);
  });

  it('reversed in CW (its batch deleted), a refresh sees it unposted; pushed again, it updates the same bill', async () => {
    await world.seedOther({
      procurement: [
        buildProcurement({
          id: 8501,
          procurementType: 'Purchase',
          vendorInvoiceNumber: 'VI-8501',
          total: 120,
        }),
      ],
    });
    await world.pushRecord('procurement', 8501);
    const synced = await world.waitForRecord('procurement', 8501, ['synced']);
    const deps = world.workerDeps();
    const refresh = () =>
      refreshRecord(deps, {
        tenantId: world.tenant.id,
        type: 'procurement',
        cwId: 8501,
        reason: 'manual',
        syncIfClosed: false,
      });
    // Still batched in CW: a refresh changes nothing.
    await refresh();
    expect((await world.recordOf('procurement', 8501)).body.state).toBe('synced');

    const [batch] = await batchesNamed('LP-PUR-8501');
    expect(synced.cw.batch).toMatchObject({ identifier: 'LP-PUR-8501' });
    await deps.connectWise.for(world.tenant).deleteBatch(batch!.id);
    await refresh();
    const reversed = (await world.recordOf('procurement', 8501)).body;
    expect(reversed).toMatchObject({
      state: 'unposted',
      cw: { batch: null },
      ledger: { id: synced.ledger!.id },
    });
    expect(reversed.events.map((e: { kind: string }) => e.kind)).toContain('reversed_in_connectwise');

    await world.pushRecord('procurement', 8501);
    const again = await world.waitForRecord('procurement', 8501, ['synced']);
    expect(again.ledger!.id).toBe(synced.ledger!.id);
    expect(await numbered('bill', 'VI-8501')).toHaveLength(1);
    expect(await batchesNamed('LP-PUR-8501')).toHaveLength(1);
  });

  it('a refresh of an id CW holds as the other procurement type leaves no record behind', async () => {
    await world.seedOther({
      procurement: [buildProcurement({ id: 8502, procurementType: 'Adjustment', total: 5 })],
    });
    await refreshRecord(world.workerDeps(), {
      tenantId: world.tenant.id,
      type: 'procurement',
      cwId: 8502,
      reason: 'manual',
      syncIfClosed: false,
    });
    expect((await world.recordOf('procurement', 8502)).status).toBe(404);
  });

  for (const [index, dieAfter] of (['exported', 'pushed'] as const).entries()) {
    it(`a worker killed right after persisting "${dieAfter}" resumes without a duplicate`, async () => {
      const cwId = 8401 + index;
      await world.seedOther({
        procurement: [buildProcurement({ id: cwId, procurementType: 'Adjustment', total: 75 })],
      });
      const deps = world.workerDeps();
      const job = { tenantId: world.tenant.id, type: 'adjustment' as const, cwId, actor: 'test' };
      await expect(
        runPushJob({ ...deps, records: new DyingRecordStore(deps.db, dieAfter) }, job, {
          retryCount: 0,
          retryLimit: 8,
        }),
      ).rejects.toThrow(/worker killed/);
      await runPushJob(deps, job, { retryCount: 1, retryLimit: 8 });
      await world.waitForRecord('adjustment', cwId, ['synced']);
      expect(await numbered('journal', `ADJ-${cwId}`)).toHaveLength(1);
      expect(await batchesNamed(`LP-ADJ-${cwId}`)).toHaveLength(1);
    });
  }
});
