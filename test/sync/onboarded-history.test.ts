import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerKind } from '../../server/ledgers/ledger.js';
import { discoverUnposted, sweepUnposted } from '../../server/pipeline/sweep-jobs.js';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/*
 * Issue 14 item 1: onboarded history never reaches the books by accident. Real product, real CW
 * and ledger simulators over HTTP, real workers; each ledger in turn.
 */

const old = (id: number, number: string, date = '2023-06-01T00:00:00Z') => invoice(id, number, { date });
const cutoff = '2023-12-31';
const onboardingInput = { batchPrefix: 'OB-', cutoffDate: cutoff, recordTypes: ['invoice', 'credit_memo'] };

async function waitForRun(world: PipelineWorld, id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = (await api(world.pod.url, world.token.admin, 'GET', `/api/v1/onboarding/${id}`)).body;
    if (status.state === 'done') return status;
    if (Date.now() > deadline) throw new Error(`onboarding run never done: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.each<LedgerKind>(['qbo', 'xero'])('onboarded history with %s', (kind) => {
  let world: PipelineWorld;
  let runId: string;
  /** The identifiers of CW's batches for one invoice number, whatever their prefix. */
  const batchesOf = async (number: string): Promise<string[]> =>
    (await world.cwState()).batches
      .map((b: { batchIdentifier: string }) => b.batchIdentifier)
      .filter((identifier: string) => identifier.endsWith(number));

  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.seedInvoices([old(7001, 'OLD|7'), old(7002, 'OLD-8', '2023-06-02T00:00:00Z')]);
    const started = await api(
      world.pod.url,
      world.token.admin,
      'POST',
      '/api/v1/onboarding',
      onboardingInput,
    );
    expect(started.status).toBe(202);
    runId = started.body.id;
    await waitForRun(world, runId);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('onboarded records carry their amounts, company and date', async () => {
    const view = (await world.record(7002)).body;
    expect(view).toMatchObject({
      state: 'onboarded',
      ledger: null,
      onboarding: { runId },
      record: { number: 'OLD-8', date: '2023-06-02', company: { name: expect.stringMatching(/\S/) } },
      cw: { batch: { identifier: 'OB-OLD-8' } },
    });
    expect(view.record.company.id).not.toBeNull();
    expect(Number(view.record.total)).toBeGreaterThan(0);
  });

  it('a failed onboarding, once fixed, is onboarded again on Retry: one CW batch, no ledger document', async () => {
    const failed = (await world.record(7001)).body;
    expect(failed).toMatchObject({
      state: 'error',
      onboarding: { runId },
      error: { code: 'invalid_batch_character' },
    });
    expect(failed.error.hint).toContain('Onboard again');
    expect(failed.error.hint).not.toMatch(/sync again|retry/i);

    // Fixed in ConnectWise: the number loses its |.
    const fixed = await fetch(`${world.cw.url}/__sim/invoices/7001`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ op: 'replace', path: '/invoiceNumber', value: 'OLD-7' }]),
    });
    expect(fixed.status).toBe(200);
    // The pod's Retry: the ordinary sync route, as an accountant.
    expect((await world.pushRecord('invoice', 7001)).status).toBe(202);
    const done = await world.waitForState(7001, ['onboarded', 'synced', 'error']);
    expect(done).toMatchObject({
      state: 'onboarded',
      ledger: null,
      cw: { batch: { identifier: 'OB-OLD-7' } },
    });
    expect(await batchesOf('OLD-7')).toEqual(['OB-OLD-7']);
    expect(await world.ledgerDocuments('invoice')).toEqual([]);

    // Asking again changes nothing anywhere.
    expect((await world.pushRecord('invoice', 7001)).status).toBe(202);
    await world.waitForStateInDb(7001, ['onboarded']);
    expect(await batchesOf('OLD-7')).toHaveLength(1);
    expect(await world.ledgerDocuments('invoice')).toEqual([]);
  });

  it("keeps the run: who, inputs, counts and duration, and each failure's current state", async () => {
    const list = await api(world.pod.url, world.token.admin, 'GET', '/api/v1/onboarding');
    expect(list.status).toBe(200);
    expect(list.body.runs).toEqual([
      expect.objectContaining({
        id: runId,
        state: 'done',
        inputs: expect.objectContaining({ batchPrefix: 'OB-', cutoffDate: cutoff }),
        startedBy: expect.stringMatching(/\S/),
        total: 2,
        done: 1,
        failed: 1,
        durationSeconds: expect.any(Number),
        finishedAt: expect.any(String),
      }),
    ]);
    const run = (await api(world.pod.url, world.token.admin, 'GET', `/api/v1/onboarding/${runId}`)).body;
    // Re-opened after the fix: the failure is kept, and shows where its record stands now.
    expect(run.errors).toEqual([
      expect.objectContaining({ cwId: 7001, code: 'invalid_batch_character', recordState: 'onboarded' }),
    ]);
    const accountant = await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/onboarding');
    expect(accountant.status).toBe(403);
  });

  it('a record dated on or before the cutoff is refused a push unless an admin confirms booking it', async () => {
    // Closed after the run (so never onboarded) but dated before its cutoff.
    await world.seedInvoices([old(7003, 'LATE-3', '2023-07-01T00:00:00Z')]);
    expect((await world.pushRecord('invoice', 7003)).status).toBe(202);
    const parked = await world.waitForState(7003, ['error', 'synced']);
    expect(parked).toMatchObject({
      state: 'error',
      ledger: null,
      error: { code: 'before_onboarding_cutoff' },
    });
    expect(parked.error!.message).toContain('2023-07-01');
    expect(await world.ledgerDocuments('invoice')).toEqual([]);

    // Known now to be old: refused at once, with what to do.
    const refused = await world.pushRecord('invoice', 7003);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'before_onboarding_cutoff',
      hint: expect.stringContaining('admin'),
    });

    const byAccountant = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      '/api/v1/records/invoice/7003/sync',
      {
        bookOld: true,
      },
    );
    expect(byAccountant.status).toBe(403);
    expect(byAccountant.body.error.code).toBe('book_old_admin_only');
    expect(byAccountant.body.error.message).toMatch(/only an admin/i);
    expect(await world.ledgerDocuments('invoice')).toEqual([]);

    const byAdmin = await api(world.pod.url, world.token.admin, 'POST', '/api/v1/records/invoice/7003/sync', {
      bookOld: true,
    });
    expect(byAdmin.status).toBe(202);
    const booked = await world.waitForState(7003, ['synced', 'error']);
    expect(booked.state).toBe('synced');
    expect((await world.ledgerDocuments('invoice')).map((d) => d.number)).toEqual(['LATE-3']);
    const events = await api(world.pod.url, world.token.admin, 'GET', '/api/v1/events?record=invoice:7003');
    expect(events.body.events).toContainEqual(
      expect.objectContaining({ kind: 'book_old_confirmed', actor: expect.stringMatching(/\S/) }),
    );
  });

  it('a bulk push skips old records (listing them) and pushes the rest', async () => {
    await world.seedInvoices([old(7004, 'LATE-4', '2023-08-01T00:00:00Z'), invoice(7100, 'NEW-100')]);
    await discoverUnposted(world.workerDeps(), world.tenant.id);
    const list = await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/records?limit=200');
    expect(list.body.onboardingCutoff).toBe(cutoff);
    const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/sync', {
      records: [
        { type: 'invoice', cwId: 7004 },
        { type: 'invoice', cwId: 7100 },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      queued: 1,
      refused: [expect.objectContaining({ cwId: 7004, number: 'LATE-4', code: 'before_onboarding_cutoff' })],
    });
    expect((await world.waitForState(7100, ['synced', 'error'])).state).toBe('synced');
    expect((await world.record(7004)).body.ledger).toBeNull();
    expect((await world.ledgerDocuments('invoice')).map((d) => d.number).sort()).toEqual([
      'LATE-3',
      'NEW-100',
    ]);
  });
  it('a sweep ("sync all" or the schedule) leaves old records alone, and onboards fixed failures again', async () => {
    await world.seedInvoices([old(7005, 'OLD|5'), invoice(7101, 'NEW-101')]);
    // A failure of a second run over the same cutoff, fixed before the sweep.
    const second = await api(world.pod.url, world.token.admin, 'POST', '/api/v1/onboarding', {
      ...onboardingInput,
      batchPrefix: 'OC-',
    });
    await waitForRun(world, second.body.id);
    expect((await world.record(7005)).body).toMatchObject({
      state: 'error',
      onboarding: { runId: second.body.id },
    });
    await fetch(`${world.cw.url}/__sim/invoices/7005`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ op: 'replace', path: '/invoiceNumber', value: 'OLD-5' }]),
    });
    // Closed after both runs: old, never onboarded.
    await world.seedInvoices([old(7006, 'LATE-6', '2023-09-01T00:00:00Z')]);
    await discoverUnposted(world.workerDeps(), world.tenant.id);
    const queued = await sweepUnposted(world.workerDeps(), { tenantId: world.tenant.id, actor: 'schedule' });
    // NEW-101 and the fixed OLD-5; LATE-6 (old, never onboarded) is not even tried.
    expect(queued).toBe(2);
    expect((await world.waitForState(7101, ['synced', 'error'])).state).toBe('synced');
    expect(await world.waitForState(7005, ['onboarded', 'error', 'synced'])).toMatchObject({
      state: 'onboarded',
      ledger: null,
      cw: { batch: { identifier: 'OC-OLD-5' } },
    });
    expect((await world.record(7006)).body).toMatchObject({ state: 'unposted', ledger: null, error: null });
    const numbers = (await world.ledgerDocuments('invoice')).map((d) => d.number).sort();
    expect(numbers).toEqual(['LATE-3', 'NEW-100', 'NEW-101']);
  });
});
