import { expect, it } from 'vitest';
import { toXeroDocument } from '../../server/ledgers/xero/mapping.js';
import { invoiceDoc } from './support/xero-fixture.js';

/** Issue 12: Xero's Reference is "ACCREC only" (Invoice) and "ACCRECCREDIT only" (CreditNote). */
it('sends Reference on sales invoices and credit notes, never on bills or supplier credits', () => {
  const contact = '00000000-0000-4000-8000-000000000001';
  const vendor = {
    kind: 'vendor' as const,
    cwId: '3',
    accountNumber: undefined,
    name: 'Ingram',
    email: undefined,
  };
  const sale = toXeroDocument(invoiceDoc({ memo: 'PO 77' }), contact).body;
  expect(sale).toMatchObject({ Type: 'ACCREC', Reference: 'PO 77' });
  const credit = toXeroDocument(invoiceDoc({ type: 'credit_memo', memo: 'PO 77' }), contact).body;
  expect(credit).toMatchObject({ Type: 'ACCRECCREDIT', Reference: 'PO 77' });
  const bill = toXeroDocument(invoiceDoc({ type: 'bill', memo: 'PO 77', party: vendor }), contact).body;
  expect(bill.Type).toBe('ACCPAY');
  expect(bill).not.toHaveProperty('Reference');
  const supplierCredit = toXeroDocument(
    invoiceDoc({ type: 'credit_memo', memo: 'PO 77', party: vendor }),
    contact,
  ).body;
  expect(supplierCredit.Type).toBe('ACCPAYCREDIT');
  expect(supplierCredit).not.toHaveProperty('Reference');
});
