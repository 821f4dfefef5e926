import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toQboEntity } from '../../server/ledgers/quickbooks/mapping.js';
import { invoiceDoc, startHarness } from './harness.js';
import { checkAgainst, readXsd } from './xsd-reader.js';

const specs = '../shared/specs/qbo';
const schema = readXsd([
  `${specs}/IntuitBaseTypes.xsd`,
  `${specs}/IntuitNamesTypes.xsd`,
  `${specs}/Finance.xsd`,
]);

let h: Awaited<ReturnType<typeof startHarness>>;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('contract with Finance.xsd', () => {
  it('the reader sees the schema (sanity)', () => {
    expect(schema.complex.get('Invoice')?.base).toBe('SalesTransaction');
    expect(checkAgainst(schema, 'Invoice', { DocNumbr: 'x' })).toEqual([
      'Invoice.DocNumbr: not defined for Invoice',
    ]);
    expect(checkAgainst(schema, 'Invoice', { TotalAmt: '1.00' })[0]).toMatch(/not a xs:decimal/);
  });

  it('every entity the product sends uses only names and types Finance.xsd defines', () => {
    const doc = invoiceDoc();
    const samples: [string, unknown][] = [
      ['Invoice', toQboEntity(doc, '100')],
      ['CreditMemo', toQboEntity({ ...doc, type: 'credit_memo' }, '100')],
      ['Bill', toQboEntity({ ...doc, type: 'bill', taxMinor: 500n }, '200')],
      [
        'JournalEntry',
        toQboEntity(
          {
            type: 'journal',
            number: 'JE-1',
            date: '2024-05-01',
            currency: 'USD',
            decimals: 2,
            memo: 'adj',
            lines: [
              { description: 'dr', amountMinor: 1000n, accountKey: '6', classKey: '40' },
              { description: 'cr', amountMinor: -1000n, accountKey: '1', classKey: undefined },
            ],
          },
          undefined,
        ),
      ],
    ];
    for (const [type, entity] of samples) expect(checkAgainst(schema, type, entity)).toEqual([]);
  });

  it('every entity the simulator answers with fits Finance.xsd', async () => {
    const invoice = await h.ledger.create(invoiceDoc(), '100', 'contract-inv');
    await h.ledger.ensureParty(
      { kind: 'vendor', cwId: '3', accountNumber: 'V3', name: 'Supplier', email: 'a@b.test' },
      'v',
    );
    await h.ledger.ensureParty(
      { kind: 'customer', cwId: '4', accountNumber: 'C4', name: 'Client', email: 'c@d.test' },
      'c',
    );
    const credit = await h.ledger.create(
      { ...invoiceDoc(), type: 'credit_memo', number: 'CM-C' },
      '100',
      'contract-cm',
    );
    await h.control('POST', `/__sim/realms/${h.realmId}/payments`, { invoiceId: invoice.id, amount: 10 });
    await h.ledger.applyCredit({
      creditId: credit.id,
      invoiceId: invoice.id,
      amountMinor: 100n,
      currency: 'USD',
      decimals: 2,
      date: '2024-05-02',
      idempotencyKey: 'contract-apply',
    });
    const state = await h.state();
    const realm = state.realms[h.realmId] as Record<string, unknown[]>;
    let checked = 0;
    for (const [type, entities] of Object.entries(realm)) {
      for (const entity of entities) {
        expect(checkAgainst(schema, type, entity)).toEqual([]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
