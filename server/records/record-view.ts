import type { Selectable } from 'kysely';
import type { Difference } from '../../contract/differences.js';
import type {
  RecordEvent as EventView,
  RecordDetail,
  RecordRow as RecordSummary,
} from '../../contract/records.js';
import type { PaymentsTable, RecordEvent, RecordRow, StoredDifference, StoredError } from '../db/schema.js';
import { formatMinor } from '../shared/money.js';
import { hintForReader } from './error-catalogue.js';
import { isOnboardedHistory } from './onboarded-history.js';
import type { CreditRow, StoredDrift } from './record-queries.js';

/**
 * How the pod and the workbench see a record (contract/records.ts RecordDetail): money as decimal
 * text in its currency, signed as ConnectWise shows it (a credit memo's total and balance are
 * negative there, and so are the books' figures beside them here; the record stores magnitudes).
 */
export type RecordView = RecordDetail;

const money = (minor: string | null, decimals: number, sign = 1n) =>
  minor === null ? null : formatMinor(sign * BigInt(minor), decimals);
const isoOrNull = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const dateText = (value: Date | string | null) =>
  value === null ? null : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);

export function recordView(
  row: RecordRow,
  payments: Selectable<PaymentsTable>[],
  events: RecordEvent[],
  credits: CreditRow[] = [],
  drift: StoredDrift | null = null,
): RecordView {
  const decimals = row.decimals;
  // ConnectWise shows a credit memo's amounts below zero; payments and credits applied stay positive.
  const sign = row.type === 'credit_memo' ? -1n : 1n;
  return {
    record: {
      type: row.type,
      cwId: Number(row.cw_id),
      number: row.number,
      date: dateText(row.record_date),
      company: { id: row.company_id === null ? null : Number(row.company_id), name: row.company_name },
      currency: row.currency,
      decimals,
      total: money(row.total_minor, decimals, sign)!,
      balance: money(row.balance_minor, decimals, sign)!,
    },
    state: row.state,
    onboarding: isOnboardedHistory(row) ? { runId: row.onboarding_run_id! } : null,
    cw: {
      batch: row.cw_batch_identifier
        ? {
            id: row.cw_batch_id === null ? null : Number(row.cw_batch_id),
            identifier: row.cw_batch_identifier,
          }
        : null,
    },
    ledger:
      row.ledger_kind && row.ledger_id
        ? {
            kind: row.ledger_kind,
            id: row.ledger_id,
            number: row.ledger_number ?? '',
            url: row.ledger_url,
            total: money(row.ledger_total_minor, decimals, sign),
            balance: money(row.ledger_balance_minor, decimals, sign),
            status: row.ledger_status,
          }
        : null,
    checked: { connectWise: isoOrNull(row.refreshed_at), books: isoOrNull(row.ledger_read_at) },
    payments: payments.map((p) => ({
      id: p.id,
      kind: 'payment' as const,
      source: 'books' as const,
      reference: p.ledger_payment_id,
      amount: formatMinor(BigInt(p.amount_minor), decimals),
      date: dateText(p.paid_on)!,
      state: p.state,
      cwPaymentId: p.cw_payment_id === null ? null : Number(p.cw_payment_id),
    })),
    credits: credits.map((c) => ({
      id: c.id,
      kind: 'credit' as const,
      source: 'connectwise' as const,
      other: { type: c.other_type, cwId: Number(c.other_cw_id), number: c.other_number },
      amount: formatMinor(BigInt(c.amount_minor), decimals),
      date: dateText(c.applied_on)!,
      state: c.state,
      cwPaymentId: c.cw_payment_id === null ? null : Number(c.cw_payment_id),
      ledgerApplicationId: c.ledger_application_id,
      error: c.state === 'error' ? (c.last_error as StoredError | null) : null,
    })),
    rounding: row.rounding ?? null,
    drift: drift && {
      checkedAt: new Date(drift.checkedAt).toISOString(),
      differences: drift.differences.map((d) => differenceView(d, decimals)),
    },
    error: row.state === 'error' || row.last_error ? (row.last_error as StoredError | null) : null,
    events: events.map(eventView),
  };
}

/** A stored difference with the books as a reader sees it: amounts as decimal text in the record's currency. */
export const differenceView = (d: StoredDifference, decimals: number): Difference => ({
  code: d.code,
  cause: d.cause,
  fix: d.fix ?? null,
  cw: d.cwMinor === undefined ? null : formatMinor(BigInt(d.cwMinor), decimals),
  ledger: d.ledgerMinor === undefined ? null : formatMinor(BigInt(d.ledgerMinor), decimals),
});

/** An audit event as the pod and the API show it. */
export const eventView = (
  e: Pick<RecordEvent, 'at' | 'actor' | 'kind' | 'from_state' | 'to_state' | 'detail'>,
): EventView => ({
  at: new Date(e.at).toISOString(),
  actor: e.actor,
  kind: e.kind,
  fromState: e.from_state,
  toState: e.to_state,
  detail: e.detail,
});

/** The short form the workbench lists. */
export function recordSummary(row: RecordRow): RecordSummary {
  const view = recordView(row, [], []);
  return {
    type: view.record.type,
    cwId: view.record.cwId,
    number: view.record.number,
    date: view.record.date,
    company: view.record.company,
    total: view.record.total,
    currency: view.record.currency,
    state: view.state,
    onboarding: view.onboarding,
    error: view.error,
    ledger: view.ledger ? { kind: view.ledger.kind, number: view.ledger.number, url: view.ledger.url } : null,
  };
}

/** A view (or a summary) with its error's hint worded for the reader's role (hintForReader). */
export function forReader<T extends { error: StoredError | null }>(
  view: T,
  role: Parameters<typeof hintForReader>[1],
): T {
  return view.error ? { ...view, error: hintForReader(view.error, role) } : view;
}
