import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkDuePayments } from '../../server/payments/payment-jobs.js';
import { api, post } from '../support/cw-tenant.js';
import { conditionMs } from '../support/patience.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Payments back driven by events (issue 15 item 1). The schedule's own pass is off in these worlds
 * (PAYMENTS_CHECK_MINUTES 0): each test runs a pass itself, at a time it chooses, so what made a
 * payment arrive is known: the webhook's targeted read, or the full check the schedule asked for.
 */
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

type Traffic = { total: number; byRoute: Record<string, number> };
const traffic = async (world: PipelineWorld) =>
  (await world.ledgerSim.control('GET', '/__sim/traffic')) as Traffic;
const since = (before: Traffic, after: Traffic) => ({
  total: after.total - before.total,
  byRoute: Object.fromEntries(
    Object.entries(after.byRoute)
      .map(([route, n]) => [route, n - (before.byRoute[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  ),
});

async function pushed(world: PipelineWorld, cwId: number): Promise<string> {
  await world.seedInvoices([invoice(cwId, `EV-${cwId}`)]);
  await api(world.pod.url, world.token.accountant, 'POST', `/api/v1/records/invoice/${cwId}/sync`);
  return (await world.waitForState(cwId, ['synced'])).ledger!.id;
}

const written = (v: { state: string; payments: { state: string }[] }) =>
  v.state === 'paid' && v.payments.some((p) => p.state === 'written');

async function checkedSince(world: PipelineWorld, at: Date): Promise<void> {
  await vi.waitFor(
    async () => {
      const c = await world.pod.database.db
        .selectFrom('ledger_connections')
        .select('payments_checked_at')
        .where('id', '=', world.connection.id)
        .executeTakeFirstOrThrow();
      expect(c.payments_checked_at && new Date(c.payments_checked_at) >= at).toBe(true);
    },
    { timeout: conditionMs, interval: 200 },
  );
}

describe('QuickBooks: webhooks, then CDC only for gaps', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('qbo', {
      env: { QBO_WEBHOOK_VERIFIER: 'events-verifier', PAYMENTS_CHECK_MINUTES: '0' },
    });
  });
  afterAll(() => world.close());

  it('a payment reaches ConnectWise after its webhook by a read of that payment, without any CDC or sweep', async () => {
    const ledgerId = await pushed(world, 9601);
    await post(world.ledgerSim.url, '/__sim/webhooks', {
      url: `${world.pod.url}/webhooks/qbo`,
      verifierToken: 'events-verifier',
    });
    const before = await traffic(world);
    await world.ledgerSim.recordPayment(ledgerId, '1658.93');
    const view = await world.waitFor(9601, written, 'paid with its payment written', conditionMs);
    expect(view.payments).toEqual([expect.objectContaining({ amount: '1658.93', state: 'written' })]);
    const calls = since(before, await traffic(world));
    expect(calls.byRoute['GET /v3/company/:realm/cdc']).toBeUndefined();
    expect(calls.byRoute['GET /v3/company/:realm/payment/:id']).toBe(1);
    // The sim's own payment POST is counted as well; the product read the payment and the invoice.
    expect(Object.keys(calls.byRoute).filter((r) => r.startsWith('GET'))).toEqual([
      'GET /v3/company/:realm/invoice/:id',
      'GET /v3/company/:realm/payment/:id',
    ]);
    const connection = await world.pod.database.db
      .selectFrom('ledger_connections')
      .select(['ledger_event_at', 'payments_checked_at'])
      .where('id', '=', world.connection.id)
      .executeTakeFirstOrThrow();
    expect(connection.ledger_event_at).not.toBeNull();
    expect(connection.payments_checked_at).toBeNull();
  });

  it('a missed webhook is closed by CDC once the webhooks have been quiet while a document is open', async () => {
    const ledgerId = await pushed(world, 9602);
    const first = new Date();
    // Start-up: one CDC for every QBO connection.
    expect(await checkDuePayments(world.workerDeps(), { startUp: true })).toEqual([
      { connectionId: world.connection.id, reason: 'start_up' },
    ]);
    await checkedSince(world, first);
    // Intuit signs with a verifier token this receiver does not have: every delivery is refused.
    await post(world.ledgerSim.url, '/__sim/webhooks', {
      url: `${world.pod.url}/webhooks/qbo`,
      verifierToken: 'a-rotated-token',
    });
    await world.ledgerSim.recordPayment(ledgerId, '1658.93');
    await vi.waitFor(
      async () => {
        const state = (await world.ledgerSim.control('GET', '/__sim/state')) as {
          webhooks: { failed: number };
        };
        expect(state.webhooks.failed).toBeGreaterThan(0);
      },
      { timeout: conditionMs, interval: 200 },
    );
    // Just checked and a webhook came lately: nothing is due, the payment waits.
    expect(await checkDuePayments(world.workerDeps())).toEqual([]);
    expect((await world.record(9602)).body.payments).toEqual([]);
    // Fifteen minutes of silence with a document open: CDC.
    const gap = new Date();
    expect(await checkDuePayments(world.workerDeps(), { now: minutes(16) })).toEqual([
      { connectionId: world.connection.id, reason: 'webhooks_quiet' },
    ]);
    const view = await world.waitFor(9602, written, 'paid by the CDC that closed the gap', conditionMs);
    expect(view.payments).toEqual([expect.objectContaining({ amount: '1658.93', state: 'written' })]);
    await checkedSince(world, gap);
    // Still written once, however often CDC sees it again.
    expect(await checkDuePayments(world.workerDeps(), { startUp: true })).toHaveLength(1);
    await checkedSince(world, new Date());
    const rows = await world.pod.database.db
      .selectFrom('payments')
      .select(['state'])
      .where('connection_id', '=', world.connection.id)
      .execute();
    expect(rows.map((r) => r.state)).toEqual(['written', 'written']);
    expect((await world.cwState()).payments).toHaveLength(2);
  });
});

describe('Xero: invoice webhooks and an adaptive poll', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('xero', {
      env: { XERO_WEBHOOK_KEY: 'events-xero-key', PAYMENTS_CHECK_MINUTES: '0' },
    });
  });
  afterAll(() => world.close());

  it('an idle connection with no open documents makes no calls, at start-up or days later', async () => {
    const before = await traffic(world);
    expect(await checkDuePayments(world.workerDeps(), { startUp: true })).toEqual([]);
    for (const later of [1, 61, 24 * 60, 7 * 24 * 60])
      expect(await checkDuePayments(world.workerDeps(), { now: minutes(later) })).toEqual([]);
    expect(since(before, await traffic(world)).total).toBe(0);
  });

  it('an open invoice paid in Xero reaches ConnectWise through the adaptive poll (no webhook)', async () => {
    const ledgerId = await pushed(world, 9701);
    const first = new Date();
    expect(await checkDuePayments(world.workerDeps())).toEqual([
      { connectionId: world.connection.id, reason: 'first_check' },
    ]);
    await checkedSince(world, first);
    await world.ledgerSim.recordPayment(ledgerId, '1658.93');
    expect(await checkDuePayments(world.workerDeps())).toEqual([]);
    // One open invoice, never paid before: the poll comes within its ceiling of 30 minutes.
    expect(await checkDuePayments(world.workerDeps(), { now: minutes(31) })).toEqual([
      { connectionId: world.connection.id, reason: 'poll' },
    ]);
    const view = await world.waitFor(9701, written, 'paid by the poll', conditionMs);
    expect(view.payments).toEqual([expect.objectContaining({ amount: '1658.93', state: 'written' })]);
  });

  it("an invoice webhook has that invoice's payments read, without a poll", async () => {
    const ledgerId = await pushed(world, 9702);
    await post(world.ledgerSim.url, '/__sim/webhooks', {
      url: `${world.pod.url}/webhooks/xero`,
      key: 'events-xero-key',
    });
    const before = await traffic(world);
    await world.ledgerSim.recordPayment(ledgerId, '1658.93');
    const view = await world.waitFor(9702, written, 'paid after the invoice webhook', conditionMs);
    expect(view.payments).toEqual([expect.objectContaining({ amount: '1658.93', state: 'written' })]);
    const calls = since(before, await traffic(world));
    // The invoice's payments (one call) and its balance: never the organisation's payment list again.
    expect(calls.byRoute['GET /api.xro/2.0/Payments']).toBe(1);
  });
});
