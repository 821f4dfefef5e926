import { type AuthorizedFetch, call } from './client.js';
import type { RecordState, RecordType } from './types.js';

/** One difference between ConnectWise and the books (server/reconcile/drift.ts), amounts as text. */
export interface Difference {
  code: string;
  cause: string;
  /** `action`: Ledgerpod makes the fix itself; otherwise `text` says what a person does. */
  fix: { text: string; action?: 'write_payment' | 'apply_credit'; ref?: string } | null;
  cw: string | null;
  ledger: string | null;
}

export interface RecordDifferences {
  record: { type: RecordType; cwId: number; number: string };
  checkable: boolean;
  checkedAt: string | null;
  differences: Difference[];
  /** Answered by a fix: whether it was made now (false: already made, or gone). */
  fixed?: boolean;
}

export interface DifferenceRow {
  type: RecordType;
  cwId: number;
  number: string;
  companyId: number | null;
  companyName: string;
  currency: string;
  state: RecordState;
  ledgerKind: 'qbo' | 'xero' | null;
  checkedAt: string;
  cwBalance: string;
  ledgerBalance: string | null;
  differences: Difference[];
}

export interface CompanyDifferences {
  companyId: number;
  balances: {
    currency: string;
    records: number;
    cw: string;
    ledger: string;
    difference: string;
    oldestCheck: string;
  }[];
  records: Omit<DifferenceRow, 'companyId' | 'companyName' | 'state' | 'ledgerKind' | 'checkedAt'>[];
}

const at = (type: RecordType, cwId: string | number) =>
  `/api/v1/records/${encodeURIComponent(type)}/${encodeURIComponent(String(cwId))}/differences`;

export const checkDifferences = (f: AuthorizedFetch, type: RecordType, cwId: string | number) =>
  call<RecordDifferences>(f, 'POST', `${at(type, cwId)}/check`, {});
export const fixDifference = (
  f: AuthorizedFetch,
  type: RecordType,
  cwId: string | number,
  fix: { code: string; ref: string },
) => call<RecordDifferences>(f, 'POST', `${at(type, cwId)}/fix`, fix);
export const listDifferences = (f: AuthorizedFetch) =>
  call<{ records: DifferenceRow[] }>(f, 'GET', '/api/v1/differences');
export const getCompanyDifferences = (f: AuthorizedFetch, companyId: string | number) =>
  call<CompanyDifferences>(
    f,
    'GET',
    `/api/v1/companies/${encodeURIComponent(String(companyId))}/differences`,
  );
