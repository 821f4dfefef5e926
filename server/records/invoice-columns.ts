import type { Invoice, UnpostedInvoice } from '../connectwise/index.js';
import type { RecordRow } from '../db/schema.js';
import { decimalsUsed, toMinor } from '../shared/money.js';

/**
 * CW's invoice status says closed: the status's `closedFlag` from the tenant's billing status table
 * (documented, GET /finance/billingStatuses; the client attaches it), else an `isClosed` a CW may send
 * on the status, else the name.
 */
export const isClosed = (invoice: Invoice) => {
  const status = invoice.status as
    | { closedFlag?: boolean | null; isClosed?: boolean | null; name?: string }
    | undefined;
  return status?.closedFlag ?? status?.isClosed ?? closedByName(status?.name);
};

/**
 * A guess (docs/conformance.md), the last resort only: a status the billing status table does not
 * hold or that the API member may not read. MSPs name statuses freely ("Paid", "Done").
 */
const closedByName = (name: string | undefined) => /closed/i.test(name ?? '');

/** The record columns that mirror a CW invoice: number, company, dates and amounts in minor units. */
export function invoiceColumns(invoice: Invoice, record: Pick<RecordRow, 'decimals' | 'currency'>) {
  // CW's exact figures, even where they carry more decimals than its numberOfDecimals (a real ISK
  // invoice: 0 decimals, total 4546628.64), so the record never rounds what CW shows.
  const decimals = decimalsUsed(
    [invoice.total, invoice.balance],
    invoice.currency?.numberOfDecimals ?? record.decimals,
  );
  return {
    number: invoice.invoiceNumber,
    record_date: invoice.date?.slice(0, 10) || null,
    company_id: invoice.company?.id == null ? null : String(invoice.company.id),
    company_name: invoice.company?.name ?? '',
    cw_location_id: (invoice as { locationId?: number }).locationId ?? null,
    currency: invoice.currency?.currencyCode ?? record.currency,
    decimals,
    total_minor: String(toMinor(Math.abs(invoice.total ?? 0), decimals)),
    tax_minor: invoice.salesTax == null ? null : String(toMinor(Math.abs(invoice.salesTax), decimals)),
    balance_minor: String(toMinor(Math.abs(invoice.balance ?? 0), decimals)),
    refreshed_at: new Date(),
  };
}

/**
 * The record columns CW's unposted list shows for an invoice or credit memo: what the workbench and
 * the pod show of a record that was discovered or onboarded without being read on its own.
 */
export function unpostedInvoiceColumns(
  unposted: UnpostedInvoice,
  record: Pick<RecordRow, 'decimals' | 'currency'>,
) {
  const decimals = unposted.currency?.numberOfDecimals ?? record.decimals;
  const total = String(toMinor(Math.abs(unposted.total ?? 0), decimals));
  return {
    type: unposted.invoiceType === 'CreditMemo' ? ('credit_memo' as const) : ('invoice' as const),
    number: unposted.invoiceNumber,
    record_date: unposted.invoiceDate?.slice(0, 10) || null,
    company_id: unposted.company?.id == null ? null : String(unposted.company.id),
    company_name: unposted.company?.name ?? '',
    currency: unposted.currency?.currencyCode ?? record.currency,
    decimals,
    total_minor: total,
    balance_minor: total,
  };
}
