import type { ErrorRequestHandler, Response } from 'express';
import type { FaultResponder } from '../kit/faults.js';

/** One entry of CW's `errors` array: which field of which resource was wrong. */
export interface CwFieldError {
  code: string;
  message: string;
  resource: string;
  field: string;
}

/** Thrown by simulator routes; the error handler answers with CW's error body `{code, message, errors?}`. */
export class CwHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: CwFieldError[],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new CwHttpError(404, 'NotFound', `${what} not found`);

/** CW's usual answer to a bad body: code InvalidObject with one field error per problem. */
export const invalidObject = (resource: string, field: string, message: string) =>
  new CwHttpError(400, 'InvalidObject', `${resource} object is invalid`, [
    { code: 'InvalidField', message, resource, field },
  ]);

export function sendCwError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ code, message });
}

export const cwErrorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  if (error instanceof CwHttpError) {
    res.status(error.status).json({
      code: error.code,
      message: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
    });
    return;
  }
  if (error?.type === 'entity.parse.failed') {
    sendCwError(res, 400, 'InvalidObject', 'The request body is not valid JSON');
    return;
  }
  sendCwError(res, 500, 'UnexpectedServerError', String(error?.message ?? error));
};

/** Injected faults answer with the bodies CW itself sends. */
export const cwFaultResponder: FaultResponder = {
  http500: (res) => sendCwError(res, 500, 'UnexpectedServerError', 'An unexpected error has occurred'),
  http429: (res, seconds) =>
    sendCwError(res, 429, 'TooManyRequests', `Too many requests, retry after ${seconds} seconds`),
};
