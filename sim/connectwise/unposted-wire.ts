import { glTransactionOf } from './posting.js';
import type { ExpenseRecord, InvoiceRecord, ProcurementRecord } from './seed-schema.js';
import type { ConnectWiseState } from './state.js';

/** The Accounting Interface's view of each record kind, in CW's UnpostedInvoice/Expense/Procurement shape. */

export function unpostedInvoiceWire(state: ConnectWiseState, invoice: InvoiceRecord) {
  const gl = glTransactionOf(state, invoice);
  return {
    id: invoice.id,
    billingLogId: invoice.id,
    locationId: (invoice.locationId as number | undefined) ?? 1,
    departmentId: (invoice.departmentId as number | undefined) ?? 1,
    company: invoice.company,
    accountNumber: (gl?.companyAccountNumber as string | undefined) ?? invoice.company.identifier ?? '',
    billToCompany: (invoice.billToCompany as object | undefined) ?? invoice.company,
    invoiceNumber: invoice.invoiceNumber,
    invoiceDate: invoice.date,
    invoiceType: invoice.type,
    description: (invoice.reference as string | undefined) ?? '',
    dueDate: (invoice.dueDate as string | undefined) ?? invoice.date,
    currency: invoice.currency,
    subTotal: invoice.subtotal ?? invoice.total - invoice.salesTax,
    total: invoice.total,
    taxCode: invoice.taxCode,
    salesTaxAmount: invoice.salesTax,
    dateClosed: invoice.dateClosed ?? invoice.date,
  };
}

export function unpostedExpenseWire(expense: ExpenseRecord) {
  const { glEntryIds: _ids, glBatch: _batch, ...wire } = expense;
  return wire;
}

export function unpostedProcurementWire(record: ProcurementRecord) {
  const { glEntryIds: _ids, glBatch: _batch, packingSlip: _slip, ...wire } = record;
  return {
    ...wire,
    unpostedProductId: (record.unpostedProductId as string | undefined) ?? String(record.id),
  };
}
