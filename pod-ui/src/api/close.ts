import { ApiError, type AuthorizedFetch, call, query } from './client.js';
import type { LedgerKind, Problem, RecordState, RecordType } from './types.js';

/** GET /api/v1/close (server/close/close-view.ts), as the close view reads it. */
export interface Period {
  from: string;
  to: string;
}

export interface CloseConnection {
  id: string;
  kind: LedgerKind;
  name: string;
  booksPeriod: boolean;
  paymentsCheckedAt: string | null;
  firstUnwrittenPayment: string | null;
  paymentsThrough: string | null;
  lock:
    | { state: 'locked'; through: string; what: string }
    | { state: 'open' }
    | { state: 'unknown'; message: string };
}

export interface CloseView {
  period: Period;
  ready: boolean;
  records: Record<
    'synced' | 'onboarded' | 'unposted' | 'waiting' | 'failed' | 'not_closed' | 'total',
    number
  >;
  open: {
    type: RecordType;
    cwId: number;
    number: string;
    date: string | null;
    state: RecordState;
    error: Problem | null;
  }[];
  openMore: boolean;
  payments: { written: number; pending: number; failed: number; withdrawn: number };
  unappliedCredits: { cwId: number; number: string; currency: string; remaining: string }[];
  differences: {
    count: number;
    records: { type: RecordType; cwId: number; number: string; codes: string[] }[];
  };
  connections: CloseConnection[];
  checklist: {
    recordsSynced: boolean;
    paymentsWritten: boolean;
    paymentsThroughPeriod: boolean;
    differencesAtZero: boolean;
    unappliedCredits: number;
  };
}

export const getClose = (f: AuthorizedFetch, period: Period) =>
  call<CloseView>(f, 'GET', `/api/v1/close${query({ ...period })}`);

/** The evidence of a period as text (CSV or the printable page); a refusal is an ApiError as ever. */
export async function getEvidence(
  f: AuthorizedFetch,
  period: Period,
  format: 'csv' | 'html',
): Promise<string> {
  const response = await f(`/api/v1/close/evidence.${format}${query({ ...period })}`);
  if (response.ok) return response.text();
  const data = (await response.json().catch(() => undefined)) as { error?: Problem } | undefined;
  throw new ApiError(
    response.status,
    data?.error ?? {
      code: `http_${response.status}`,
      message: `Ledgerpod answered HTTP ${response.status}.`,
    },
  );
}
