import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../shared/errors.js';

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

/** PostgreSQL's codes for a statement or lock wait cut off by this process's limits, or a deadlock. */
const busyCodes = new Set(['57014', '55P03', '40P01']);
/** PostgreSQL going away or not taking connections (restart, failover) and the driver's own words for it. */
const goneCodes = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const goneErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/**
 * The database could not answer in time (a lock held by another session, a statement over the
 * role's limit) or is not there (restart, failover): a 503 the caller can retry, never a long wait
 * or an anonymous 500.
 */
export function databaseUnavailable(error: unknown): AppError | undefined {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (busyCodes.has(code))
    return new AppError(503, 'database_busy', 'The database is busy and could not answer in time', {
      hint: 'Try again in a few seconds; nothing was changed by this request.',
    });
  if (
    goneCodes.has(code) ||
    goneErrnos.has(code) ||
    /Connection terminated|terminating connection|timeout exceeded when trying to connect|not queryable|Connection refused|the database system is (starting up|shutting down)/i.test(
      message,
    )
  )
    return new AppError(503, 'database_unavailable', 'The database is not reachable right now', {
      hint: 'Try again in a few seconds; Ledgerpod reconnects on its own when the database is back.',
    });
  return undefined;
}

/** Every failure leaves as `{"error":{code,message,hint}}`; unexpected ones never show a stack. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const parserError = bodyParserErrors[(error as BodyParserError)?.type ?? ''];
  const known =
    error instanceof AppError ? error : (parserError ?? clientError(error) ?? databaseUnavailable(error));
  if (known) {
    if (known.status >= 500)
      req.log?.[known.status === 503 ? 'warn' : 'error']({ err: error }, known.message);
    const retryAfter = (known.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (known.status === 429 && typeof retryAfter === 'number') res.set('retry-after', String(retryAfter));
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
