import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';
import { jobsSettled } from '../support/wait.js';

describe.each(['qbo', 'xero'] as const)('record pipeline to %s', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
    await world.seedInvoices([
      invoice(5001, 'INV-5001'),
      invoice(5002, 'INV-5002', {
        lines: [{ description: 'Firewall', quantity: 1, unitPrice: 640, accountNumber: '4999' }],
      }),
      invoice(5003, 'INV-5003', { closed: false }),
      invoice(5004, 'INV-5004'),
    ]);
  });
  afterAll(() => world.close());

  const push = (cwId: number, token = world.token.accountant) =>
    api(world.pod.url, token, 'POST', `/api/v1/records/invoice/${cwId}/sync`);

  it('pushes an invoice: one ledger document, its own CW batch, status inline', async () => {
    const accepted = await push(5001);
    expect(accepted.status).toBe(202);
    expect(['queued', 'exported', 'pushed', 'synced']).toContain(accepted.body.state);
    const view = await world.waitForState(5001, ['synced']);
    expect(view).toMatchObject({
      record: {
        number: 'INV-5001',
        currency: 'USD',
        total: '1658.93',
        company: { name: 'Acme Corporation' },
      },
      cw: { batch: { identifier: 'LP-INV-5001' } },
      ledger: { kind, number: 'INV-5001', total: '1658.93', balance: '1658.93', status: 'open' },
      error: null,
    });
    expect(view.events.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['queued', 'exported', 'ledger_document', 'batched']),
    );
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual(['INV-5001']);
    const cw = await world.cwState();
    expect(cw.batches.filter((b) => b.batchIdentifier === 'LP-INV-5001')).toHaveLength(1);
    expect(cw.invoices.find((i) => i.id === 5001)!.glBatch).toBeTruthy();
    // A QBO connection stored without its tax settings has them after its first document.
    const [row] = await world.pod.services.connections.list(world.tenant.id);
    if (kind === 'qbo')
      expect(row!.tax_setup).toEqual({ model: 'us', country: 'US', automatedSalesTax: true });
    else expect(row!.tax_setup).toBeNull();
  });

  it('a second push of a synced record changes nothing', async () => {
    await push(5001);
    // Until the work that request queued has run (at least the old quiet window): nothing more may follow.
    await jobsSettled(world.pod.database.db, 1500);
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual(['INV-5001']);
    expect((await world.cwState()).batches.filter((b) => b.batchIdentifier === 'LP-INV-5001')).toHaveLength(
      1,
    );
  });

  it('an unmapped GL account ends in error with its hint; after the fix a retry syncs it', async () => {
    await push(5002);
    const failed = await world.waitForState(5002, ['error']);
    expect(failed.error).toMatchObject({
      code: 'gl_account_unmapped',
      retryable: false,
      hint: expect.stringContaining('Mappings'),
    });
    expect(failed.error!.message).toContain('4999');
    // What to map, and in which connection: an admin maps it where the failure shows.
    expect(failed.error!.unmapped).toEqual([
      { connectionId: world.connection.id, kind: 'gl_account', cwKey: '4999' },
    ]);
    await world.pod.database.db
      .insertInto('mappings')
      .values([
        {
          tenant_id: world.tenant.id,
          connection_id: world.connection.id,
          kind: 'gl_account',
          cw_key: '4999',
          ledger_key: kind === 'qbo' ? '2' : '260',
        },
        ...(kind === 'qbo'
          ? [
              {
                tenant_id: world.tenant.id,
                connection_id: world.connection.id,
                kind: 'item' as const,
                cw_key: '4999',
                ledger_key: '31',
              },
            ]
          : []),
      ])
      .execute();
    await push(5002);
    const synced = await world.waitForState(5002, ['synced']);
    expect(synced.error).toBeNull();
    expect(synced.ledger!.total).toBe('692.80');
  });

  it('an invoice not closed in ConnectWise ends in error and is not batched', async () => {
    await push(5003);
    const failed = await world.waitForState(5003, ['error']);
    expect(failed.error).toMatchObject({
      code: 'not_closed',
      hint: expect.stringContaining('Close the invoice'),
    });
    expect((await world.cwState()).batches.some((b) => b.batchIdentifier === 'LP-INV-5003')).toBe(false);
  });

  it('a viewer may look but not push', async () => {
    expect((await api(world.pod.url, world.token.viewer, 'GET', '/api/v1/records/invoice/5001')).status).toBe(
      200,
    );
    expect((await push(5004, world.token.viewer)).status).toBe(403);
  });

  it('reversed in CW and edited, it is pushed again as an update of the same document', async () => {
    const reversed = await api(
      world.pod.url,
      world.token.admin,
      'POST',
      '/api/v1/records/invoice/5001/reverse',
    );
    expect(reversed.body).toMatchObject({ state: 'unposted', cw: { batch: null } });
    await world.seedInvoices([
      invoice(5001, 'INV-5001', {
        lines: [
          {
            description: 'Managed services May (corrected)',
            quantity: 1,
            unitPrice: 1000,
            accountNumber: '4000',
          },
        ],
      }),
    ]);
    await push(5001);
    const view = await world.waitForState(5001, ['synced']);
    expect(view.ledger!.total).toBe('1082.50');
    expect(await world.ledgerSim.documentNumbers('invoice')).toEqual(expect.arrayContaining(['INV-5001']));
    expect((await world.ledgerSim.documentNumbers('invoice')).filter((n) => n === 'INV-5001')).toHaveLength(
      1,
    );
    expect((await world.cwState()).batches.filter((b) => b.batchIdentifier === 'LP-INV-5001')).toHaveLength(
      1,
    );
  });

  it('lists records with counts per state for the workbench', async () => {
    const list = await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/records?limit=2');
    expect(list.status).toBe(200);
    expect(list.body.records).toHaveLength(2);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    expect(list.body.counts).toMatchObject({ synced: 2, not_closed: 1 });
    const next = await api(
      world.pod.url,
      world.token.accountant,
      'GET',
      `/api/v1/records?limit=2&cursor=${list.body.nextCursor}`,
    );
    const numbers = [...list.body.records, ...next.body.records].map((r: { number: string }) => r.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    const errors = await api(
      world.pod.url,
      world.token.accountant,
      'GET',
      '/api/v1/records?state=not_closed',
    );
    expect(errors.body.records.map((r: { number: string }) => r.number)).toEqual(['INV-5003']);
  });

  it("lists the workbench's queues: a push refused as not closed is in not_closed, counted and totalled there", async () => {
    const get = async (path: string) => (await api(world.pod.url, world.token.accountant, 'GET', path)).body;
    // The list, the queue counts and each queue's list are separate reads: a discovery an earlier
    // test's status read queued can land between them on a busy machine (an unknown record becoming
    // unposted, seen on CI), so the whole round is read again until it agrees with itself; a real
    // mismatch still fails the checks below once the deadline passes.
    const readAll = async () => {
      const all = await get('/api/v1/records?limit=200');
      const queues = await get('/api/v1/stats/queues');
      const lists: Record<string, { total: string }[]> = {};
      for (const queue of Object.keys(all.counts)) {
        lists[queue] = (await get(`/api/v1/records?state=${queue}&limit=200`)).records;
      }
      const again = await get('/api/v1/stats/queues');
      const settled =
        JSON.stringify(queues.counts) === JSON.stringify(all.counts) &&
        JSON.stringify(again.counts) === JSON.stringify(all.counts) &&
        Object.entries(all.counts as Record<string, number>).every(
          ([queue, n]) => lists[queue]?.length === n,
        );
      return { all, queues, lists, settled };
    };
    let round = await readAll();
    for (let deadline = Date.now() + 30_000; !round.settled && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      round = await readAll();
    }
    const { all, queues, lists } = round;
    // INV-5003's state is error; its queue is not_closed, not error.
    expect(all.records.find((r: { number: string }) => r.number === 'INV-5003').state).toBe('error');
    expect(all.counts.not_closed).toBe(1);
    expect(all.counts.error).toBeUndefined();
    expect((await get('/api/v1/records?state=error')).records).toEqual([]);
    const notClosed = await get('/api/v1/records?state=not_closed');
    expect(notClosed.records.map((r: { number: string }) => r.number)).toEqual(['INV-5003']);
    expect(queues.counts).toEqual(all.counts);
    const minor = (rows: { total: string }[]) =>
      rows.reduce((sum, r) => sum + BigInt(r.total.replace('.', '')), 0n);
    const usd = (cents: bigint) => [
      { currency: 'USD', amount: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}` },
    ];
    // Each queue's count is the number of rows it lists, and its total the sum of their totals.
    for (const [queue, n] of Object.entries(all.counts as Record<string, number>)) {
      expect(lists[queue], queue).toHaveLength(n);
      expect(queues.totals[queue], queue).toEqual(usd(minor(lists[queue]!)));
    }
    expect(queues.totals.all).toEqual(usd(minor(all.records)));
    // The search narrows them as it narrows the list.
    expect((await get('/api/v1/stats/queues?q=INV-5003')).counts).toEqual({ not_closed: 1 });
    expect((await api(world.pod.url, world.token.viewer, 'GET', '/api/v1/stats/queues')).status).toBe(403);
  });

  it('summarises a company and the days for the pods', async () => {
    const summary = await api(world.pod.url, world.token.viewer, 'GET', '/api/v1/companies/250/summary');
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      company: { id: 250, name: 'Acme Corporation' },
      counts: { synced: 2, error: 1 },
    });
    expect(summary.body.arBalance).toEqual({
      currency: 'USD',
      cw: expect.stringMatching(/^\d+\.\d{2}$/),
      ledger: '1775.30',
    });
    const daily = await api(world.pod.url, world.token.accountant, 'GET', '/api/v1/stats/daily?days=3');
    expect(daily.body.days).toHaveLength(3);
    expect(daily.body.days.at(-1)).toMatchObject({ synced: expect.any(Number), errors: expect.any(Number) });
    expect(daily.body.days.at(-1).synced).toBeGreaterThanOrEqual(2);
    expect(daily.body.days.at(-1).errors).toBeGreaterThanOrEqual(2);
    expect((await api(world.pod.url, world.token.viewer, 'GET', '/api/v1/stats/daily')).status).toBe(403);
  });
});
