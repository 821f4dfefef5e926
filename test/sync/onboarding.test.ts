import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectWiseClient, parseGlEntryIds } from '../../server/connectwise/index.js';
import type { Tenant } from '../../server/db/schema.js';
import {
  createOnboardingRun,
  onboardingInputSchema,
  runOnboarding,
} from '../../server/onboarding/onboarding.js';
import { buildExpense, buildProcurement } from '../../sim/connectwise/fixtures.js';
import { buildInvoiceWithGl, testApiMember, testClientId } from '../../sim/connectwise/index.js';
import {
  addSimTenant,
  api,
  type CwSim,
  post,
  sessionToken,
  startSeededConnectWise,
} from '../support/cw-tenant.js';
import { startTestPod, type TestPod } from '../support/test-pod.js';
import { jobsSettled } from '../support/wait.js';

const line = [{ description: 'Work', quantity: 2, unitPrice: 75 }];
const old = (id: number, number: string, extra = {}) =>
  buildInvoiceWithGl({ id, number, date: '2023-06-01T00:00:00Z', lines: line, ...extra });

async function simState(sim: CwSim) {
  return (await (await fetch(`${sim.url}/__sim/state`)).json()) as {
    batches: { batchIdentifier: string; exportProductsFlag?: boolean }[];
  };
}

describe('onboarding sync', () => {
  let sim: CwSim;
  let pod: TestPod;
  let tenant: Tenant;
  let admin: string;
  const invoices = [
    ...Array.from({ length: 12 }, (_, i) => old(8000 + i, `OLD-${100 + i}`)),
    old(8100, 'CM-OLD-1', { type: 'CreditMemo' }),
    old(8101, 'BAD|1'),
    buildInvoiceWithGl({ id: 8200, number: 'NEW-1', date: '2024-02-01T00:00:00Z', lines: line }),
  ];

  beforeAll(async () => {
    sim = await startSeededConnectWise({
      invoices: invoices.map((b) => b.invoice),
      glTransactions: invoices.map((b) => b.glTransaction),
    });
    pod = await startTestPod();
    tenant = await addSimTenant(pod, sim);
    admin = await sessionToken(pod.url, sim, 'admin');
  });
  afterAll(async () => {
    await pod.close();
    await sim.close();
  });

  const input = { batchPrefix: 'OB-', cutoffDate: '2023-12-31', recordTypes: ['invoice', 'credit_memo'] };

  it('a dry run counts per type and lists every record that would fail, changing nothing', async () => {
    const res = await api(pod.url, admin, 'POST', '/api/v1/onboarding', { ...input, dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ invoice: 13, credit_memo: 1 });
    expect(res.body.failures).toEqual([
      expect.objectContaining({
        number: 'BAD|1',
        code: 'invalid_batch_character',
        hint: expect.stringContaining('|'),
      }),
    ]);
    expect((await simState(sim)).batches).toEqual([]);
  });

  it('is for admins only and validates its input', async () => {
    const accountant = await sessionToken(pod.url, sim, 'accountant');
    expect((await api(pod.url, accountant, 'POST', '/api/v1/onboarding', input)).status).toBe(403);
    const bad = await api(pod.url, admin, 'POST', '/api/v1/onboarding', {
      ...input,
      batchPrefix: "O'B",
      cutoffDate: '31/12/2023',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'batchPrefix',
      'cutoffDate',
    ]);
  });

  it('survives a lost answer and a re-run without a second batch for any record', async () => {
    // The answer to the first batch call is lost after CW made the batch: the run must not make it twice.
    await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { method: 'POST', path: '*/finance/accounting/batches', kind: 'drop_response_after_write', times: 1 },
      ]),
    });
    const cw = pod.services.connectWise.for(tenant);
    const { id } = await (async () => {
      const res = await api(pod.url, admin, 'POST', '/api/v1/onboarding', input);
      expect(res.status).toBe(202);
      return res.body as { id: string };
    })();
    await expect
      .poll(async () => (await api(pod.url, admin, 'GET', `/api/v1/onboarding/${id}`)).body.state, {
        timeout: 20_000,
      })
      .toBe('done');
    // Running it again, as after a crash, finds nothing left to do.
    await runOnboarding({ tenantId: tenant.id, db: pod.database.db, records: pod.services.records, cw }, id);
    const status = (await api(pod.url, admin, 'GET', `/api/v1/onboarding/${id}`)).body;
    expect(status).toMatchObject({ state: 'done', total: 14, done: 13, failed: 1, etaSeconds: 0 });
    expect(status.byType).toEqual({ invoice: { done: 12, failed: 1 }, credit_memo: { done: 1 } });
    expect(status.errors).toEqual([
      expect.objectContaining({ number: 'BAD|1', code: 'invalid_batch_character' }),
    ]);
    const identifiers = (await simState(sim)).batches.map((b) => b.batchIdentifier).sort();
    expect(identifiers).toHaveLength(13);
    expect(new Set(identifiers).size).toBe(13);
    expect(identifiers).toContain('OB-OLD-100');
    expect(identifiers).not.toContain('OB-NEW-1');
    const record = await api(pod.url, admin, 'GET', '/api/v1/records/invoice/8000');
    expect(record.body).toMatchObject({
      state: 'onboarded',
      ledger: null,
      cw: { batch: { identifier: 'OB-OLD-100' } },
    });
  });

  it('running the same inputs again is a no-op', async () => {
    const before = (await simState(sim)).batches.length;
    const again = await api(pod.url, admin, 'POST', '/api/v1/onboarding', input);
    expect(again.body.created).toBe(false);
    // Until the work that request queued has run (at least the old quiet window): nothing more may follow.
    await jobsSettled(pod.database.db, 1500);
    expect((await simState(sim)).batches.length).toBe(before);
  });

  it('uses about one ConnectWise call per record', async () => {
    const traffic = (await (await fetch(`${sim.url}/__sim/traffic`)).json()) as {
      byRoute: Record<string, number>;
    };
    const calls = Object.entries(traffic.byRoute)
      .filter(([route]) => /unposted|export|batches/.test(route))
      .reduce((sum, [, n]) => sum + n, 0);
    // 13 batch calls, 1 count, list + export pages (twice: the re-run), 1 look-up after the lost answer.
    expect(calls / 14).toBeLessThanOrEqual(1.5);
  });

  it('reads every page of the unposted list before batching, so batched records do not shift a page', async () => {
    // Five records a page: batching page 1 first would move page 3's records onto page 2 unseen.
    const more = Array.from({ length: 12 }, (_, i) => old(8300 + i, `PAGE-${100 + i}`));
    await post(sim.url, '/__sim/seed', {
      invoices: more.map((b) => b.invoice),
      glTransactions: more.map((b) => b.glTransaction),
    });
    const run = await createOnboardingRun(pod.database.db, tenant.id, {
      ...onboardingInputSchema.parse({ ...input, batchPrefix: 'PG-' }),
    });
    const cw = createConnectWiseClient({
      site: tenant.cw_site,
      companyId: testApiMember.companyId,
      publicKey: testApiMember.publicKey,
      privateKey: testApiMember.privateKey,
      clientId: testClientId,
      apiOrigin: sim.url,
      pageSize: 5,
    });
    await runOnboarding(
      { tenantId: tenant.id, db: pod.database.db, records: pod.services.records, cw },
      run.id,
    );
    const identifiers = (await simState(sim)).batches.map((b) => b.batchIdentifier);
    expect(identifiers.filter((i) => i.startsWith('PG-PAGE-')).sort()).toEqual(
      more.map((b) => `PG-${b.invoice.invoiceNumber}`).sort(),
    );
    expect(await cw.countUnposted('invoices', 'invoiceDate <= [2023-12-31T23:59:59Z]')).toBe(1);
  });

  it('an admin reverses an onboarded record: its batch is deleted and it is unposted again', async () => {
    const res = await api(pod.url, admin, 'POST', '/api/v1/records/invoice/8001/reverse');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'unposted', cw: { batch: null } });
    const unposted = (await (await fetch(`${sim.url}/__sim/state`)).json()) as {
      batches: { batchIdentifier: string }[];
    };
    expect(unposted.batches.map((b) => b.batchIdentifier)).not.toContain('OB-OLD-101');
    const viewer = await sessionToken(pod.url, sim, 'viewer');
    expect((await api(pod.url, viewer, 'POST', '/api/v1/records/invoice/8002/reverse')).status).toBe(403);
  });
});

describe('onboarding of expenses, purchases and inventory adjustments', () => {
  let sim: CwSim;
  let pod: TestPod;
  let tenant: Tenant;
  let admin: string;
  const before = '2023-06-01T00:00:00Z';
  const expenses = [
    buildExpense({ id: 9001, amount: 42.5, date: before }),
    buildExpense({ id: 9002, amount: 300, date: before, classification: 'NonReimbursable' }),
    buildExpense({ id: 9004, amount: 99, date: '2024-02-01T00:00:00Z' }),
  ];
  const procurement = [
    buildProcurement({ id: 9101, procurementType: 'Purchase', total: 640, date: before }),
    buildProcurement({ id: 9102, procurementType: 'Purchase', total: 15, date: before, packingSlip: 'PS|7' }),
    buildProcurement({ id: 9201, procurementType: 'Adjustment', total: 30, date: before }),
    buildProcurement({
      id: 9202,
      procurementType: 'Adjustment',
      total: 8,
      date: before,
      description: "Tech's van",
    }),
    buildProcurement({ id: 9301, procurementType: 'Transfer', total: 50, date: before }),
    buildProcurement({ id: 9203, procurementType: 'Adjustment', total: 4, date: '2024-02-01T00:00:00Z' }),
  ];
  const input = {
    batchPrefix: 'OB-',
    cutoffDate: '2023-12-31',
    recordTypes: ['expense', 'procurement', 'adjustment'],
  };

  beforeAll(async () => {
    sim = await startSeededConnectWise({ expenses, procurement });
    // Adjustments exported with line ids (not in CW's types; without them each is refused as
    // adjustment_entries_unknown: test/sync/purchase-fidelity.test.ts).
    sim.sim.state.behaviours.adjustmentLineIds = 'present';
    pod = await startTestPod();
    tenant = await addSimTenant(pod, sim);
    admin = await sessionToken(pod.url, sim, 'admin');
  });
  afterAll(async () => {
    await pod.close();
    await sim.close();
  });

  it('a dry run counts each type through the cutoff and names every record CW would refuse', async () => {
    const res = await api(pod.url, admin, 'POST', '/api/v1/onboarding', { ...input, dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ expense: 2, procurement: 2, adjustment: 2 });
    expect(res.body.failures.map((f: { number: string; code: string }) => [f.number, f.code])).toEqual([
      ['PUR-9102', 'invalid_batch_character'],
      ['ADJ-9202', 'invalid_batch_character'],
    ]);
    expect((await simState(sim)).batches).toEqual([]);
  });

  it('batches each record on its own under the prefix, pushes nothing, and a re-run is a no-op', async () => {
    const started = await api(pod.url, admin, 'POST', '/api/v1/onboarding', input);
    expect(started.status).toBe(202);
    const { id } = started.body as { id: string };
    await expect
      .poll(async () => (await api(pod.url, admin, 'GET', `/api/v1/onboarding/${id}`)).body.state, {
        timeout: 20_000,
      })
      .toBe('done');
    const status = (await api(pod.url, admin, 'GET', `/api/v1/onboarding/${id}`)).body;
    expect(status).toMatchObject({ total: 6, done: 4, failed: 2 });
    expect(status.byType).toEqual({
      expense: { done: 2 },
      procurement: { done: 1, failed: 1 },
      adjustment: { done: 1, failed: 1 },
    });
    const identifiers = (await simState(sim)).batches.map((b) => b.batchIdentifier).sort();
    expect(identifiers).toEqual(['OB-ADJ-9201', 'OB-EXP-9001', 'OB-EXP-9002', 'OB-PUR-9101']);
    expect((await api(pod.url, admin, 'GET', '/api/v1/records/expense/9001')).body).toMatchObject({
      state: 'onboarded',
      ledger: null,
      cw: { batch: { identifier: 'OB-EXP-9001' } },
    });
    expect((await api(pod.url, admin, 'GET', '/api/v1/records/adjustment/9202')).body).toMatchObject({
      state: 'error',
      error: { code: 'invalid_batch_character', hint: expect.stringContaining("'") },
    });
    // Both expenses came out of one export (matchExpenseParts): each batch holds its own expense's entries.
    const cw = pod.services.connectWise.for(tenant);
    const basic = Buffer.from(
      `${testApiMember.companyId}+${testApiMember.publicKey}:${testApiMember.privateKey}`,
    ).toString('base64');
    for (const expense of expenses.slice(0, 2)) {
      const batch = await cw.findBatch(`OB-EXP-${expense.id}`);
      const entries = (await (
        await fetch(`${sim.url}/v4_6_release/apis/3.0/finance/accounting/batches/${batch!.id}/entries`, {
          headers: { authorization: `Basic ${basic}`, clientId: testClientId },
        })
      ).json()) as { id: number }[];
      expect(entries.map((e) => e.id).sort()).toEqual(parseGlEntryIds(expense.glEntryIds).sort());
    }
    // Each batch posted exactly its own record: the refused, the transfer and the later ones stay unposted.
    expect((await cw.listUnposted('expenses')).map((u) => u.id)).toEqual([9004]);
    expect((await cw.listUnposted('procurement')).map((u) => u.id).sort()).toEqual([9102, 9202, 9203, 9301]);

    const again = await api(pod.url, admin, 'POST', '/api/v1/onboarding', input);
    expect(again.body.created).toBe(false);
    // Until the work that request queued has run (at least the old quiet window): nothing more may follow.
    await jobsSettled(pod.database.db, 1000);
    expect((await simState(sim)).batches).toHaveLength(4);
  });
  it('a long run goes in slices that resume where the last stopped, counting each failure once', async () => {
    const sliced = { ...input, batchPrefix: 'SL-' };
    const run = await createOnboardingRun(pod.database.db, tenant.id, onboardingInputSchema.parse(sliced));
    const deps = {
      tenantId: tenant.id,
      db: pod.database.db,
      records: pod.services.records,
      cw: pod.services.connectWise.for(tenant),
    };
    // Every slice out of time at once: each does one chunk of work and hands over.
    const outcomes: string[] = [];
    for (let slice = 0; slice < 10; slice++) {
      const outcome = await runOnboarding(deps, run.id, { until: 0 });
      outcomes.push(outcome);
      if (outcome === 'done') break;
    }
    expect(outcomes.at(-1)).toBe('done');
    expect(outcomes.length).toBeGreaterThan(1);
    const status = (await api(pod.url, admin, 'GET', `/api/v1/onboarding/${run.id}`)).body;
    // Only the two records CW refuses are left; each failed once, however many slices saw it.
    expect(status).toMatchObject({ state: 'done', done: 0, failed: 2 });
    expect(status.errors.map((e: { number: string }) => e.number).sort()).toEqual(['ADJ-9202', 'PUR-9102']);
  });
  it('inventory transfers are onboarded when asked for: batched alone under the prefix, pushed nowhere', async () => {
    const transfers = { ...input, batchPrefix: 'TR-', recordTypes: ['transfer'] };
    const dry = await api(pod.url, admin, 'POST', '/api/v1/onboarding', { ...transfers, dryRun: true });
    expect(dry.body).toMatchObject({ counts: { transfer: 1 }, failures: [] });
    const started = await api(pod.url, admin, 'POST', '/api/v1/onboarding', transfers);
    expect(started.status).toBe(202);
    await expect
      .poll(
        async () => (await api(pod.url, admin, 'GET', `/api/v1/onboarding/${started.body.id}`)).body.state,
        { timeout: 20_000 },
      )
      .toBe('done');
    const batches = (await simState(sim)).batches.filter((b) => b.batchIdentifier.startsWith('TR-'));
    expect(batches.map((b) => [b.batchIdentifier, b.exportProductsFlag])).toEqual([['TR-TRF-9301', true]]);
    expect((await api(pod.url, admin, 'GET', '/api/v1/records/transfer/9301')).body).toMatchObject({
      state: 'onboarded',
    });
  });
});
