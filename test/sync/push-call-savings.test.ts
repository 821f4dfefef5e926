import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * The calls a push saves (party cache, no look-up by number before a record's first create) and
 * the facts that make each saving safe: a same-number document the record's history does not
 * know is still adopted, never doubled; a cached party the ledger no longer takes is found again.
 */
type Traffic = { total: number; byRoute: Record<string, number> };
const traffic = async (url: string): Promise<Traffic> =>
  (await fetch(`${url}/__sim/traffic`)).json() as Promise<Traffic>;
const delta = (after: Traffic, before: Traffic) => ({
  total: after.total - before.total,
  byRoute: Object.fromEntries(
    Object.entries(after.byRoute)
      .map(([route, n]) => [route, n - (before.byRoute[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  ),
});

describe.each(['qbo', 'xero'] as const)('calls per push (%s)', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
  });
  afterAll(() => world.close());

  /** Waits until no record refresh is waiting or running: its calls would count in a push's window. */
  async function refreshesDone(): Promise<void> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pgboss.job
        where name = 'record-refresh' and state in ('created', 'retry', 'active')`.execute(
        world.pod.database.db,
      );
      if (rows[0]?.n === 0) return;
      if (Date.now() > deadline) throw new Error('record refreshes still running');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const push = async (cwId: number) => {
    const res = await api(
      world.pod.url,
      world.token.accountant,
      'POST',
      `/api/v1/records/invoice/${cwId}/sync`,
    );
    expect(res.status).toBe(202);
    return world.waitForState(cwId, ['synced', 'error'], 45_000);
  };

  it('a record of a known company costs one ledger call (the create) and five CW calls', async () => {
    const company = { id: 7100, identifier: 'Savings', name: 'Savings Ltd' };
    await world.seedInvoices([invoice(7101, 'SV-7101', { company }), invoice(7102, 'SV-7102', { company })]);
    expect((await push(7101)).state).toBe('synced');
    // Reading 7101's status queued a refresh of it (never read before: stale); let it finish first.
    await refreshesDone();

    const [cwBefore, ledgerBefore] = [await traffic(world.cw.url), await traffic(world.ledgerSim.url)];
    const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/invoice/7102/sync');
    expect(res.status).toBe(202);
    // Watched in the database: the status route would queue a refresh (one more CW read) of its own.
    expect(await world.waitForStateInDb(7102, ['synced', 'error'])).toBe('synced');
    const ledger = delta(await traffic(world.ledgerSim.url), ledgerBefore);
    const cw = delta(await traffic(world.cw.url), cwBefore);
    // No party look-up (cached) and no look-up by number (first create, keyed): the create alone.
    expect(ledger).toEqual({
      total: 1,
      byRoute: kind === 'qbo' ? { 'POST /v3/company/:realm/invoice': 1 } : { 'PUT /api.xro/2.0/Invoices': 1 },
    });
    // Invoice read, export, CW's unposted list just before committing (someone may batch it
    // meanwhile; invoice-posting.ts), batch; and the company, whose name, email and address the
    // books' customer follows (party-details.ts).
    expect(cw).toEqual({
      total: 5,
      byRoute: {
        'GET /v4_6_release/apis/3.0/company/companies/{id}': 1,
        'GET /v4_6_release/apis/3.0/finance/accounting/unpostedinvoices/{id}': 1,
        'GET /v4_6_release/apis/3.0/finance/invoices/{id}': 1,
        'POST /v4_6_release/apis/3.0/finance/accounting/batches': 1,
        'POST /v4_6_release/apis/3.0/finance/accounting/export': 1,
      },
    });
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SV-7102')).toHaveLength(1);
  });

  it("invoices pushed together share CW's reads and previews: one batch each, fewer reads than records", async () => {
    const company = { id: 7300, identifier: 'Together', name: 'Together Ltd' };
    const ids = Array.from({ length: 12 }, (_, i) => 7301 + i);
    await world.seedInvoices(ids.map((id) => invoice(id, `SV-${id}`, { company })));
    // CW's real pace keeps each read in flight long enough for the pushes beside it to join it.
    await fetch(`${world.cw.url}/__sim/latency`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms: 120 }),
    });
    try {
      await refreshesDone();
      const cwBefore = await traffic(world.cw.url);
      const res = await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/sync', {
        records: ids.map((cwId) => ({ type: 'invoice', cwId })),
      });
      expect(res.status).toBe(202);
      for (const id of ids) expect(await world.waitForStateInDb(id, ['synced', 'error'])).toBe('synced');
      const cw = delta(await traffic(world.cw.url), cwBefore).byRoute;
      const at = (route: string) =>
        cw[`${route.split(' ')[0]} /v4_6_release/apis/3.0${route.split(' ')[1]}`] ?? 0;
      // One batch per record, always: that call is never shared.
      expect(at('POST /finance/accounting/batches')).toBe(ids.length);
      // Previews and reads: alone they cost 1 and 2 per record (the first test: the invoice and its
      // place in the unposted list); together, never more.
      // How much less depends on how many pushes overlap, which a busy machine decides (on CI none
      // did once): the sharing itself is proven in foundation/coalesce and measured in
      // bench/pipeline-cost, not asserted on timing here.
      const reads =
        at('GET /finance/invoices/{id}') +
        at('GET /finance/invoices') +
        at('GET /finance/accounting/unpostedinvoices/{id}') +
        at('GET /finance/accounting/unpostedinvoices');
      const exports = at('POST /finance/accounting/export');
      expect(exports).toBeLessThanOrEqual(ids.length);
      expect(reads).toBeLessThanOrEqual(2 * ids.length);
      const documents = await world.ledgerSim.documentNumbers('invoice');
      for (const id of ids) expect(documents.filter((n) => n === `SV-${id}`)).toHaveLength(1);
    } finally {
      await fetch(`${world.cw.url}/__sim/latency`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: 0 }),
      });
    }
  });

  it('a same-number document its history does not know is adopted on the first create, not doubled', async () => {
    const company = { id: 7200, identifier: 'Adopt', name: 'Adopt Ltd' };
    await world.seedInvoices([invoice(7201, 'SV-7201', { company })]);
    const first = await push(7201);
    expect(first.state).toBe('synced');
    // Forget the record (as if another tool had put the document in the books) and unpost it in CW.
    const cw = world.pod.services.connectWise.for(world.tenant);
    const batch = await cw.findBatch('LP-SV-7201');
    await cw.deleteBatch(batch!.id);
    await world.pod.database.db
      .deleteFrom('records')
      .where('tenant_id', '=', world.tenant.id)
      .where('cw_id', '=', '7201')
      .execute();

    const again = await push(7201);
    expect(again.error).toBeNull();
    expect(again.state).toBe('synced');
    expect(again.ledger!.id).toBe(first.ledger!.id);
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SV-7201')).toHaveLength(1);
  });
});

describe('party cache (qbo)', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
  });
  afterAll(() => world.close());

  it('a cached customer that no longer takes invoices is resolved again and the push goes through', async () => {
    const company = { id: 7300, identifier: 'Merged', name: 'Merged Away Ltd' };
    await world.seedInvoices([invoice(7301, 'SV-7301', { company }), invoice(7302, 'SV-7302', { company })]);
    await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/invoice/7301/sync');
    await world.waitForState(7301, ['synced'], 45_000);
    const cached = await world.pod.database.db
      .selectFrom('ledger_parties')
      .selectAll()
      .where('connection_id', '=', world.connection.id)
      .where('cw_id', '=', '7300')
      .executeTakeFirstOrThrow();

    // Someone merges the customer away in QBO: renamed and made inactive, so QBO refuses it on a new invoice.
    const { accessToken } = await world.ledgerSim.grant();
    const realmUrl = `${world.ledgerSim.url}/v3/company/${world.ledgerSim.externalId}`;
    const headers = {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    const current = (await (
      await fetch(`${realmUrl}/customer/${cached.ledger_id}?minorversion=75`, { headers })
    ).json()) as {
      Customer: { SyncToken: string };
    };
    const deactivated = await fetch(`${realmUrl}/customer?minorversion=75`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        Id: cached.ledger_id,
        SyncToken: current.Customer.SyncToken,
        sparse: true,
        Active: false,
        DisplayName: 'Merged Away Ltd (old)',
        AcctNum: 'merged-7300',
      }),
    });
    expect(deactivated.status).toBe(200);

    await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/records/invoice/7302/sync');
    const view = await world.waitForState(7302, ['synced', 'error'], 45_000);
    expect(view.error).toBeNull();
    expect(view.state).toBe('synced');
    const renewed = await world.pod.database.db
      .selectFrom('ledger_parties')
      .selectAll()
      .where('connection_id', '=', world.connection.id)
      .where('cw_id', '=', '7300')
      .executeTakeFirstOrThrow();
    expect(renewed.ledger_id).not.toBe(cached.ledger_id);
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'SV-7302')).toHaveLength(1);
  });
});
