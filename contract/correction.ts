import type { Problem } from './problems.js';

/** Why a correction cannot run now. */
export type CorrectionBlock =
  | 'nothing_to_correct'
  | 'deleted_in_books'
  | 'not_exportable'
  | 'paid_above_new_total';

export interface PreviewLine {
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  account: string;
  taxCode: string | null;
}

export interface PreviewChange {
  field: 'total' | 'tax' | 'subtotal';
  before: string;
  after: string;
}

export interface PreviewSettlement {
  kind: 'payment' | 'credit';
  id: string;
  amount: string;
  date: string;
  creditNumber: string | null;
}

/** What a correction of a synced invoice will change, amounts as decimal text in CW's precision. */
export interface CorrectionPreview {
  number: string;
  currency: string;
  books: string;
  batched: boolean;
  before: { total: string; tax: string; subtotal: string; balance: string } | null;
  after: { total: string; tax: string; subtotal: string; lines: PreviewLine[] | null };
  changes: PreviewChange[];
  /** Taken off before the update and put back after it, each once. */
  unapply: PreviewSettlement[];
  /** Why the correction cannot run now (nothing to change, a paid amount above the new total...). */
  blocked: { code: CorrectionBlock; message: string } | null;
}

/** A correction started, as it runs and after. */
export interface CorrectionStatus {
  id: string;
  status: 'running' | 'done' | 'failed';
  step: string;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  error: Problem | null;
  settlements: { kind: 'payment' | 'credit'; state: 'saved' | 'removed' | 'restored' }[];
}

/** GET and POST /api/v1/records/invoice/:cwId/correction. */
export interface CorrectionAnswer {
  preview: CorrectionPreview;
  correction: CorrectionStatus | null;
}
