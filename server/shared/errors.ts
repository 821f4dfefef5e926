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

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { hint?: string; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.hint = options.hint;
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

export type Result<T, E = ErrorBody> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });
