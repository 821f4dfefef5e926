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

const clientErrorCodes: Record<number, { code: string; message: string; hint: string }> = {
  400: {
    code: 'bad_request',
    message: 'The request is malformed',
    hint: 'Check the path, its encoding and the body.',
  },
  404: { code: 'not_found', message: 'Nothing is here', hint: 'Check the path.' },
  413: {
    code: 'payload_too_large',
    message: 'The request body is too large',
    hint: 'Send less data in one request.',
  },
  415: {
    code: 'unsupported_media_type',
    message: 'The request body type or encoding is not supported',
    hint: 'Send UTF-8 JSON, uncompressed or with a valid encoding.',
  },
};

/**
 * A 4xx raised by Express or its parsers and static file serving (bad percent-encoding, an
 * unsupported charset, broken compression, a missing asset): the client's fault, said plainly.
 */
function clientError(error: unknown): AppError | undefined {
  // A path whose percent-encoding does not decode.
  if (error instanceof URIError)
    return new AppError(400, 'bad_request', 'The request path is not valid percent-encoding', {
      hint: 'Encode the path as UTF-8.',
    });
  const status =
    (error as { status?: unknown; statusCode?: unknown })?.status ??
    (error as { statusCode?: unknown })?.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const known = clientErrorCodes[status] ?? {
    code: 'bad_request',
    message: 'The request cannot be served',
    hint: 'Check the request.',
  };
  return new AppError(status, known.code, known.message, { hint: known.hint });
}

/** Every failure leaves as `{"error":{code,message,hint}}`; unexpected ones never show a stack. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const parserError = bodyParserErrors[(error as BodyParserError)?.type ?? ''];
  const known = error instanceof AppError ? error : (parserError ?? clientError(error));
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
