import { describe, expect, it } from 'vitest';
import { glTransactionSchema } from '../../server/connectwise/schemas.js';
import { splitProportionally } from '../../server/ledgers/document-tax.js';
import { companyTaxOf } from '../../server/ledgers/quickbooks/company-tax.js';
import { salesDocumentFromGl } from '../../server/pipeline/map/invoices-and-credits.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { buildInvoiceWithGl } from '../../sim/connectwise/index.js';

const party = { kind: 'customer' as const, cwId: '1', accountNumber: 'A', name: 'A', email: undefined };
const built = glTransactionSchema.parse(
  buildInvoiceWithGl({
    number: 'T-1',
    taxRate: 20,
    taxCode: { id: 1, name: 'VAT' },
    lines: [
      { description: 'Support', quantity: 2, unitPrice: 100 },
      { description: 'Licence pass-through', quantity: 1, unitPrice: 50, taxable: false },
    ],
  }).glTransaction,
);
const rows = [
  { kind: 'gl_account' as const, cw_key: '4000', ledger_key: 'SALES' },
  { kind: 'tax_code' as const, cw_key: 'VAT', ledger_key: 'T20' },
];

describe("CW's tax as the product reads it from the GL export", () => {
  it('a line CW did not tax gets the exempt code, and the tax is grouped per code with its base', () => {
    const result = salesDocumentFromGl(built, {
      mappings: mappingsFrom([...rows, { kind: 'tax_code', cw_key: '__exempt__', ledger_key: 'EX' }]),
      party,
      roundingLimit: '0',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // Before: the untaxed line carried the document's taxable code (T20), and a ledger taxed it.
    expect(result.document.lines.map((l) => [l.taxKey, l.taxable])).toEqual([
      ['T20', true],
      ['EX', false],
    ]);
    expect(result.document.taxes).toEqual([
      { taxKey: 'T20', cwCodes: ['VAT'], taxableMinor: 20000n, taxMinor: 4000n },
    ]);
  });

  it('books that need a code on every line name the unmapped exempt code, to be mapped where it shows', () => {
    const result = salesDocumentFromGl(built, {
      mappings: mappingsFrom(rows),
      party,
      roundingLimit: '0',
      exemptCodeRequired: true,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'tax_code_unmapped',
        unmapped: { kind: 'tax_code', cwKey: '__exempt__' },
      }),
    ]);
  });
});

describe('the QBO company kind from Preferences and CompanyInfo', () => {
  it.each([
    [{ UsingSalesTax: true, PartnerTaxEnabled: true }, 'US', 'us'],
    [{ UsingSalesTax: true, PartnerTaxEnabled: false }, 'GB', 'global'],
    [{ UsingSalesTax: true }, 'CA', 'global'],
    [{ UsingSalesTax: false }, 'US', 'no_tax'],
    [{ UsingSalesTax: false }, 'AU', 'no_tax'],
  ] as const)('%o in %s -> %s', (TaxPrefs, Country, model) => {
    expect(companyTaxOf({ TaxPrefs }, { Country }).model).toBe(model);
  });
});

describe('splitProportionally', () => {
  it('keeps the sum exact and never gives a share above its weight while the total is below the sum', () => {
    expect(splitProportionally([1n, 1n, 1n], 2n)).toEqual([1n, 1n, 0n]);
    expect(splitProportionally([10000n, -2000n], 1600n)).toEqual([2000n, -400n]);
    expect(splitProportionally([0n, 3n], 1n)).toEqual([0n, 1n]);
    // In whole steps (Xero's 0.01 in a 3-decimal currency): 10-fils units.
    expect(splitProportionally([5000n, 5000n], 1010n, 10n)).toEqual([510n, 500n]);
  });
});
