import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glTransactionSchema } from '../../server/connectwise/schemas.js';
import { salesDocumentFromGl } from '../../server/pipeline/map/invoices-and-credits.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { toMinor } from '../../server/shared/money.js';
import { buildInvoiceWithGl, type InvoiceInput } from '../../sim/connectwise/fixtures.js';
import { startHarness } from '../quickbooks/harness.js';

/**
 * Issue 13, CW's multi-level tax: a CW tax code has up to five levels (Canada's BC: GST 5% at level 1,
 * PST 7% at level 2), each line is taxed or not per level (taxableFlag, taxable2Flag..taxable5Flag)
 * and the export has one ST line per level (the fixture follows the real Zynk export). Booked as one
 * combined ledger code per level set, or refused with tax_levels_unsupported.
 */
const party = { kind: 'customer' as const, cwId: '1', accountNumber: 'A', name: 'A', email: undefined };
const bc = [
  { level: 1, percent: 5 },
  { level: 2, percent: 7 },
];
const mappings = (extra: { kind: 'tax_code'; cw_key: string; ledger_key: string }[] = []) =>
  mappingsFrom([
    { kind: 'gl_account', cw_key: '4000', ledger_key: '1' },
    { kind: 'tax_code', cw_key: 'BC', ledger_key: '30' },
    { kind: 'tax_code', cw_key: '__exempt__', ledger_key: '40' },
    ...extra,
  ]);
const built = (input: Partial<InvoiceInput>) =>
  glTransactionSchema.parse(
    buildInvoiceWithGl({
      number: 'BC-1',
      currency: { currencyCode: 'CAD' },
      taxCode: { id: 3, name: 'BC' },
      taxLevels: bc,
      lines: [],
      ...input,
    }).glTransaction,
  );
const map = (transaction: ReturnType<typeof built>, m = mappings()) =>
  salesDocumentFromGl(transaction, { mappings: m, party, roundingLimit: '0', exemptCodeRequired: true });

const bothLevels = built({
  lines: [
    { description: 'Managed services', quantity: 3, unitPrice: 333.37 },
    { description: 'Licence pass-through', quantity: 1, unitPrice: 120, taxable: false },
  ],
});

describe("CW's tax levels as the product reads them", () => {
  it('lines taxed at every level, or at none, are booked under one combined code with each level', () => {
    // The fixture's export: ST per level, the flags per line and level, the transaction's taxLevels.
    expect(bothLevels.detail!.filter((d) => d.glTypeId === 'ST').map((d) => d.description)).toEqual([
      'Level 1 Sales Tax',
      'Level 2 Sales Tax',
    ]);
    const result = map(bothLevels);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.lines.map((l) => [l.taxKey, l.taxable])).toEqual([
      ['30', true],
      ['40', false],
    ]);
    // 1000.11 at 5% = 50.01 (level 1) and at 7% = 70.01 (level 2), CW's own figures per level.
    expect(result.document.taxes).toEqual([
      {
        taxKey: '30',
        cwCodes: ['BC'],
        taxableMinor: 100_011n,
        taxMinor: 12_002n,
        levels: [
          { percent: '5', taxMinor: 5_001n },
          { percent: '7', taxMinor: 7_001n },
        ],
      },
    ]);
  });

  it('a line taxed only at a level that charged tax is taxed, though its level-1 flag is off', () => {
    // Level 1 charges nothing here (no line is taxed at it): before, taxableFlag alone decided, the
    // line went to the exempt code and level 2's tax had no line to sit on.
    const result = map(
      built({ lines: [{ description: 'PST only', quantity: 1, unitPrice: 100, taxedAtLevels: [2] }] }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.lines.map((l) => [l.taxKey, l.taxable])).toEqual([['30', true]]);
    expect(result.document.taxMinor).toBe(700n);
  });

  it('a line taxed at one charged level and not another is refused, saying so', () => {
    const result = map(
      built({
        lines: [
          { description: 'Both', quantity: 1, unitPrice: 100 },
          { description: 'GST only', quantity: 1, unitPrice: 50, taxedAtLevels: [1] },
        ],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        code: 'tax_levels_unsupported',
        detail:
          'line "GST only" is taxed at level 1 but not at level 2, and a ledger line takes one tax code',
      },
    ]);
  });

  it('levels under CW codes mapped to different ledger codes are refused', () => {
    const transaction = built({ lines: [{ description: 'Both', quantity: 1, unitPrice: 100 }] });
    // Level 2 charged under its own CW code (PST), mapped to another ledger code.
    for (const d of transaction.detail!) if (d.description === 'Level 2 Sales Tax') d.taxCodeXref = 'PST';
    const result = map(transaction, mappings([{ kind: 'tax_code', cw_key: 'PST', ledger_key: '31' }]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.code)).toEqual(['tax_levels_unsupported']);
  });
});

describe('a two-level CW invoice in a Canadian QuickBooks company (global tax model)', () => {
  let qbo: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    qbo = await startHarness();
    await qbo.control('POST', '/__sim/seed', {
      realms: {
        [qbo.realmId]: {
          TaxRate: [
            { Id: '305', Name: 'GST 5%', RateValue: 5 },
            { Id: '307', Name: 'PST (BC) 7%', RateValue: 7 },
            { Id: '400', Name: 'Exempt 0%', RateValue: 0 },
          ],
          TaxCode: [
            {
              Id: '30',
              Name: 'GST/PST BC',
              Taxable: true,
              SalesTaxRateList: {
                TaxRateDetail: [{ TaxRateRef: { value: '305' } }, { TaxRateRef: { value: '307' } }],
              },
            },
            {
              Id: '40',
              Name: 'Exempt',
              Taxable: false,
              SalesTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: '400' } }] },
            },
          ],
        },
      },
      companies: { [qbo.realmId]: { Country: 'CA', UsingSalesTax: true, PartnerTaxEnabled: false } },
    });
  });
  afterAll(() => qbo.close());

  it("books CW's total, and each level's tax on its rate", async () => {
    const result = map(bothLevels);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const ref = await qbo.ledger.create(result.document, '100', 'bc-1');
    expect(ref.totalMinor).toBe(toMinor(bothLevels.total!, 2));
    const invoice = ((await qbo.state()).realms[qbo.realmId].Invoice as any[]).find(
      (i) => i.DocNumber === 'BC-1',
    );
    const perRate = Object.fromEntries(
      (invoice.TxnTaxDetail.TaxLine as any[]).map((t) => [t.TaxLineDetail.TaxRateRef.value, t.Amount]),
    );
    expect(perRate).toEqual({ '305': 50.01, '307': 70.01, '400': 0 });
  });
});
