import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';

const problem = 'contains the NUL character (U+0000), which cannot be stored';

/**
 * PostgreSQL stores no U+0000 in text or jsonb, so a NUL that got past validation would fail
 * deep in a write as a 500. No field of ours has a use for it: it is refused at the door,
 * in the URL (path or query) or anywhere in a JSON body, key or value. The error has the
 * shape parseInput gives.
 */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  const bodyPath = nulPathIn(req.body, []);
  const [where, field] = /%00/i.test(req.originalUrl)
    ? ['url', 'url']
    : bodyPath
      ? ['body', bodyPath.join('.') || 'body']
      : [];
  if (!where) {
    next();
    return;
  }
  next(
    new AppError(400, 'invalid_request', `Invalid ${where}: ${field} (${problem})`, {
      hint: 'Remove the NUL character (\\u0000) and send the request again.',
      details: { fields: [{ field, problem }] },
    }),
  );
}

/** The path to the first string (value or key) holding a NUL, if any. */
function nulPathIn(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key];
    const found = nulPathIn(inner, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
