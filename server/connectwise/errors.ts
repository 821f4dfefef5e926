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

export class ConnectWiseError extends Error {
  readonly code: ConnectWiseErrorCode;
  readonly status: number | undefined;
  readonly cwCode: string | undefined;
  readonly errors: CwFieldError[];
  readonly retryable: boolean;
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
    super(message, { cause: options.cause });
    this.name = 'ConnectWiseError';
    this.code = code;
    this.status = options.status;
    this.cwCode = options.cwCode;
    this.errors = options.errors ?? [];
    this.retryable = options.retryable ?? false;
    this.ambiguous = options.ambiguous ?? false;
    this.field = options.field;
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
