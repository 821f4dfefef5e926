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

export function sendUnauthorized(res: Response, detail: string): void {
  res.status(401).json({ Type: null, Title: 'Unauthorized', Status: 401, Detail: detail, Instance: null });
}

export function sendForbidden(res: Response, detail: string): void {
  res.status(403).json({ Type: null, Title: 'Forbidden', Status: 403, Detail: detail, Instance: null });
}
