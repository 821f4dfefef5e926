import { type CatalogueRef, CodedError } from '../shared/errors.js';

/**
 * Every failure talking to ConnectWise becomes a ConnectWiseError with a stable `code`, CW's own code and
 * message when it sent one, and two flags the sync engine acts on:
 * - retryable: trying again later can succeed;
 * - ambiguous: the call may have taken effect (a POST timed out or its answer was lost), so re-check
 *   CW's state before retrying, or a batch or payment could be created twice.
 */
export type ConnectWiseErrorCode =
  | 'cw_invalid_request'
  | 'cw_unauthorized'
  | 'cw_forbidden'
  | 'cw_not_found'
  | 'cw_conflict'
  | 'cw_rate_limited'
  | 'cw_server_error'
  | 'cw_http_error'
  | 'cw_timeout'
  | 'cw_network'
  | 'cw_bad_response'
  | 'cw_unknown_company'
  | 'cw_untrusted_url';

export interface CwFieldError {
  code?: string;
  message?: string;
  resource?: string;
  field?: string;
}

export class ConnectWiseError extends CodedError {
  declare readonly code: ConnectWiseErrorCode;
  readonly cwCode: string | undefined;
  readonly errors: CwFieldError[];
  readonly ambiguous: boolean;
  /** cw_bad_response: the path of the field CW sent in a form the product cannot read. */
  readonly field: string | undefined;

  constructor(
    code: ConnectWiseErrorCode,
    message: string,
    options: {
      status?: number;
      cwCode?: string;
      errors?: CwFieldError[];
      retryable?: boolean;
      ambiguous?: boolean;
      field?: string;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { status: options.status, retryable: options.retryable, cause: options.cause });
    this.name = 'ConnectWiseError';
    this.cwCode = options.cwCode;
    this.errors = options.errors ?? [];
    this.ambiguous = options.ambiguous ?? false;
    this.field = options.field;
  }

  /** What a record that ends in this failure shows (the cw_* entries of the error catalogue). */
  override catalogued(): CatalogueRef {
    const detail = this.message;
    if (this.code === 'cw_unauthorized' || this.code === 'cw_forbidden')
      return { code: 'cw_unauthorized', detail };
    if (this.code === 'cw_bad_response')
      // A 2xx answer to a write took effect; the next try finds what it made before doing anything.
      return this.ambiguous
        ? {
            code: 'cw_bad_response',
            detail,
            retryable: true,
            hint: 'Nothing to do: what ConnectWise did is looked up again before Ledgerpod goes on, so nothing is made twice.',
          }
        : { code: 'cw_bad_response', detail };
    if (this.retryable || this.ambiguous) return { code: 'cw_unavailable', detail, retryable: true };
    if (this.code === 'cw_not_found') return { code: 'cw_record_not_found', detail };
    return {
      code: 'cw_refused',
      detail: [detail, ...this.errors.map((e) => e.message ?? '')].filter(Boolean).join('; '),
    };
  }
}

export function codeForStatus(status: number): ConnectWiseErrorCode {
  if (status === 400) return 'cw_invalid_request';
  if (status === 401) return 'cw_unauthorized';
  if (status === 403) return 'cw_forbidden';
  if (status === 404) return 'cw_not_found';
  if (status === 409) return 'cw_conflict';
  if (status === 429) return 'cw_rate_limited';
  if (status >= 500) return 'cw_server_error';
  return 'cw_http_error';
}

/** Builds the error for an HTTP failure from CW's body `{code, message, errors}` when it has one. */
export function errorFromResponse(status: number, body: unknown, ambiguous = false): ConnectWiseError {
  const cw = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
  };
  const cwCode = typeof cw.code === 'string' ? cw.code : undefined;
  const detail = typeof cw.message === 'string' ? cw.message : `HTTP ${status}`;
  return new ConnectWiseError(codeForStatus(status), `ConnectWise answered ${status}: ${detail}`, {
    status,
    cwCode,
    errors: Array.isArray(cw.errors) ? (cw.errors as CwFieldError[]) : [],
    retryable: status === 429 || status >= 500,
    ambiguous,
  });
}
