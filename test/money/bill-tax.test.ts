import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glExportSchema } from '../../server/connectwise/schemas.js';
import type { SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { createQuickBooksLedger } from '../../server/ledgers/quickbooks/client.js';
import { toMinor } from '../../server/money.js';
import { mappingsFrom } from '../../server/sync/mappings.js';
import { mapRecord } from '../../server/sync/push-other.js';
import { buildProcurement } from '../../sim/connectwise/fixtures.js';
import { buildGlExport } from '../../sim/connectwise/gl-export.js';
import { ConnectWiseState } from '../../sim/connectwise/state.js';
import { startHarness } from '../quickbooks/harness.js';

/**
 * Issue 13, bills outside the US: a non-US QuickBooks company needs a TaxCodeRef on every bill line,
 * recomputes tax from the codes (on their purchase rates) and ignores a bare TotalTax, as for sales
 * (domain.md §8). So a CW purchase is booked with its mapped code on taxed lines, the exempt code on
 * the rest, and CW's purchase tax as TaxLine overrides per rate: the same code as invoices.
 */
const purchase = buildProcurement({
  id: 8801,
  procurementType: 'Purchase',
  vendorInvoiceNumber: 'TD-8801',
  taxCode: { id: 20, name: 'VAT20' },
  lines: [
    { item: 'ROUTER', description: 'Router', quantity: 3, unitCost: 33.33, taxable: true },
    { item: 'CABLE', description: 'Cable (zero-rated)', quantity: 10, unitCost: 2.5, taxable: false },
  ],
  // The vendor charged 20.01 (its own rounding); QBO would compute 20.00 (20% of 99.99): CW's is booked.
  tax: 20.01,
});

const exportOf = (record: typeof purchase) => {
  const state = new ConnectWiseState('ledgerpod');
  state.seed({ procurement: [record as never] });
  return glExportSchema.parse(buildGlExport(state, [{ kind: 'procurement', id: record.id }]));
};
const mappings = mappingsFrom([
  { kind: 'gl_account', cw_key: '1400', ledger_key: '3' },
  { kind: 'gl_account', cw_key: '1500', ledger_key: '4' },
  { kind: 'tax_code', cw_key: 'VAT20', ledger_key: '120' },
  { kind: 'tax_code', cw_key: '__exempt__', ledger_key: '190' },
]);
const global = { model: 'global', country: 'GB', automatedSalesTax: false } as const;
const mapWith = (tax_setup: typeof global | null, with_ = mappings) =>
  mapRecord(
    'procurement',
    exportOf(purchase),
    purchase as never,
    { mappings: with_, connection: { id: 'c1', kind: 'qbo', tax_setup } },
    'PO-8801',
    String(purchase.id),
    purchase.id,
    'purchase 8801',
    '0.05',
  );
const mapped = (tax_setup: typeof global | null) => mapWith(tax_setup).document as SalesOrBillDocument;

describe('a CW purchase mapped for a non-US QuickBooks company', () => {
  it("codes every line (exempt where CW did not tax) and carries CW's tax per code, not as a line", () => {
    const bill = mapped(global);
    expect(bill.lines.map((l) => [l.description, l.amountMinor, l.taxKey, l.taxable])).toEqual([
      ['Router', 9999n, '120', true],
      ['Cable (zero-rated)', 2500n, '190', false],
    ]);
    expect(bill.taxes).toEqual([{ taxKey: '120', cwCodes: ['VAT20'], taxableMinor: 9999n, taxMinor: 2001n }]);
    expect(bill.taxMinor).toBe(2001n);
    expect(bill.totalMinor).toBe(14_500n);
  });

  it('for a US company the purchase tax stays a line on its GL account, as CW posted it', () => {
    const bill = mapped(null);
    expect(bill.lines.map((l) => [l.accountKey, l.amountMinor, l.taxKey])).toEqual([
      ['3', 9999n, undefined],
      ['3', 2500n, undefined],
      ['4', 2001n, undefined],
    ]);
    expect(bill.taxMinor).toBe(0n);
  });

  it('an unmapped exempt code is named for the admin to map, as for invoices', () => {
    const withoutExempt = mappingsFrom([
      { kind: 'gl_account', cw_key: '1400', ledger_key: '3' },
      { kind: 'tax_code', cw_key: 'VAT20', ledger_key: '120' },
    ]);
    expect(() => mapWith(global, withoutExempt)).toThrow(
      expect.objectContaining({ stored: expect.objectContaining({ code: 'tax_code_unmapped' }) }),
    );
  });
});

describe('the bill in a UK QuickBooks company (simulator, real SDK)', () => {
  let qbo: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    qbo = await startHarness();
    await qbo.control('POST', '/__sim/seed', {
      realms: {
        [qbo.realmId]: {
          Vendor: [{ Id: '200', DisplayName: 'Tech Data Corporation' }],
          TaxRate: [
            { Id: '1201', Name: '20.0% ECG', RateValue: 20 },
            { Id: '1202', Name: '20.0% S (sales)', RateValue: 20 },
            { Id: '1901', Name: '0.0% Z', RateValue: 0 },
          ],
          TaxCode: [
            {
              Id: '120',
              Name: '20.0% S',
              Taxable: true,
              SalesTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: '1202' } }] },
              PurchaseTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: '1201' } }] },
            },
            {
              Id: '190',
              Name: '0.0% Z',
              Taxable: false,
              SalesTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: '1901' } }] },
              PurchaseTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: '1901' } }] },
            },
          ],
        },
      },
      companies: { [qbo.realmId]: { Country: 'GB', UsingSalesTax: true, PartnerTaxEnabled: false } },
    });
  }, 60_000);
  afterAll(() => qbo.close());

  const stored = async (number: string) =>
    ((await qbo.state()).realms[qbo.realmId].Bill as Record<string, any>[]).find(
      (b) => b.DocNumber === number,
    )!;

  it("books CW's total, every line coded, CW's tax on the code's purchase rate", async () => {
    const ref = await qbo.ledger.create(mapped(global), '200', 'bill-8801');
    expect(ref.totalMinor).toBe(14_500n);
    const bill = await stored('TD-8801');
    expect(bill.GlobalTaxCalculation).toBe('TaxExcluded');
    expect((bill.Line as any[]).map((l) => l.AccountBasedExpenseLineDetail.TaxCodeRef?.value)).toEqual([
      '120',
      '190',
    ]);
    const perRate = Object.fromEntries(
      (bill.TxnTaxDetail.TaxLine as any[]).map((t) => [
        t.TaxLineDetail.TaxRateRef.value,
        toMinor(t.Amount, 2),
      ]),
    );
    expect(perRate).toEqual({ '1201': 2001n, '1901': 0n });
  });

  it('the simulator fails the old booking: uncoded lines are refused, a bare TotalTax is ignored', async () => {
    // As bills were booked before: no code on lines, tax as a line or as a bare TotalTax.
    const asUs = createQuickBooksLedger({
      apiBaseUrl: `${qbo.url}/v3/company/`,
      realmId: qbo.realmId,
      tokens: qbo.tokens,
      taxModel: 'us',
      timeoutMs: 5_000,
    });
    await expect(asUs.create({ ...mapped(null), number: 'TD-OLD' }, '200', 'bill-old')).rejects.toMatchObject(
      {
        code: 'ledger_validation',
      },
    );
    // Codes on every line but CW's tax only as a bare TotalTax: QBO computes its own from the codes.
    const { taxes: _taxes, ...coded } = mapped(global);
    const bare = await asUs.create({ ...coded, number: 'TD-BARE' }, '200', 'bill-bare');
    expect(toMinor((await stored('TD-BARE')).TxnTaxDetail.TotalTax, 2)).toBe(2000n);
    expect(bare.totalMinor).toBe(14_499n);
  });
});
