import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuickBooksLedger } from '../../server/ledgers/quickbooks/client.js';
import { salesDocumentFromGl } from '../../server/pipeline/map/invoices-and-credits.js';
import { toMinor } from '../../server/shared/money.js';
import { startHarness } from '../quickbooks/harness.js';
import { customer, startXeroFixture, TENANT } from '../xero/support/xero-fixture.js';
import { type CwCase, cwTaxCodes, cwTransaction, mappingsFor, qboExemptCode } from './tax-cases.js';

/**
 * End to end through the simulators and the real SDKs (node-quickbooks, xero-node): a CW invoice with
 * taxed and untaxed lines at two rates books CW's total and CW's tax per rate, in a non-US QBO
 * company, a US one and a Xero organisation.
 */
const vat20 = cwTaxCodes.findIndex((c) => c.cw === 'VAT20');
const gst5 = cwTaxCodes.findIndex((c) => c.cw === 'GST5');
const mixed: CwCase = {
  type: 'invoice',
  currency: { code: 'GBP' as 'EUR', decimals: 2 },
  lines: [
    { quantity: '3', price: '33.33', taxable: true, code: vat20 },
    { quantity: '1.5', price: '19.999', taxable: true, code: vat20 },
    { quantity: '2', price: '41.07', taxable: true, code: gst5 },
    { quantity: '1', price: '250', taxable: false, code: vat20 },
    // A discount on a taxed line lowers that rate's base.
    { quantity: '1', price: '-5.55', taxable: true, code: gst5 },
  ],
};
const { transaction, truth } = cwTransaction(mixed);
const cwTax = (code: string) => truth.taxByCode.get(code)!;

const party = customer();
const mapped = (kind: 'qbo_us' | 'qbo_global' | 'xero') => {
  const result = salesDocumentFromGl(transaction, {
    mappings: mappingsFor(kind),
    party,
    roundingLimit: '0',
    exemptCodeRequired: kind === 'qbo_global',
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.document;
};

/** The company's tax codes and rates, as a UK company holds them (ids as the property suite maps them). */
const qboTaxEntities = {
  TaxRate: [
    ...cwTaxCodes.flatMap((c) =>
      c.rates.map((r) => ({ Id: r.id, Name: `${c.cw} ${r.percent}%`, RateValue: Number(r.percent) })),
    ),
    { Id: '1990', Name: 'Exempt 0%', RateValue: 0 },
  ],
  TaxCode: [
    ...cwTaxCodes.map((c) => ({
      Id: c.qbo,
      Name: c.cw,
      Taxable: true,
      SalesTaxRateList: {
        TaxRateDetail: c.rates.map((r) => ({
          TaxRateRef: { value: r.id },
          TaxTypeApplicable: 'TaxOnAmount',
        })),
      },
    })),
    {
      Id: qboExemptCode,
      Name: 'Exempt',
      Taxable: false,
      SalesTaxRateList: {
        TaxRateDetail: [{ TaxRateRef: { value: '1990' }, TaxTypeApplicable: 'TaxOnAmount' }],
      },
    },
  ],
};

describe('QuickBooks Online, non-US company (global tax model)', () => {
  let qbo: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    qbo = await startHarness();
    await qbo.control('POST', '/__sim/seed', {
      realms: { [qbo.realmId]: qboTaxEntities },
      companies: { [qbo.realmId]: { Country: 'GB', UsingSalesTax: true, PartnerTaxEnabled: false } },
    });
  });
  afterAll(() => qbo.close());

  const stored = async (number: string) =>
    ((await qbo.state()).realms[qbo.realmId].Invoice as Record<string, any>[]).find(
      (i) => i.DocNumber === number,
    )!;

  it("reads the company's kind itself and books CW's total and tax per rate", async () => {
    const doc = { ...mapped('qbo_global'), number: 'GB-1' };
    const ref = await qbo.ledger.create(doc, '100', 'gb-1');
    expect(ref.totalMinor).toBe(truth.totalMinor);
    const invoice = await stored('GB-1');
    expect(invoice.GlobalTaxCalculation).toBe('TaxExcluded');
    const perRate = Object.fromEntries(
      (invoice.TxnTaxDetail.TaxLine as any[]).map((t) => [
        t.TaxLineDetail.TaxRateRef.value,
        toMinor(t.Amount, 2),
      ]),
    );
    expect(perRate).toMatchObject({ '1200': cwTax('VAT20'), '1050': cwTax('GST5') });
    expect(toMinor(invoice.TxnTaxDetail.TotalTax, 2)).toBe(truth.taxMinor);
    // Every line has a code; the line CW did not tax has the exempt one.
    const codes = (invoice.Line as any[]).map((l) => l.SalesItemLineDetail.TaxCodeRef?.value);
    expect(codes).toEqual(['120', '120', '105', qboExemptCode, '105']);
  });

  it('a connection made before its settings were read learns them once, from the first document', async () => {
    const learned: unknown[] = [];
    const ledger = createQuickBooksLedger({
      apiBaseUrl: `${qbo.url}/v3/company/`,
      realmId: qbo.realmId,
      tokens: qbo.tokens,
      timeoutMs: 5_000,
      onCompanyTax: async (tax) => {
        learned.push(tax);
      },
    });
    await ledger.create({ ...mapped('qbo_global'), number: 'GB-4' }, '100', 'gb-4');
    await ledger.create({ ...mapped('qbo_global'), number: 'GB-5' }, '100', 'gb-5');
    expect(learned).toEqual([
      { model: 'global', country: 'GB', automatedSalesTax: false, companyName: 'Sandbox Company' },
    ]);
  });

  it('the simulator can fail the product: US-style lines or a missing code are refused or re-taxed', async () => {
    // Booked as if the company were American: TAX/NON lines and a bare TotalTax, which a non-US
    // company ignores; it then charges nothing on lines without a real code, so the total is wrong.
    const asUs = createQuickBooksLedger({
      apiBaseUrl: `${qbo.url}/v3/company/`,
      realmId: qbo.realmId,
      tokens: qbo.tokens,
      taxModel: 'us',
      timeoutMs: 5_000,
    });
    const wrong = await asUs.create({ ...mapped('qbo_global'), number: 'GB-2' }, '100', 'gb-2');
    expect(wrong.totalMinor).not.toBe(truth.totalMinor);
    // A line without any code: 6000 "Make sure all your transactions have a VAT rate".
    const noExempt = mapped('qbo_global');
    noExempt.lines = noExempt.lines.map((l) => (l.taxable ? l : { ...l, taxKey: undefined }));
    await expect(qbo.ledger.create({ ...noExempt, number: 'GB-3' }, '100', 'gb-3')).rejects.toMatchObject({
      code: 'ledger_validation',
      providerCode: 'tax_code_missing',
    });
  });
});

describe('QuickBooks Online, US company (automated sales tax)', () => {
  let qbo: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    qbo = await startHarness();
    await qbo.control('POST', '/__sim/seed', { realms: { [qbo.realmId]: qboTaxEntities } });
  });
  afterAll(() => qbo.close());

  it('lines say TAX or NON, the code is the TxnTaxCodeRef, and CW tax is the TotalTax override', async () => {
    const ref = await qbo.ledger.create({ ...mapped('qbo_us'), number: 'US-1' }, '100', 'us-1');
    expect(ref.totalMinor).toBe(truth.totalMinor);
    const invoice = ((await qbo.state()).realms[qbo.realmId].Invoice as any[]).find(
      (i) => i.DocNumber === 'US-1',
    );
    expect((invoice.Line as any[]).map((l) => l.SalesItemLineDetail.TaxCodeRef.value)).toEqual([
      'TAX',
      'TAX',
      'TAX',
      'NON',
      'TAX',
    ]);
    expect(invoice.TxnTaxDetail.TxnTaxCodeRef).toEqual({ value: '120' });
    expect(toMinor(invoice.TxnTaxDetail.TotalTax, 2)).toBe(truth.taxMinor);
  });
});

describe('Xero', () => {
  let fx: Awaited<ReturnType<typeof startXeroFixture>>;
  let contactId: string;
  beforeAll(async () => {
    fx = await startXeroFixture({ timeoutMs: 5_000 } as never);
    fx.sim.seed({
      defaults: true,
      tenants: {
        [TENANT]: {
          name: 'Contoso Managed IT',
          TaxRates: cwTaxCodes.map((c) => ({
            TaxType: `X${c.cw}`,
            Name: c.cw,
            EffectiveRate: Number(c.percent),
          })),
        },
      },
    });
    contactId = await fx.ledger.ensureParty(party, 'party');
  });
  afterAll(() => fx.close());

  it("per-line TaxAmount adds up to CW's tax per rate, none above its line, untaxed lines exempt", async () => {
    const ref = await fx.ledger.create({ ...mapped('xero'), number: 'X-1' }, contactId, 'x-1');
    expect(ref.totalMinor).toBe(truth.totalMinor);
    const invoice = fx.books().Invoices.find((i) => i.InvoiceNumber === 'X-1')!;
    const lines = invoice.LineItems as Record<string, any>[];
    const perType = new Map<string, bigint>();
    for (const line of lines) {
      perType.set(line.TaxType, (perType.get(line.TaxType) ?? 0n) + toMinor(line.TaxAmount, 2));
      expect(Math.abs(line.TaxAmount)).toBeLessThanOrEqual(Math.abs(line.LineAmount));
    }
    expect(perType.get('XVAT20')).toBe(cwTax('VAT20'));
    expect(perType.get('XGST5')).toBe(cwTax('GST5'));
    expect(lines[3]).toMatchObject({ TaxType: 'NONE', TaxAmount: 0 });
  });

  it('the simulator refuses a line whose TaxAmount is above the line amount', async () => {
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
            Type: 'ACCREC',
            Contact: { ContactID: contactId },
            InvoiceNumber: 'X-2',
            Status: 'AUTHORISED',
            LineAmountTypes: 'Exclusive',
            LineItems: [
              {
                Description: 'a',
                Quantity: 1,
                UnitAmount: 10,
                AccountCode: '200',
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
