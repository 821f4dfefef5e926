import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cw-tenant.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Pushes into a period the books lock (QBO closing date, Xero lock dates; server/ledgers/books-lock.ts)
 * are refused before any ledger write and any CW batch, with one stored error; when the lock moved
 * after our read, the ledger's own refusal becomes the same error and nothing is left half-done.
 */
type Traffic = { byRoute: Record<string, number> };
const traffic = async (url: string): Promise<Traffic> =>
  (await fetch(`${url}/__sim/traffic`)).json() as Promise<Traffic>;
/** The ledger writes (creates, updates) made between two snapshots; queries are reads. */
const writesBetween = (before: Traffic, after: Traffic) =>
  Object.entries(after.byRoute)
    .filter(([route, n]) => n > (before.byRoute[route] ?? 0))
    .map(([route]) => route)
    .filter((route) => /^(POST|PUT) /.test(route) && !route.endsWith('/query'));

describe.each(['qbo', 'xero'] as const)('pushes into a locked period (%s)', (kind) => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld(kind);
  });
  afterAll(() => world.close());

  /** Sets the books' lock in the simulator as an accountant would; null opens the books. */
  const lockBooks = (through: string | null, extra: Record<string, unknown> = {}) =>
    kind === 'qbo'
      ? world.ledgerSim.control('POST', `/__sim/realms/${world.ledgerSim.externalId}/close-books`, {
          closeDate: through,
          ...extra,
        })
      : world.ledgerSim.control('POST', `/__sim/tenants/${world.ledgerSim.externalId}/lock-dates`, {
          periodLockDate: through,
          ...extra,
        });

  const push = async (cwId: number) => {
    const res = await world.pushRecord('invoice', cwId);
    expect(res.status).toBe(202);
    return world.waitForState(cwId, ['synced', 'error'], 45_000);
  };
  const documentsNumbered = async (number: string) =>
    (await world.ledgerDocuments('invoice')).filter((d) => d.number === number);
  const batchesOf = async (number: string) =>
    (await world.cwState()).batches.filter((b) => b.batchIdentifier === `LP-${number}`);
  const dated = (cwId: number, number: string, day: string) =>
    invoice(cwId, number, {
      company: { id: 8100, identifier: 'Locks', name: 'Locks Ltd' },
      date: `${day}T00:00:00Z`,
    });

  it('a record dated on the lock date is refused with no ledger write and no CW batch', async () => {
    await lockBooks('2024-05-31');
    await world.seedInvoices([dated(8101, 'LK-8101', '2024-05-31')]);
    const before = await traffic(world.ledgerSim.url);
    const view = await push(8101);
    expect(view.state).toBe('error');
    expect(view.error).toMatchObject({ code: 'period_locked', retryable: false });
    const lockWords = kind === 'qbo' ? "QuickBooks Online's closing date" : "Xero's period lock date";
    expect(view.error!.message).toBe(
      `The books are locked for this date: Invoice LK-8101 is dated 2024-05-31, on or before ${lockWords}, 2024-05-31`,
    );
    expect(view.error!.hint).toMatch(
      /^Reopen the period in the books .* then sync again; nothing was booked and no ConnectWise batch was made\.$/,
    );
    // A viewer is told whom to ask, with the same fix.
    const asViewer = await api(world.pod.url, world.token.viewer, 'GET', '/api/v1/records/invoice/8101');
    expect(asViewer.body.error.hint).toMatch(
      /^Ask an accountant or a Ledgerpod admin to fix this; what needs doing: reopen the period in the books/,
    );
    // Only the settings read (QBO Preferences and CompanyInfo, Xero /Organisation): no party, no document.
    expect(writesBetween(before, await traffic(world.ledgerSim.url))).toEqual([]);
    expect(await documentsNumbered('LK-8101')).toEqual([]);
    expect(await batchesOf('LK-8101')).toEqual([]);
  });

  it('a record dated the day after the lock is pushed and batched', async () => {
    await world.seedInvoices([dated(8102, 'LK-8102', '2024-06-01')]);
    expect((await push(8102)).state).toBe('synced');
    expect(await documentsNumbered('LK-8102')).toHaveLength(1);
    expect(await batchesOf('LK-8102')).toHaveLength(1);
  });

  it('a lock moved after our read: the ledger refuses, the same error, and once lifted one document, one batch', async () => {
    // The product still holds the 2024-05-31 read: the lock it does not know of is the ledger's to refuse.
    await lockBooks('2024-06-30');
    await world.seedInvoices([dated(8103, 'LK-8103', '2024-06-10')]);
    const refused = await push(8103);
    expect(refused.state).toBe('error');
    expect(refused.error).toMatchObject({ code: 'period_locked', retryable: false });
    expect(refused.error!.message).toMatch(
      kind === 'qbo'
        ? /^The books are locked for this date: Invoice LK-8103 is dated 2024-06-10; the ledger refused it: Account Period Closed: The account period has closed/
        : /^The books are locked for this date: Invoice LK-8103 is dated 2024-06-10; the ledger refused it: The document date cannot be before the period lock date, currently set at 30-Jun-2024$/,
    );
    expect(await documentsNumbered('LK-8103')).toEqual([]);
    expect(await batchesOf('LK-8103')).toEqual([]);

    await lockBooks(null);
    expect((await push(8103)).state).toBe('synced');
    expect(await documentsNumbered('LK-8103')).toHaveLength(1);
    expect(await batchesOf('LK-8103')).toHaveLength(1);
  });

  if (kind === 'qbo') {
    it('a company whose Preferences do not show its closing date: QBO refuses (6210), the same error', async () => {
      await lockBooks('2024-07-31', { shownInPreferences: false });
      await world.seedInvoices([dated(8104, 'LK-8104', '2024-07-15')]);
      const view = await push(8104);
      expect(view.error).toMatchObject({ code: 'period_locked', retryable: false });
      expect(view.error!.message).toMatch(/the ledger refused it: Account Period Closed/);
      expect(await documentsNumbered('LK-8104')).toEqual([]);
      expect(await batchesOf('LK-8104')).toEqual([]);
      await lockBooks(null, { shownInPreferences: true });
    });
  }
});

describe('a Xero connection as an adviser, whom Xero lets past the period lock', () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld('xero');
  });
  afterAll(() => world.close());

  it('the period lock is honoured all the same: refused before any write', async () => {
    await world.ledgerSim.control('POST', `/__sim/tenants/${world.ledgerSim.externalId}/lock-dates`, {
      periodLockDate: '2024-07-31',
      adviser: true,
    });
    await world.seedInvoices([
      invoice(8201, 'LK-8201', {
        company: { id: 8200, identifier: 'Adv', name: 'Adviser Ltd' },
        date: '2024-07-15T00:00:00Z',
      }),
    ]);
    const before = await traffic(world.ledgerSim.url);
    expect((await world.pushRecord('invoice', 8201)).status).toBe(202);
    const view = await world.waitForState(8201, ['synced', 'error'], 45_000);
    expect(view.error).toMatchObject({ code: 'period_locked', retryable: false });
    expect(view.error!.message).toMatch(/on or before Xero's period lock date, 2024-07-31$/);
    expect(writesBetween(before, await traffic(world.ledgerSim.url))).toEqual([]);
    expect((await world.cwState()).batches.filter((b) => b.batchIdentifier === 'LP-LK-8201')).toEqual([]);
  });
});
