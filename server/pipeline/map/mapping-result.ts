import type { UnmappedKey } from '../../db/schema.js';
import type { SalesOrBillDocument } from '../../ledgers/ledger.js';
import type { RoundingNote } from './rounding.js';

/** What every mapper answers: a document to book, or every reason it cannot be one (codes in the error catalogue). */
/** A reason a CW transaction cannot become a ledger document; codes are in the error catalogue. */
export interface MappingProblem {
  code:
    | 'gl_entries_missing'
    | 'gl_account_unmapped'
    | 'tax_code_missing'
    | 'tax_code_unmapped'
    | 'tax_levels_unsupported'
    | 'out_of_balance'
    | 'currency_missing';
  detail: string;
  /** For the *_unmapped codes: what to map. */
  unmapped?: Omit<UnmappedKey, 'connectionId'>;
}

export type MappingResult =
  | {
      ok: true;
      document: SalesOrBillDocument;
      /** Set when the document carries a rounding line or a total other than CW's: say so on the record. */
      rounding?: RoundingNote;
    }
  | { ok: false; problems: MappingProblem[] };

export type OtherProblem =
  | MappingProblem
  | {
      code:
        | 'negative_bill'
        | 'zero_total'
        | 'invalid_batch_character'
        | 'adjustment_entries_unknown'
        | 'transfer_entries_unknown';
      detail: string;
    };

export type OtherResult<D> =
  | {
      ok: true;
      document: D;
      /** Set when the bill carries a rounding line or a total other than CW's: say so on the record. */
      rounding?: RoundingNote;
    }
  | { ok: false; problems: OtherProblem[] };
