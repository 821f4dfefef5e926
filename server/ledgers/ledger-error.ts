import { type CatalogueRef, CodedError } from '../shared/errors.js';

/**
 * Every failure of a ledger call becomes a LedgerError: a code from the error catalogue, the
 * provider's own message, and whether trying again can help.
 */
export type LedgerErrorCode =
  | 'ledger_unauthorized'
  | 'ledger_rate_limited'
  | 'ledger_unavailable'
  | 'ledger_timeout'
  | 'ledger_validation'
  | 'ledger_duplicate_number'
  | 'ledger_not_found'
  | 'ledger_stale_version'
  | 'ledger_bad_response'
  /** The document is dated in a period the books lock (QBO 6210 closing date, Xero lock dates). */
  | 'period_locked';

export class LedgerError extends CodedError {
  declare readonly code: LedgerErrorCode;
  readonly providerMessage: string;
  readonly providerCode: string | undefined;

  constructor(input: {
    code: LedgerErrorCode;
    providerMessage: string;
    providerCode?: string;
    retryable: boolean;
    retryAfterMs?: number;
    status?: number;
    cause?: unknown;
  }) {
    super(input.code, `${input.code}: ${input.providerMessage}`, {
      retryable: input.retryable,
      retryAfterMs: input.retryAfterMs,
      status: input.status,
      cause: input.cause,
    });
    this.name = 'LedgerError';
    this.providerMessage = input.providerMessage;
    this.providerCode = input.providerCode;
  }

  /**
   * A ledger that refused a document before sending it names the catalogue entry itself, as its
   * provider code (a number too long for Xero, a missing QBO tax code); any other provider code
   * is the provider's own, and the record shows the ledger code.
   */
  override catalogued(): CatalogueRef {
    return {
      code: this.providerCode ?? this.code,
      otherwise: this.code,
      detail: this.providerMessage,
      retryable: this.retryable,
    };
  }
}
