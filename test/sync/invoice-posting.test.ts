import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGlEntryIds } from '../../server/connectwise/gl-entry-ids.js';
import { invoiceSchema } from '../../server/connectwise/schemas.js';
import { invoicePosting } from '../../server/pipeline/invoice-posting.js';
import type { PushCheck } from '../../server/pipeline/push-check.js';
import { refreshRecord } from '../../server/pipeline/refresh-record.js';
import type { CwBehaviours } from '../../sim/connectwise/state.js';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/*
 * Whether an invoice is posted in ConnectWise, as the refresh and the check before a push tell it
 * (server/pipeline/invoice-posting.ts): by CW's unposted list and our own batch, with the invoice's
 * `glBatch` only a hint, since CW's Invoice type has no such field (CwBehaviours.invoiceGlBatch, a
 * guess: docs/conformance.md). Each answer holds under either behaviour of the simulator.
 */
describe.each<CwBehaviours['invoiceGlBatch']>(['absent', 'present'])(
  'an invoice posted in ConnectWise, glBatch %s',
  (invoiceGlBatch) => {
    let world: PipelineWorld;
    const base = invoiceGlBatch === 'absent' ? 9400 : 9500;
    beforeAll(async () => {
      world = await startPipelineWorld('qbo');
      world.cw.sim.state.behaviours.invoiceGlBatch = invoiceGlBatch;
      await world.seedInvoices([
        invoice(base + 1, `IP-${base + 1}`),
        invoice(base + 2, `IP-${base + 2}`),
        invoice(base + 3, `IP-${base + 3}`),
      ]);
    });
    afterAll(() => world?.close());

    const cw = () => world.workerDeps().connectWise.for(world.tenant);
    const refresh = (cwId: number) =>
      refreshRecord(world.workerDeps(), {
        tenantId: world.tenant.id,
        type: 'invoice',
        cwId,
        reason: 'manual',
        syncIfClosed: false,
      });
    const check = async (cwId: number) => {
      const res = await api(
        world.pod.url,
        world.token.accountant,
        'POST',
        `/api/v1/records/invoice/${cwId}/check`,
        {},
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.check as PushCheck;
    };
    const synced = async (cwId: number) => {
      expect((await world.pushRecord('invoice', cwId)).status).toBe(202);
      return world.waitForState(cwId, ['synced'], 45_000);
    };
    const eventKinds = (view: { events: { kind: string }[] }) => view.events.map((e) => e.kind);

    it('a synced invoice still in its batch stays synced on a refresh; its batch deleted in CW, it is seen as reversed', async () => {
      const cwId = base + 1;
      const first = await synced(cwId);
      await refresh(cwId);
      const kept = await world.waitForState(cwId, ['synced']);
      expect(eventKinds(kept)).not.toContain('reversed_in_connectwise');

      const [batch] = await cw().listBatches(`batchIdentifier="LP-IP-${cwId}"`);
      await cw().deleteBatch(batch!.id);
      await refresh(cwId);
      const reversed = await world.waitForState(cwId, ['unposted']);
      expect(reversed).toMatchObject({ cw: { batch: null }, ledger: { id: first.ledger!.id } });
      expect(eventKinds(reversed)).toContain('reversed_in_connectwise');

      // Pushed again: the same document updated, one batch.
      const again = await synced(cwId);
      expect(again.ledger!.id).toBe(first.ledger!.id);
      expect(
        (await world.cwState()).batches.filter((b) => b.batchIdentifier === `LP-IP-${cwId}`),
      ).toHaveLength(1);
    });

    it('the check: a closed unposted invoice is not posted; synced in our batch, it is posted', async () => {
      const cwId = base + 2;
      expect(await check(cwId)).toMatchObject({ posted: false, problems: [] });
      await synced(cwId);
      expect(await check(cwId)).toEqual({ posted: true, problems: [], document: null });
    });

    it('the check on an invoice batched by someone else: posted where CW says so, otherwise not exported', async () => {
      const cwId = base + 3;
      const glExport = await cw().exportInvoice(cwId);
      await cw().createBatch({
        batchIdentifier: `OTHER-${cwId}`,
        processedRecordIds: parseGlEntryIds(glExport.transactions?.[0]?.glEntryIds),
        exportInvoicesFlag: true,
        exportExpensesFlag: false,
        exportProductsFlag: false,
      });
      const result = await check(cwId);
      // Without glBatch, CW's documented reads cannot tell someone else's batch from missing GL
      // entries (the invoice is neither listed nor exported): the check says what a push meets.
      if (invoiceGlBatch === 'present')
        expect(result).toEqual({ posted: true, problems: [], document: null });
      else
        expect(result).toMatchObject({
          posted: false,
          problems: [expect.objectContaining({ code: 'gl_entries_missing' })],
        });
    });
  },
);

describe('glBatch read as a hint only', () => {
  const neverCalled = {
    getUnposted: () => Promise.reject(new Error('not asked')),
    findBatch: () => Promise.reject(new Error('not asked')),
  };
  it('an invoice whose glBatch has another shape is read, the hint ignored; one in the documented shape says posted', async () => {
    const odd = invoiceSchema.parse({ id: 1, invoiceNumber: 'INV-1', type: 'Standard', glBatch: 'LP-INV-1' });
    expect(odd.glBatch).toBeUndefined();
    expect(await invoicePosting(neverCalled, odd, 'hint')).toEqual({ state: 'unknown' });
    const hinted = invoiceSchema.parse({
      id: 1,
      invoiceNumber: 'INV-1',
      type: 'Standard',
      glBatch: { id: 4, name: 'LP-INV-1' },
    });
    expect(await invoicePosting(neverCalled, hinted, { ownBatch: 'LP-INV-1' })).toEqual({ state: 'posted' });
  });
});
