import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalDocument, LedgerDocument } from '../../server/ledgers/ledger.js';
import { maxDocNumberLength } from '../../server/ledgers/quickbooks/mapping.js';
import { storedErrorOf } from '../../server/records/stored-error.js';
import { invoiceDoc, startHarness } from './harness.js';

/**
 * QuickBooks Online's preflight (the pod's check before ConnectWise saves) refuses what `create`
 * would refuse, as the same error, and writes nothing: it may read the company's tax setup (the
 * reads `create` makes too), never send a document. Each refusal is compared with create's own.
 */
type Harness = Awaited<ReturnType<typeof startHarness>>;
type Traffic = { byRoute: Record<string, number> };

/** Routes other than reads the simulator saw since `before`. */
async function writesSince(h: Harness, before: Traffic): Promise<string[]> {
  const now = (await h.control('GET', '/__sim/traffic')) as Traffic;
  return Object.entries(now.byRoute)
    .filter(([route, n]) => n !== (before.byRoute[route] ?? 0) && !route.startsWith('GET '))
    .map(([route]) => route);
}

/** Preflight's refusal and create's, as the pipeline stores them; create must have written nothing either. */
async function refusedAlike(h: Harness, document: LedgerDocument, code: string) {
  const before = (await h.control('GET', '/__sim/traffic')) as Traffic;
  const checked = await h.ledger.preflight(document).then(() => undefined, storedErrorOf);
  const pushed = await h.ledger
    .create(document, document.type === 'journal' ? undefined : '100', `create-${document.number}`)
    .then(() => undefined, storedErrorOf);
  expect(checked).toBeDefined();
  expect(checked).toEqual(pushed);
  expect(checked).toMatchObject({ code, retryable: false });
  // Refused before sending: the only POSTs a write could make (the document's create) never went out.
  expect(await writesSince(h, before)).toEqual([]);
  return checked!;
}

const journal = (overrides: Partial<JournalDocument> = {}): JournalDocument => ({
  type: 'journal',
  number: 'JE-1',
  date: '2024-05-01',
  currency: 'USD',
  decimals: 2,
  memo: 'adj',
  lines: [
    { description: 'dr', amountMinor: 1000n, accountKey: '6', classKey: undefined },
    { description: 'cr', amountMinor: -1000n, accountKey: '1', classKey: undefined },
  ],
  ...overrides,
});

describe('QuickBooks Online preflight, US company', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('passes a document QBO takes, writing nothing, and create then books it', async () => {
    const before = (await h.control('GET', '/__sim/traffic')) as Traffic;
    await expect(h.ledger.preflight(invoiceDoc({ number: 'PF-CLEAN' }))).resolves.toBeUndefined();
    expect(await writesSince(h, before)).toEqual([]);
    expect((await h.state()).realms[h.realmId].Invoice ?? []).toHaveLength(0);
    expect((await h.ledger.create(invoiceDoc({ number: 'PF-CLEAN' }), '100', 'clean')).number).toBe(
      'PF-CLEAN',
    );
  });

  it(`a DocNumber over ${maxDocNumberLength} characters (domain.md §6), and exactly ${maxDocNumberLength} passes`, async () => {
    const long = 'INV-2024-000000000001'.padEnd(maxDocNumberLength + 1, '9');
    expect(long).toHaveLength(22);
    const error = await refusedAlike(h, invoiceDoc({ number: long }), 'document_number_too_long');
    expect(error.message).toBe(
      `Document number "${long}" has 22 characters; QuickBooks Online allows at most 21`,
    );
    await expect(h.ledger.preflight(invoiceDoc({ number: long.slice(1) }))).resolves.toBeUndefined();
  });

  it('a credit memo and a journal entry with a number over the limit, as the invoice', async () => {
    const long = 'X'.repeat(maxDocNumberLength + 1);
    await refusedAlike(h, invoiceDoc({ type: 'credit_memo', number: long }), 'document_number_too_long');
    await refusedAlike(h, journal({ number: long }), 'document_number_too_long');
    await expect(h.ledger.preflight(journal())).resolves.toBeUndefined();
  });
});

describe('QuickBooks Online preflight, its tax setup read from the company', () => {
  let noTax: Harness;
  let global: Harness;
  beforeAll(async () => {
    [noTax, global] = await Promise.all([startHarness(), startHarness()]);
    await noTax.control('POST', '/__sim/seed', {
      companies: { [noTax.realmId]: { Country: 'US', UsingSalesTax: false } },
    });
    await global.control('POST', '/__sim/seed', {
      companies: { [global.realmId]: { Country: 'GB', UsingSalesTax: true, PartnerTaxEnabled: false } },
    });
  });
  afterAll(() => Promise.all([noTax?.close(), global?.close()]));

  it('tax on a document when the company has sales tax off', async () => {
    const error = await refusedAlike(noTax, invoiceDoc({ number: 'PF-NOTAX' }), 'ledger_tax_setup');
    expect(error.message).toContain('PF-NOTAX carries 8.25 USD of tax, but sales tax is off');
    // Without tax the same company takes it.
    const untaxed = invoiceDoc({
      number: 'PF-NOTAX-0',
      lines: invoiceDoc().lines.map((l) => ({ ...l, taxKey: undefined })),
      taxMinor: 0n,
      totalMinor: 8999n,
    });
    await expect(noTax.ledger.preflight(untaxed)).resolves.toBeUndefined();
  });

  it('a line without a tax code in a company outside the US', async () => {
    const [line] = invoiceDoc().lines;
    const document = invoiceDoc({
      number: 'PF-GB',
      lines: [{ ...line!, taxKey: undefined }],
      taxMinor: 0n,
      totalMinor: line!.amountMinor,
    });
    const error = await refusedAlike(global, document, 'tax_code_missing');
    expect(error.message).toContain('has no QuickBooks tax code');
  });
});
