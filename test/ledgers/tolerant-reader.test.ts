import { expect, it } from 'vitest';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { parse } from '../../server/ledgers/quickbooks/parse-wire.js';
import { documentSchema, partySchema } from '../../server/ledgers/quickbooks/wire.js';
import { envelope, invoiceWire } from '../../server/ledgers/xero/wire.js';

/**
 * Issue 12, tolerant reader: a field the product does not read never refuses an answer; a field it
 * reads takes its documented type and otherwise fails as ledger_bad_response naming the field.
 */
const badResponse = (run: () => unknown): LedgerError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe('ledger_bad_response');
    return error as LedgerError;
  }
  throw new Error('expected a ledger_bad_response');
};

it('QBO: unread fields of any shape pass; a read field of the wrong type is named', () => {
  const customer = parse(partySchema, {
    Id: '58',
    DisplayName: 'Acme Corp',
    SyncToken: '3', // read for the sparse update of a renamed customer
    Balance: 'n/a', // not read, whatever its type
    Future: { anything: [1, 2] },
  });
  expect(customer).toMatchObject({ Id: '58', DisplayName: 'Acme Corp', SyncToken: '3' });
  expect(
    badResponse(() => parse(partySchema, { Id: '58', DisplayName: 'Acme Corp', SyncToken: 3 }))
      .providerMessage,
  ).toMatch(/SyncToken/);
  const invoice = parse(documentSchema, {
    Id: '130',
    SyncToken: '0',
    TotalAmt: '108.25', // decimal text is a documented form for amounts; money.ts parses it
    Line: [{ DetailType: 'SubTotalLineDetail', Amount: 100, SubTotalLineDetail: {} }],
    NewField: null,
  });
  expect(invoice.TotalAmt).toBe('108.25');
  const error = badResponse(() =>
    parse(documentSchema, { Id: '130', SyncToken: '0', TotalAmt: { value: 1 } }),
  );
  expect(error.providerMessage).toMatch(/TotalAmt/);
});

it('Xero: unread line, subtotal and tax fields never refuse; a read field of the wrong type fails naming it', () => {
  const invoices = envelope('Invoices', invoiceWire);
  const ok = invoices.safeParse({
    Invoices: [
      {
        InvoiceID: '4f7ab0f5-0000-4000-8000-000000000001',
        Type: 'ACCREC',
        Status: 'AUTHORISED',
        CurrencyCode: 'NZD',
        Total: 115,
        AmountDue: 115,
        SubTotal: '100.00',
        TotalTax: null,
        LineItems: [{ Quantity: '1.0000', LineAmount: '100.00', Tracking: 'none' }],
      },
    ],
  });
  expect(ok.success).toBe(true);
  const bad = invoices.safeParse({
    Invoices: [
      {
        InvoiceID: '4f7ab0f5-0000-4000-8000-000000000001',
        Type: 'ACCREC',
        Status: 'AUTHORISED',
        CurrencyCode: 'NZD',
        Total: 115,
        AmountDue: 'lots',
      },
    ],
  });
  expect(bad.success).toBe(false);
  expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['Invoices.0.AmountDue']);
});
