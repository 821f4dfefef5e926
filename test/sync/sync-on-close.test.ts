import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../../server/connectwise/index.js';
import { invoiceReadMaxAgeMs, runPushJob, youngInvoiceRead } from '../../server/pipeline/push-job.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';
import { jobsSettled } from '../support/wait.js';

describe('the invoice read a sync-on-close push starts from', () => {
  const now = new Date('2026-11-22T06:00:00Z');
  const read = (id: number, ageMs: number) => ({
    at: new Date(now.getTime() - ageMs).toISOString(),
    invoice: { id, invoiceNumber: 'INV-1' } as Invoice,
  });
  const job = (invoiceRead?: ReturnType<typeof read>) => ({
    tenantId: 't',
    type: 'invoice' as const,
    cwId: 7,
    actor: 'sync-on-close',
    ...(invoiceRead ? { invoiceRead } : {}),
  });

  it('is used while young, for its own invoice only', () => {
    expect(youngInvoiceRead(job(read(7, 1_000)), now)?.id).toBe(7);
    expect(youngInvoiceRead(job(read(7, invoiceReadMaxAgeMs)), now)?.id).toBe(7);
    expect(youngInvoiceRead(job(read(8, 1_000)), now)).toBeUndefined();
    expect(youngInvoiceRead(job(), now)).toBeUndefined();
  });

  it('is not used once old (a retry after backoff reads again), nor when dated in the future', () => {
    expect(youngInvoiceRead(job(read(7, invoiceReadMaxAgeMs + 1)), now)).toBeUndefined();
    expect(youngInvoiceRead(job(read(7, -5_000)), now)).toBeUndefined();
  });
});

describe('sync on close through a signed ConnectWise callback', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
    await world.seedInvoices([
      invoice(9301, 'SOC-9301', { closed: false }),
      invoice(9302, 'SOC-9302', { closed: false }),
    ]);
    await world.pod.services.connectWise.for(world.tenant).registerCallback({
      description: 'Ledgerpod',
      url: `${world.pod.url}/webhooks/connectwise/${world.tenant.id}`,
      objectId: 0,
      type: 'invoice',
      level: 'owner',
    });
  });
  afterAll(() => world.close());

  const close = (id: number) => fetch(`${world.cw.url}/__sim/invoices/${id}/close`, { method: 'POST' });

  it('with the tenant toggle on, closing an invoice in ConnectWise puts it in the books', async () => {
    await world.pod.services.tenants.updateSettings(world.tenant.id, { syncOnClose: true });
    await close(9301);
    const view = await world.waitForState(9301, ['synced'], 30_000);
    expect(view.events.map((e: { actor: string }) => e.actor)).toContain('sync-on-close');
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual(['SOC-9301']);
  });

  it("the push starts from its refresh's read: CW reads the invoice once (the refresh) and its place in the unposted list once (before the batch)", async () => {
    await world.pod.services.tenants.updateSettings(world.tenant.id, { syncOnClose: true });
    await world.seedInvoices([invoice(9303, 'SOC-9303', { closed: false })]);
    const routes = async () =>
      ((await (await fetch(`${world.cw.url}/__sim/traffic`)).json()) as { byRoute: Record<string, number> })
        .byRoute;
    const before = await routes();
    await close(9303);
    // Watched in the database: the status route would queue a refresh (one more read) of its own.
    await world.waitForStateInDb(9303, ['synced'], 30_000);
    const after = await routes();
    const calls = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    expect(calls('GET /v4_6_release/apis/3.0/finance/invoices/{id}')).toBe(1);
    expect(calls('GET /v4_6_release/apis/3.0/finance/accounting/unpostedinvoices/{id}')).toBe(1);
    expect(calls('POST /v4_6_release/apis/3.0/finance/accounting/export')).toBe(1);
    expect(calls('POST /v4_6_release/apis/3.0/finance/accounting/batches')).toBe(1);
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SOC-9303')).toHaveLength(
      1,
    );
  });

  it('a push whose carried read CW no longer bears out reads the invoice again and names the real reason', async () => {
    await world.seedInvoices([invoice(9304, 'SOC-9304', { closed: false })]);
    const open = await world.pod.services.connectWise.for(world.tenant).getInvoice(9304);
    // What a refresh a moment ago would have carried, had the invoice been reopened since.
    const seenClosed = { ...open!, status: { id: 6, name: 'Closed', isClosed: true } } as Invoice;
    await runPushJob(
      world.workerDeps(),
      {
        tenantId: world.tenant.id,
        type: 'invoice',
        cwId: 9304,
        actor: 'sync-on-close',
        invoiceRead: { at: new Date().toISOString(), invoice: seenClosed },
      },
      { retryCount: 0, retryLimit: 0 },
    );
    const view = await world.waitForState(9304, ['error'], 30_000);
    expect(view.error!.code).toBe('not_closed');
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SOC-9304')).toEqual([]);
  });

  it('with the toggle off, the callback only refreshes the record', async () => {
    await world.pod.services.tenants.updateSettings(world.tenant.id, { syncOnClose: false });
    await close(9302);
    const view = await world.waitForState(9302, ['unposted'], 30_000);
    expect(view.ledger).toBeNull();
    expect(view.record.number).toBe('SOC-9302');
    // Until the work that request queued has run (at least the old quiet window): nothing more may follow.
    await jobsSettled(world.pod.database.db, 1_500);
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SOC-9302')).toEqual([]);
  });

  it('with sync on close off, a push that failed as not closed resumes when a callback shows the fix', async () => {
    await world.pod.services.tenants.updateSettings(world.tenant.id, { syncOnClose: false });
    await world.seedInvoices([invoice(9305, 'SOC-9305', { closed: false })]);
    await world.pushRecord('invoice', 9305);
    expect((await world.waitForState(9305, ['error'], 30_000)).error!.code).toBe('not_closed');
    await close(9305);
    const view = await world.waitForState(9305, ['synced'], 30_000);
    const fixed = view.events.find((e: { kind: string }) => e.kind === 'fixed_in_connectwise');
    expect(fixed).toMatchObject({ actor: 'connectwise', detail: { code: 'not_closed', syncing: true } });
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SOC-9305')).toHaveLength(
      1,
    );
  });

  it('with syncWhenFixed off, the callback notes the fix once and leaves the push to a person', async () => {
    await world.pod.services.tenants.updateSettings(world.tenant.id, {
      syncOnClose: false,
      syncWhenFixed: false,
    });
    try {
      await world.seedInvoices([invoice(9306, 'SOC-9306', { closed: false })]);
      await world.pushRecord('invoice', 9306);
      await world.waitForState(9306, ['error'], 30_000);
      await close(9306);
      const noted = await world.waitFor(
        9306,
        (v) => v.events.some((e: { kind: string }) => e.kind === 'fixed_in_connectwise'),
        'the fix noted',
      );
      expect(noted.state).toBe('error');
      expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SOC-9306')).toEqual([]);
    } finally {
      await world.pod.services.tenants.updateSettings(world.tenant.id, { syncWhenFixed: true });
    }
  });
});
