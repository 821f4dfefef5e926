import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors.js';

export const notFound: RequestHandler = (req) => {
  throw new AppError(404, 'not_found', `No route for ${req.method} ${req.path}`, {
    hint: 'Check the path and method; the API lives under /api/v1.',
  });
};

interface BodyParserError {
  type?: string;
  status?: number;
}

const bodyParserErrors: Record<string, AppError> = {
  'entity.parse.failed': new AppError(400, 'invalid_json', 'The request body is not valid JSON', {
    hint: 'Send a JSON document with Content-Type: application/json.',
  }),
  'entity.too.large': new AppError(413, 'payload_too_large', 'The request body is too large', {
    hint: 'Send less data in one request.',
  }),
  'encoding.unsupported': new AppError(
    415,
    'unsupported_encoding',
    'The request body encoding is not supported',
    {
      hint: 'Send UTF-8 JSON.',
    },
  ),
};

/** Every failure leaves as `{"error":{code,message,hint}}`; unexpected ones never show a stack. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const parserError = bodyParserErrors[(error as BodyParserError)?.type ?? ''];
  const known = error instanceof AppError ? error : parserError;
  if (known) {
    if (known.status >= 500) req.log?.error({ err: error }, known.message);
    res.status(known.status).json({ error: known.toBody() });
    return;
  }
  req.log?.error({ err: error }, 'unexpected error');
  const requestId = String(req.id ?? '');
  res.status(500).json({
    error: {
      code: 'internal',
      message: 'Something went wrong on our side',
      hint: `Try again; if it keeps failing, report request id ${requestId}.`,
      requestId,
    },
  });
};
