import type { LedgerKind, RecordState, RecordType } from './record-state.js';

/** What differs between ConnectWise and the books (server/reconcile/drift.ts compares them). */
export const differenceCodes = [
  'payment_missing_in_cw',
  'payment_removed_in_cw',
  'payment_missing_in_books',
  'payment_deleted_in_books',
  'credit_only_in_books',
  'credit_only_in_cw',
  'credit_amount_differs',
  'applied_only_in_books',
  'applied_amount_differs',
  'deleted_in_books',
  'voided_in_books',
  'total_edited_in_books',
  'total_edited_in_cw',
  'tax_edited_in_books',
  'balance_differs',
  'foreign_document',
] as const;
export type DifferenceCode = (typeof differenceCodes)[number];

/**
 * A fix Ledgerpod makes itself (`action`), or what a person does (`action` absent): `text` says it
 * either way, in one sentence.
 */
export interface Fix {
  text: string;
  action?: 'write_payment' | 'apply_credit';
  /** The ledger payment to write (write_payment) or the credit memo number to apply (apply_credit). */
  ref?: string;
}

/**
 * One difference between ConnectWise and the books, amounts as decimal text. `code` is text: a
 * finding stored by an older release may carry a code no longer in `differenceCodes`.
 */
export interface Difference {
  code: string;
  cause: string;
  fix: Fix | null;
  cw: string | null;
  ledger: string | null;
}

/** GET /api/v1/records/:type/:cwId/differences, and its check and fix. */
export interface RecordDifferences {
  record: { type: RecordType; cwId: number; number: string };
  checkable: boolean;
  checkedAt: string | null;
  differences: Difference[];
  /** Answered by a fix: whether it was made now (false: already made, or gone). */
  fixed?: boolean;
}

/** One row of GET /api/v1/differences. */
export interface DifferenceRow {
  type: RecordType;
  cwId: number;
  number: string;
  companyId: number | null;
  companyName: string;
  currency: string;
  state: RecordState;
  ledgerKind: LedgerKind | null;
  checkedAt: string;
  cwBalance: string;
  ledgerBalance: string | null;
  differences: Difference[];
}

/** GET /api/v1/companies/:companyId/differences: one company's receivables on both sides. */
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
