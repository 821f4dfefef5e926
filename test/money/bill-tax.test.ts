import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glExportSchema } from '../../server/connectwise/schemas.js';
import type { SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { createQuickBooksLedger } from '../../server/ledgers/quickbooks/client.js';
import { mapRecord } from '../../server/pipeline/push-gl-record.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { toMinor } from '../../server/shared/money.js';
import { buildProcurement } from '../../sim/connectwise/fixtures.js';
import { buildGlExport } from '../../sim/connectwise/gl-export.js';
import { ConnectWiseState } from '../../sim/connectwise/state.js';
import { startHarness } from '../quickbooks/harness.js';
import { startXeroFixture, TENANT } from '../xero/support/xero-fixture.js';
import { connectionFor, cwPurchase, cwTaxCodes, mappingsFor } from './tax-cases.js';

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
  });
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

/**
 * Issue 13, Xero bills: Xero reports input tax from each bill line's TaxType and TaxAmount, so CW's
 * purchase tax is booked per code on the lines CW taxed (never as lines on CW's purchase tax account,
 * which a VAT/GST return does not read), no line's tax above its amount, untaxed lines at no tax.
 */
const vat20 = cwTaxCodes.findIndex((c) => c.cw === 'VAT20');
const gst5 = cwTaxCodes.findIndex((c) => c.cw === 'GST5');
const xeroPurchase = () => {
  const made = cwPurchase({
    type: 'invoice',
    currency: { code: 'GBP' as 'EUR', decimals: 2 },
    lines: [
      { quantity: '3', price: '33.33', taxable: true, code: vat20 },
      { quantity: '2', price: '41.07', taxable: true, code: gst5 },
      { quantity: '1', price: '250', taxable: false, code: vat20 },
      { quantity: '1', price: '12.34', taxable: true, code: vat20 },
    ],
  });
  // The vendor's VAT is a penny above what Xero's rate gives (its own rounding): CW's figure is booked.
  const purchase = made.glExport.purchaseTransactions![0]!;
  const vatEntry = purchase.purchaseDetailTax!.find((t) => t.taxCode?.identifier === 'VAT20')!;
  vatEntry.total = Math.round((vatEntry.total! - 0.01) * 100) / 100;
  purchase.total = Math.round((purchase.total! + 0.01) * 100) / 100;
  const cwTax = (code: string) =>
    -toMinor(purchase.purchaseDetailTax!.find((t) => t.taxCode?.identifier === code)!.total!, 2);
  return { ...made, purchase, cwTax };
};
const mapXeroBill = () => {
  const { glExport, unposted, purchase, cwTax } = xeroPurchase();
  const mapped = mapRecord(
    'procurement',
    glExport,
    unposted,
    { mappings: mappingsFor('xero'), connection: connectionFor('xero') },
    'PUR-1',
    'P1',
    1,
    'Purchase 1',
    '0.05',
  );
  return { bill: mapped.document as SalesOrBillDocument, totalMinor: toMinor(purchase.total!, 2), cwTax };
};

describe('a CW purchase mapped for Xero', () => {
  it("carries CW's purchase tax per code on the taxed lines, not as lines on the tax account", () => {
    const { bill, totalMinor, cwTax } = mapXeroBill();
    expect(bill.lines.map((l) => [l.amountMinor, l.taxKey, l.taxable])).toEqual([
      [9999n, 'XVAT20', true],
      [8214n, 'XGST5', true],
      [25_000n, undefined, false],
      [1234n, 'XVAT20', true],
    ]);
    expect(bill.lines.some((l) => l.accountKey === '820')).toBe(false);
    expect(bill.taxes?.map((t) => [t.taxKey, t.taxMinor])).toEqual([
      ['XVAT20', cwTax('VAT20')],
      ['XGST5', cwTax('GST5')],
    ]);
    expect(bill.totalMinor).toBe(totalMinor);
  });
});

describe('the bill in a Xero organisation (simulator, real SDK)', () => {
  let fx: Awaited<ReturnType<typeof startXeroFixture>>;
  beforeAll(async () => {
    fx = await startXeroFixture({ timeoutMs: 5_000 } as never);
    fx.sim.seed({
      defaults: true,
      tenants: {
        [TENANT]: {
          name: 'Contoso Managed IT',
          Accounts: [{ Code: '300', Name: 'Purchases', Type: 'DIRECTCOSTS' }],
          TaxRates: cwTaxCodes.map((c) => ({
            TaxType: `X${c.cw}`,
            Name: c.cw,
            EffectiveRate: Number(c.percent),
          })),
        },
      },
    });
  });
  afterAll(() => fx.close());

  it("each line's TaxAmount adds up to CW's tax per rate, none above its line, total CW's", async () => {
    const { bill: doc, totalMinor, cwTax } = mapXeroBill();
    const contactId = await fx.ledger.ensureParty(doc.party, 'vendor');
    const ref = await fx.ledger.create(doc, contactId, 'pur-1');
    expect(ref.totalMinor).toBe(totalMinor);
    const bill = fx.books().Invoices.find((i) => i.InvoiceNumber === 'VI-1')!;
    expect(bill.Type).toBe('ACCPAY');
    const lines = bill.LineItems as {
      AccountCode: string;
      TaxType: string;
      TaxAmount: number;
      LineAmount: number;
    }[];
    expect(lines.map((l) => l.AccountCode)).not.toContain('820');
    const perType = new Map<string, bigint>();
    for (const line of lines) {
      perType.set(line.TaxType, (perType.get(line.TaxType) ?? 0n) + toMinor(line.TaxAmount, 2));
      expect(Math.abs(line.TaxAmount)).toBeLessThanOrEqual(Math.abs(line.LineAmount));
    }
    expect(perType.get('XVAT20')).toBe(cwTax('VAT20'));
    expect(perType.get('XGST5')).toBe(cwTax('GST5'));
    // The line CW did not tax is at no tax, so the return does not count it as taxed.
    expect(lines[2]).toMatchObject({ TaxType: 'NONE', TaxAmount: 0 });
    expect(toMinor(bill.TotalTax as number, 2)).toBe(cwTax('VAT20') + cwTax('GST5'));
    expect(toMinor(bill.Total as number, 2)).toBe(totalMinor);
  });

  it('the simulator refuses a bill line whose TaxAmount is above the line amount, as on a sale', async () => {
    const { bill: doc } = mapXeroBill();
    const contactId = await fx.ledger.ensureParty(doc.party, 'vendor');
    const response = await fetch(`${fx.url}/api.xro/2.0/Invoices`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${await fx.tokens.accessToken()}`,
        'xero-tenant-id': TENANT,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        Invoices: [
          {
            Type: 'ACCPAY',
            Contact: { ContactID: contactId },
            InvoiceNumber: 'VI-2',
            Status: 'AUTHORISED',
            LineAmountTypes: 'Exclusive',
            LineItems: [
              {
                Description: 'a',
                Quantity: 1,
                UnitAmount: 10,
                AccountCode: '300',
                TaxType: 'XVAT20',
                TaxAmount: 10.01,
              },
            ],
          },
        ],
      }),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/more than the line amount/);
  });
});
