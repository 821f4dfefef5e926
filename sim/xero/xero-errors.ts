import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { Wire } from './tenant-books.js';

/** The 400 body Xero sends when a document fails validation: the element echoed with its errors. */
export function validationException(element: Wire, messages: string[]) {
  return {
    ErrorNumber: 10,
    Type: 'ValidationException',
    Message: 'A validation exception occurred',
    Elements: [{ ...element, ValidationErrors: messages.map((Message) => ({ Message })) }],
  };
}

export class ValidationFailure extends Error {
  constructor(
    readonly element: Wire,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }
}

export function sendValidation(res: Response, failure: ValidationFailure): void {
  res.status(400).json(validationException(failure.element, failure.messages));
}

export function sendNotFound(res: Response, what: string): void {
  res.status(404).json({ Title: 'Not Found', Status: 404, Detail: `${what} could not be found` });
}

/*
 * Xero's 401/403 bodies carry a request id in `Instance` and an empty `Extensions`: real bodies in
 * freakboy3742/pyxero#337 (401 TokenExpired) and dcblogdev/laravel-xero#40 (403), kept in
 * test/conformance/xero/error-40{1,3}-*.json and compared in test/conformance/simulator-shapes.test.ts.
 */
const problem = (title: string, status: number, detail: string) => ({
  Type: null,
  Title: title,
  Status: status,
  Detail: detail,
  Instance: randomUUID(),
  Extensions: {},
});

export function sendUnauthorized(res: Response, detail: string): void {
  res.status(401).json(problem('Unauthorized', 401, detail));
}

export function sendForbidden(res: Response, detail: string): void {
  res.status(403).json(problem('Forbidden', 403, detail));
}
