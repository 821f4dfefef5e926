import type { RecordError } from './problems.js';
import type { LedgerKind, RecordDetail } from './records.js';

/** The kind of document a push creates in the books. */
export type DocumentType = 'invoice' | 'credit_memo' | 'bill' | 'journal';

/** The document a push would create now, as the pod shows it before ConnectWise saves. */
export interface DocumentPreview {
  ledger: LedgerKind;
  connectionName: string;
  type: DocumentType;
  number: string;
  party: string;
  currency: string;
  /** Decimal text at the document's precision, as the record view sends amounts. */
  total: string;
  tax: string;
  lines: number;
}

/** What would stop a push now, every reason at once, and the document it would create. */
export interface PushCheck {
  /** Already in a ConnectWise batch: nothing a push would do. */
  posted: boolean;
  /** Every reason a push would fail now, each with its fix; empty when it would go through. */
  problems: RecordError[];
  /** The document it would create, when the record maps to one. */
  document: DocumentPreview | null;
}

/** A check, and whether it found a failed record fixed (and its push asked for again). */
export interface Recheck {
  check: PushCheck;
  /** The record had failed on something ConnectWise (or a mapping) now shows fixed. */
  fixed: boolean;
  /** ...and its push was asked for again (the tenant's `syncWhenFixed`). */
  syncing: boolean;
}

/** POST /api/v1/records/:type/:cwId/check answers the check with the record as it stands. */
export interface RecheckAnswer extends Recheck {
  record: RecordDetail | null;
}
