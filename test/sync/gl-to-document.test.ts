import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { glTransactionSchema } from '../../server/connectwise/schemas.js';
import type { Party } from '../../server/ledgers/ledger.js';
import { salesDocumentFromGl } from '../../server/pipeline/map/invoices-and-credits.js';
import { mappingFailure } from '../../server/records/error-catalogue.js';
import { mappingsFrom, roundingAccountKey } from '../../server/records/mappings.js';
import { formatMinor, sumMinor, toMinor } from '../../server/shared/money.js';
import { buildInvoiceWithGl } from '../../sim/connectwise/fixtures.js';

const party: Party = {
  kind: 'customer',
  cwId: '250',
  accountNumber: 'AcmeCorp',
  name: 'Acme',
  email: undefined,
};
const mappings = mappingsFrom([
  { kind: 'gl_account', cw_key: '4000', ledger_key: 'SALES' },
  { kind: 'gl_account', cw_key: '4100', ledger_key: 'SERVICES' },
  { kind: 'gl_account', cw_key: roundingAccountKey, ledger_key: 'ROUNDING' },
  { kind: 'tax_code', cw_key: 'State', ledger_key: 'TAX' },
  { kind: 'tax_code', cw_key: 'Exempt', ledger_key: 'NONE' },
  { kind: 'class', cw_key: '4100', ledger_key: 'CLASS-SVC' },
]);
const options = { mappings, party, roundingLimit: '10.00' };
const transactionOf = (built: ReturnType<typeof buildInvoiceWithGl>) =>
  glTransactionSchema.parse(built.glTransaction);

describe('CW GL transaction -> ledger document', () => {
  it('maps an invoice with positive lines, tax, class and the CW number', () => {
    const built = buildInvoiceWithGl({
      number: 'INV-1001',
      taxRate: 8.25,
      taxCode: { id: 11, name: 'State' },
      lines: [
        { description: 'Managed services', quantity: 1, unitPrice: 1200, accountNumber: '4100' },
        { description: 'Cables', quantity: 3, unitPrice: 9.99, accountNumber: '4000' },
      ],
    });
    const result = salesDocumentFromGl(transactionOf(built), options);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const doc = result.document;
    expect(doc).toMatchObject({
      type: 'invoice',
      number: 'INV-1001',
      currency: 'USD',
      decimals: 2,
      date: '2024-03-15',
    });
    expect(
      doc.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.amountMinor, l.accountKey, l.classKey]),
    ).toEqual([
      ['Managed services', '1', '1200', 120000n, 'SERVICES', 'CLASS-SVC'],
      ['Cables', '3', '9.99', 2997n, 'SALES', undefined],
    ]);
    expect(doc.taxMinor).toBe(10147n);
    expect(doc.totalMinor).toBe(120000n + 2997n + 10147n);
  });

  it('names the ledger terms mapped from CW billing terms, and none when unmapped', () => {
    const built = buildInvoiceWithGl({
      number: 'T-1',
      taxCode: { id: 11, name: 'State' },
      lines: [{ description: 'x', quantity: 1, unitPrice: 10 }],
    });
    const withTerms = mappingsFrom([
      { kind: 'gl_account', cw_key: '4000', ledger_key: 'SALES' },
      { kind: 'tax_code', cw_key: 'State', ledger_key: 'TAX' },
      { kind: 'terms', cw_key: 'Net 30', ledger_key: '50' },
    ]);
    const mapped = salesDocumentFromGl(transactionOf(built), { ...options, mappings: withTerms });
    expect(mapped.ok && mapped.document.terms).toBe('50');
    const unmapped = salesDocumentFromGl(transactionOf(built), options);
    expect(unmapped.ok && unmapped.document.terms).toBeUndefined();
  });

  it('maps a credit memo to positive amounts of a credit document', () => {
    const built = buildInvoiceWithGl({
      number: 'CM-7',
      type: 'CreditMemo',
      taxCode: { id: 12, name: 'Exempt' },
      lines: [{ description: 'Refund', quantity: 2, unitPrice: 50, accountNumber: '4000' }],
    });
    const result = salesDocumentFromGl(transactionOf(built), options);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.document.type).toBe('credit_memo');
    expect(result.document.lines[0]).toMatchObject({
      quantity: '2',
      unitPrice: '50',
      amountMinor: 10000n,
      taxKey: 'NONE',
    });
    expect(result.document.totalMinor).toBe(10000n);
  });

  it('lists every unmapped account and tax code at once', () => {
    const built = buildInvoiceWithGl({
      number: 'INV-2',
      taxCode: { id: 13, name: 'County' },
      lines: [
        { description: 'A', quantity: 1, unitPrice: 10, accountNumber: '4999' },
        { description: 'B', quantity: 1, unitPrice: 10, accountNumber: '4000' },
      ],
    });
    const result = salesDocumentFromGl(transactionOf(built), options);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.code).sort()).toEqual([
      'gl_account_unmapped',
      'tax_code_unmapped',
      'tax_code_unmapped',
    ]);
    expect(result.problems.find((p) => p.code === 'gl_account_unmapped')?.detail).toContain('4999');
    // The failure names each code to map once, in the connection the record routes to.
    expect(mappingFailure(result.problems, 'connection-1').stored).toMatchObject({
      code: 'mappings_missing',
      message: expect.stringContaining('GL account "4999" and tax code "County"'),
      unmapped: [
        { connectionId: 'connection-1', kind: 'gl_account', cwKey: '4999' },
        { connectionId: 'connection-1', kind: 'tax_code', cwKey: 'County' },
      ],
    });
  });

  it('refuses a transaction without GL entries and a line without a tax code', () => {
    const built = buildInvoiceWithGl({
      number: 'INV-3',
      lines: [{ description: 'A', quantity: 1, unitPrice: 10 }],
    });
    const noEntries = { ...transactionOf(built), glEntryIds: '', detail: [] };
    const result = salesDocumentFromGl(noEntries, options);
    expect(!result.ok && result.problems.map((p) => p.code)).toContain('gl_entries_missing');
    const noTax = transactionOf(built);
    noTax.detail = noTax.detail!.map((d) => ({ ...d, taxCodeXref: '' }));
    const taxless = salesDocumentFromGl(noTax, options);
    expect(!taxless.ok && taxless.problems.map((p) => p.code)).toEqual(['tax_code_missing']);
  });

  const lineArb = fc.record({
    description: fc.constantFrom('Labour', 'Hardware', 'Discount', 'Licence'),
    quantity: fc.oneof(
      fc.integer({ min: -5, max: 40 }).filter((q) => q !== 0),
      fc.constantFrom(0.25, 1.5, 7.75),
    ),
    unitPrice: fc.integer({ min: 1, max: 500_000 }).map((cents) => cents / 100),
    accountNumber: fc.constantFrom('4000', '4100'),
    taxable: fc.boolean(),
  });

  it('keeps totals equal to CW totals in minor units for random invoices and credit memos', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(0, 2, 3),
        fc.boolean(),
        fc.option(fc.constantFrom(5, 8.25, 20), { nil: undefined }),
        (lines, decimals, credit, taxRate) => {
          const built = buildInvoiceWithGl({
            number: 'P-1',
            type: credit ? 'CreditMemo' : 'Standard',
            taxRate,
            taxCode: { id: 11, name: 'State' },
            currency: {
              currencyCode: decimals === 0 ? 'JPY' : decimals === 3 ? 'KWD' : 'EUR',
              numberOfDecimals: decimals,
            },
            lines: lines.map((l) => ({ ...l, unitPrice: Number(l.unitPrice.toFixed(decimals)) })),
          });
          const transaction = transactionOf(built);
          const result = salesDocumentFromGl(transaction, options);
          if (!result.ok) throw new Error(JSON.stringify(result.problems));
          const doc = result.document;
          const cwTotal = toMinor(transaction.total ?? 0, decimals) * (credit ? -1n : 1n);
          expect(doc.totalMinor).toBe(cwTotal);
          expect(sumMinor(doc.lines.map((l) => l.amountMinor)) + doc.taxMinor).toBe(cwTotal);
          expect(doc.type).toBe(credit ? 'credit_memo' : 'invoice');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('books a rounding difference up to the limit as an adjustment line, and refuses one above it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2500, max: 2500 }).filter((d) => d !== 0),
        (differenceMinor) => {
          const built = buildInvoiceWithGl({
            number: 'R-1',
            taxCode: { id: 11, name: 'State' },
            lines: [{ description: 'Work', quantity: 3, unitPrice: 33.33, accountNumber: '4000' }],
          });
          const transaction = transactionOf(built);
          const shifted = toMinor(transaction.total ?? 0, 2) + BigInt(differenceMinor);
          transaction.total = Number(formatMinor(shifted, 2));
          const result = salesDocumentFromGl(transaction, options);
          if (Math.abs(differenceMinor) <= 1000) {
            if (!result.ok) throw new Error(JSON.stringify(result.problems));
            const adjustment = result.document.lines.at(-1)!;
            expect(adjustment).toMatchObject({
              // Named for an accountant (issue 13 item 4), with CW's figure.
              description: `Rounding (ConnectWise amount ${formatMinor(shifted, 2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} USD)`,
              amountMinor: BigInt(differenceMinor),
              accountKey: 'ROUNDING',
            });
            expect(sumMinor(result.document.lines.map((l) => l.amountMinor)) + result.document.taxMinor).toBe(
              shifted,
            );
          } else {
            expect(!result.ok && result.problems.map((p) => p.code)).toEqual(['out_of_balance']);
          }
        },
      ),
    );
  });
});
