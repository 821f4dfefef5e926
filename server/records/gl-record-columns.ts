import type { UnpostedExpense, UnpostedProcurement } from '../connectwise/index.js';
import type { RecordRow } from '../db/schema.js';
import { toMinor } from '../shared/money.js';

/** An unposted GL record as CW lists it: an expense, or a purchase, adjustment or transfer. */
export type UnpostedGlRecord = UnpostedExpense | UnpostedProcurement;

/**
 * A GL record's columns as CW's unposted list shows it: what the status read answers from. The
 * expense and procurement lists name the same things differently (date, company or vendor).
 */
export function glRecordColumns(
  unposted: UnpostedGlRecord,
  record: Pick<RecordRow, 'decimals' | 'currency'>,
  number: string,
) {
  const loose = unposted as Record<string, unknown>;
  const currency = loose.currency as { currencyCode?: string; numberOfDecimals?: number } | undefined;
  const decimals = currency?.numberOfDecimals ?? record.decimals;
  const company = (loose.company ?? loose.vendor) as { id?: number; name?: string } | undefined;
  const date = (loose.dateExpense ?? loose.purchaseDate ?? loose.dateClosed) as string | undefined;
  const total = toMinor(Math.abs(unposted.total ?? 0), decimals);
  return {
    number,
    record_date: date?.slice(0, 10) || null,
    company_id: company?.id == null ? null : String(company.id),
    company_name: company?.name ?? '',
    cw_location_id: typeof loose.locationId === 'number' ? loose.locationId : null,
    currency: currency?.currencyCode ?? record.currency,
    decimals,
    total_minor: String(total),
    balance_minor: String(total),
    refreshed_at: new Date(),
  };
}
