import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * The month-end close of a period (server/close/period-close.ts, GET /api/v1/close): what is synced,
 * what is not and why (a push into a locked period among them), credit left to apply; ready once
 * every record of the period is synced and the payments are read from the books past its end.
 */
describe('month-end close of a period', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo');
  });
  afterAll(() => world.close());

  const close = (query: string, token = world.token.accountant) =>
    api(world.pod.url, token, 'GET', `/api/v1/close?${query}`);
  const closeBooks = (closeDate: string | null) =>
    world.ledgerSim.control('POST', `/__sim/realms/${world.ledgerSim.externalId}/close-books`, { closeDate });
  const may = 'from=2024-05-01&to=2024-05-31';

  it('counts the records of the period by outcome, names the open ones, and is ready once they sync', async () => {
    const company = { id: 9100, identifier: 'Close', name: 'Close Ltd' };
    await world.seedInvoices([
      invoice(9101, 'CL-9101', { company, date: '2024-05-10T00:00:00Z' }),
      invoice(9102, 'CL-9102', { company, date: '2024-05-25T00:00:00Z' }),
      invoice(9103, 'CL-9103', {
        company,
        type: 'CreditMemo',
        date: '2024-05-12T00:00:00Z',
        lines: [{ description: 'Service credit', quantity: 1, unitPrice: 100, accountNumber: '4000' }],
      }),
      invoice(9104, 'CL-9104', { company, date: '2024-06-02T00:00:00Z' }),
    ]);
    // The books are closed through the 20th: CL-9102 goes, CL-9101 is refused.
    await closeBooks('2024-05-20');
    for (const [type, cwId] of [
      ['invoice', 9101],
      ['invoice', 9102],
      ['credit_memo', 9103],
      ['invoice', 9104],
    ] as const)
      expect((await world.pushRecord(type, cwId)).status).toBe(202);
    await world.waitForRecord('invoice', 9101, ['error']);
    await world.waitForRecord('invoice', 9102, ['synced']);
    await world.waitForRecord('invoice', 9104, ['synced']);
    // The credit memo is dated the 12th, in the closed part of May, too.
    await world.waitForRecord('credit_memo', 9103, ['error']);

    const before = await close(may);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      period: { from: '2024-05-01', to: '2024-05-31' },
      ready: false,
      records: { total: 3, synced: 1, failed: 2, waiting: 0, unposted: 0 },
      byType: { invoice: { synced: 1, failed: 1 }, credit_memo: { failed: 1 } },
      openMore: false,
      unappliedCredits: [],
    });
    expect(before.body.open.map((r: any) => [r.number, r.date, r.state, r.error.code])).toEqual([
      ['CL-9101', '2024-05-10', 'error', 'period_locked'],
      ['CL-9103', '2024-05-12', 'error', 'period_locked'],
    ]);

    await closeBooks(null);
    await world.pushRecord('invoice', 9101);
    await world.pushRecord('credit_memo', 9103);
    await world.waitForRecord('invoice', 9101, ['synced']);
    await world.waitForRecord('credit_memo', 9103, ['synced']);
    // Every record synced, but no payment was read from the books yet: not ready until they are.
    const unread = await close(may);
    expect(unread.body).toMatchObject({
      ready: false,
      checklist: { recordsSynced: true, paymentsThroughPeriod: false },
    });
    expect(
      (await api(world.pod.url, world.token.accountant, 'POST', '/api/v1/payments/sync', {})).status,
    ).toBe(202);
    await expect
      .poll(async () => (await close(may)).body.connections[0].paymentsThrough, { timeout: 30_000 })
      .not.toBeNull();
    const after = await close(may);
    expect(after.body).toMatchObject({ ready: true, records: { total: 3, synced: 3, failed: 0 }, open: [] });
    // 100 plus 8.25% tax, none of it applied yet.
    expect(after.body.unappliedCredits).toEqual([
      { cwId: 9103, number: 'CL-9103', currency: 'USD', remaining: '108.25' },
    ]);
    // June's invoice is June's.
    expect((await close('from=2024-06-01&to=2024-06-30')).body.records).toMatchObject({
      total: 1,
      synced: 1,
    });
  });

  it('refuses a period that ends before it starts or spans more than a year, and viewers', async () => {
    expect((await close('from=2024-05-31&to=2024-05-01')).status).toBe(400);
    expect((await close('from=2023-01-01&to=2024-05-01')).status).toBe(400);
    expect((await close('from=2024-05')).status).toBe(400);
    expect((await close(may, world.token.viewer)).status).toBe(403);
  });
});
