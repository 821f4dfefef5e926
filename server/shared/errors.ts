/**
 * Expected failures carry a code, a message saying what went wrong, and a hint saying how to fix it.
 * Routes throw `AppError`; the error handler turns it into `{"error":{code,message,hint}}`.
 */
export interface ErrorBody {
  code: string;
  message: string;
  hint?: string;
  details?: unknown;
}

/**
 * The error-catalogue entry (records/error-catalogue.ts) a record that ends in a failure shows: the
 * code, the specifics its message names, and what this failure knows better than the entry.
 */
export interface CatalogueRef {
  code: string;
  detail: string;
  /** Used when the catalogue has no entry `code` (a provider's own code that is not one of ours). */
  otherwise?: string;
  /** Overrides the entry's: this failure knows whether trying again helps. */
  retryable?: boolean;
  /** Overrides the entry's hint. */
  hint?: string;
}

export interface CodedErrorOptions {
  hint?: string | undefined;
  retryable?: boolean | undefined;
  /** The outside system said how long to wait before trying again. */
  retryAfterMs?: number | undefined;
  /** The HTTP status the failure came with (an outside system's answer, or the one a route sends). */
  status?: number | undefined;
  cause?: unknown;
}

/**
 * The one family of expected failures. Each boundary (the ConnectWise client, the ledger clients,
 * request validation, the pipeline) throws its subclass and decides there what the failure is:
 * its code, whether trying again can help, and the catalogue entry a record stores it under
 * (`catalogued`), so the code that stores failures needs to know no system's error type.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(code: string, message: string, options: CodedErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'CodedError';
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }

  /** By default the failure's own code, its message as the detail, and the entry's hint and retry. */
  catalogued(): CatalogueRef {
    return { code: this.code, detail: this.message };
  }
}

/** A failure a route answers with: the HTTP status and the body's code are decided where it is thrown. */
export class AppError extends CodedError {
  declare readonly status: number;
  readonly details: unknown;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { hint?: string; details?: unknown; cause?: unknown } = {},
  ) {
    super(code, message, { hint: options.hint, status, cause: options.cause });
    this.name = 'AppError';
    this.details = options.details;
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
    };
  }
}
