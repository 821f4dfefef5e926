import type { Selectable } from 'kysely';
import type {
  LedgerKind,
  PaymentsTable,
  RecordEvent,
  RecordRow,
  RecordType,
  StoredDifference,
  StoredError,
} from '../db/schema.js';
import { formatMinor } from '../shared/money.js';
import { hintForReader } from './error-catalogue.js';
import { isOnboardedHistory } from './onboarded-history.js';
import type { CreditRow, StoredDrift } from './record-queries.js';

/**
 * How the pod and the workbench see a record: money as decimal text in its currency, signed as
 * ConnectWise shows it (a credit memo's total and balance are negative there, and so are the books'
 * figures beside them here; the record stores magnitudes).
 */
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
    kind: LedgerKind;
    id: string;
    number: string;
    url: string | null;
    total: string | null;
    balance: string | null;
    status: string | null;
  } | null;
  /**
   * When the figures were last read: ConnectWise's (refreshed_at) and the books' (ledger_read_at,
   * 0020). Null where never read.
   */
  checked: { connectWise: string | null; books: string | null };
  /** Payments received in the books, written to the ConnectWise invoice by Ledgerpod. */
  payments: {
    id: string;
    kind: 'payment';
    source: 'books';
    /** The books' payment id (QuickBooks Payment Id, Xero PaymentID). */
    reference: string;
    amount: string;
    date: string;
    state: string;
    cwPaymentId: number | null;
  }[];
  /**
   * Credit applications, made in ConnectWise and then in the books by Ledgerpod: on an invoice each
   * names the credit memo applied to it, on a credit memo each names the invoice it was applied to.
   */
  credits: {
    id: string;
    kind: 'credit';
    source: 'connectwise';
    other: { type: RecordType; cwId: number; number: string };
    amount: string;
    date: string;
    /** Where the books stand: applied there, waiting to be, or refused (its error). */
    state: CreditRow['state'];
    cwPaymentId: number | null;
    ledgerApplicationId: string | null;
    error: StoredError | null;
  }[];
  /** Set when the books were given a rounding line or hold a total other than CW's: never silent. */
  rounding: RecordRow['rounding'];
  /** The last drift check against the books (server/reconcile/): null when never checked. */
  drift: { checkedAt: string; differences: ReturnType<typeof differenceView>[] } | null;
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
export const differenceView = (d: StoredDifference, decimals: number) => ({
  code: d.code,
  cause: d.cause,
  fix: d.fix ?? null,
  cw: d.cwMinor === undefined ? null : formatMinor(BigInt(d.cwMinor), decimals),
  ledger: d.ledgerMinor === undefined ? null : formatMinor(BigInt(d.ledgerMinor), decimals),
});

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
