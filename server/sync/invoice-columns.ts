import type { Invoice } from '../connectwise/index.js';
import type { RecordRow } from '../db/schema.js';
import { toMinor } from '../money.js';

/** The record columns that mirror a CW invoice: number, company, dates and amounts in minor units. */
export function invoiceColumns(invoice: Invoice, record: Pick<RecordRow, 'decimals' | 'currency'>) {
  const decimals = invoice.currency?.numberOfDecimals ?? record.decimals;
  return {
    number: invoice.invoiceNumber,
    record_date: invoice.date?.slice(0, 10) || null,
    company_id: invoice.company?.id == null ? null : String(invoice.company.id),
    company_name: invoice.company?.name ?? '',
    cw_location_id: (invoice as { locationId?: number }).locationId ?? null,
    currency: invoice.currency?.currencyCode ?? record.currency,
    decimals,
    total_minor: String(toMinor(Math.abs(invoice.total ?? 0), decimals)),
    balance_minor: String(toMinor(Math.abs(invoice.balance ?? 0), decimals)),
    refreshed_at: new Date(),
  };
}
