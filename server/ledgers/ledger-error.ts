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

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  readonly providerMessage: string;
  readonly providerCode: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(input: {
    code: LedgerErrorCode;
    providerMessage: string;
    providerCode?: string;
    retryable: boolean;
    retryAfterMs?: number;
    status?: number;
    cause?: unknown;
  }) {
    super(`${input.code}: ${input.providerMessage}`, { cause: input.cause });
    this.name = 'LedgerError';
    this.code = input.code;
    this.providerMessage = input.providerMessage;
    this.providerCode = input.providerCode;
    this.retryable = input.retryable;
    this.retryAfterMs = input.retryAfterMs;
    this.status = input.status;
  }
}
