import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalDocument } from '../../server/ledgers/ledger.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { createXeroLedger } from '../../server/ledgers/xero/client.js';
import { startXeroSim } from '../../sim/xero/index.js';
import { SimTokens } from '../xero/support/xero-fixture.js';

/**
 * Xero manual journals carry no currency: they are in the organisation's base currency, read from
 * GET /Organisation (domain.md §8), not assumed to be USD.
 */
const NZ = 'c0ffee00-0000-4000-8000-000000000001';
const IS = 'c0ffee00-0000-4000-8000-000000000002';

const journal = (overrides: Partial<JournalDocument> = {}): JournalDocument => ({
  type: 'journal',
  number: 'JE-77',
  date: '2024-03-31',
  currency: 'NZD',
  decimals: 2,
  memo: 'Accrual',
  lines: [
    { description: 'Wages', amountMinor: 12_345n, accountKey: '477', classKey: undefined },
    { description: 'Payable', amountMinor: -12_345n, accountKey: '800', classKey: undefined },
  ],
  ...overrides,
});

describe('Xero manual journals in the organisation base currency', () => {
  let running: Awaited<ReturnType<typeof startXeroSim>>;
  const ledgerFor = (tenant: string) =>
    createXeroLedger({
      apiBaseUrl: `${running.url}/api.xro/2.0`,
      xeroTenantId: tenant,
      tokens: new SimTokens(() => running.sim.issueTokens().accessToken),
      appUrl: 'https://go.xero.com',
      timeoutMs: 5_000,
    });

  beforeAll(async () => {
    running = await startXeroSim();
    running.sim.seed({
      defaults: true,
      tenants: {
        [NZ]: { name: 'Kiwi IT Ltd', baseCurrency: 'NZD' },
        [IS]: { name: 'Íslensk Tölvuþjónusta ehf', baseCurrency: 'ISK' },
      },
    });
  });
  afterAll(() => running.close());

  it('the simulator answers /Organisation with BaseCurrency, shaped like the published example', async () => {
    const response = await fetch(`${running.url}/api.xro/2.0/Organisation`, {
      headers: {
        authorization: `Bearer ${running.sim.issueTokens().accessToken}`,
        'xero-tenant-id': NZ,
        accept: 'application/json',
      },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { Organisations: { BaseCurrency: string; Name: string }[] };
    expect(body.Organisations).toEqual([
      expect.objectContaining({ BaseCurrency: 'NZD', Name: 'Kiwi IT Ltd' }),
    ]);
  });

  it('a journal pushed, found and read back is in NZD for a New Zealand organisation', async () => {
    const ledger = ledgerFor(NZ);
    const ref = await ledger.create(journal(), undefined, 'je-nz');
    expect(ref).toMatchObject({ type: 'journal', currency: 'NZD', totalMinor: 12_345n, decimals: 2 });
    expect((await ledger.findByNumbers('journal', ['JE-77'])).get('JE-77')?.currency).toBe('NZD');
    expect((await ledger.get('journal', ref.id)).currency).toBe('NZD');
  });

  it('an ISK organisation reads its journals as ISK, at Xero 2 dp', async () => {
    const ledger = ledgerFor(IS);
    const ref = await ledger.create(
      journal({
        number: 'JE-IS',
        currency: 'ISK',
        decimals: 0,
        lines: [
          { description: 'Laun', amountMinor: 250_000n, accountKey: '477', classKey: undefined },
          { description: 'Skuld', amountMinor: -250_000n, accountKey: '800', classKey: undefined },
        ],
      }),
      undefined,
      'je-is',
    );
    expect(ref).toMatchObject({ currency: 'ISK', decimals: 2, totalMinor: 25_000_000n });
  });

  it('a journal in another currency is refused, saying why and what to do, and nothing is booked', async () => {
    const ledger = ledgerFor(NZ);
    const before = running.sim.tenants.get(NZ)!.ManualJournals.length;
    const error = await ledger.create(journal({ number: 'JE-US', currency: 'USD' }), undefined, 'je-us').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).providerMessage).toMatch(
      /base currency, NZD.*Post it in ConnectWise in NZD/,
    );
    expect(running.sim.tenants.get(NZ)!.ManualJournals).toHaveLength(before);
  });
});
