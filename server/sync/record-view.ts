import type { Selectable } from 'kysely';
import type { PaymentsTable, RecordEvent, RecordRow, StoredError } from '../db/schema.js';
import { formatMinor } from '../money.js';
import { hintForReader } from './error-catalogue.js';
import { isOnboardedHistory } from './onboarded-history.js';

/** How the pod and the workbench see a record: money as decimal text in its currency. */
export interface RecordView {
  record: {
    type: RecordRow['type'];
    cwId: number;
    number: string;
    date: string | null;
    company: { id: number | null; name: string };
    currency: string;
    decimals: number;
    total: string;
    balance: string;
  };
  state: RecordRow['state'];
  /**
   * Onboarded history (a run batched it, or failed to, and no ledger document books it): the pod
   * offers "Onboard again", never a push (onboarded-history.ts).
   */
  onboarding: { runId: string } | null;
  cw: { batch: { id: number | null; identifier: string } | null };
  ledger: {
    kind: 'qbo' | 'xero';
    id: string;
    number: string;
    url: string | null;
    total: string | null;
    balance: string | null;
    status: string | null;
  } | null;
  payments: { id: string; amount: string; date: string; state: string; cwPaymentId: number | null }[];
  /** Set when the books were given a rounding line or hold a total other than CW's: never silent. */
  rounding: RecordRow['rounding'];
  error: StoredError | null;
  events: {
    at: string;
    actor: string;
    kind: string;
    fromState: string | null;
    toState: string | null;
    detail: unknown;
  }[];
}

const money = (minor: string | null, decimals: number) =>
  minor === null ? null : formatMinor(BigInt(minor), decimals);
const dateText = (value: Date | string | null) =>
  value === null ? null : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);

export function recordView(
  row: RecordRow,
  payments: Selectable<PaymentsTable>[],
  events: RecordEvent[],
): RecordView {
  const decimals = row.decimals;
  return {
    record: {
      type: row.type,
      cwId: Number(row.cw_id),
      number: row.number,
      date: dateText(row.record_date),
      company: { id: row.company_id === null ? null : Number(row.company_id), name: row.company_name },
      currency: row.currency,
      decimals,
      total: money(row.total_minor, decimals)!,
      balance: money(row.balance_minor, decimals)!,
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
            total: money(row.ledger_total_minor, decimals),
            balance: money(row.ledger_balance_minor, decimals),
            status: row.ledger_status,
          }
        : null,
    payments: payments.map((p) => ({
      id: p.id,
      amount: formatMinor(BigInt(p.amount_minor), decimals),
      date: dateText(p.paid_on)!,
      state: p.state,
      cwPaymentId: p.cw_payment_id === null ? null : Number(p.cw_payment_id),
    })),
    rounding: row.rounding ?? null,
    error: row.state === 'error' || row.last_error ? (row.last_error as StoredError | null) : null,
    events: events.map(eventView),
  };
}

/** An audit event as the pod and the API show it. */
export const eventView = (
  e: Pick<RecordEvent, 'at' | 'actor' | 'kind' | 'from_state' | 'to_state' | 'detail'>,
) => ({
  at: new Date(e.at).toISOString(),
  actor: e.actor,
  kind: e.kind,
  fromState: e.from_state,
  toState: e.to_state,
  detail: e.detail,
});

/** The short form the workbench lists. */
export function recordSummary(row: RecordRow) {
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
