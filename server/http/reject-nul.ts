import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../shared/errors.js';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text PostgreSQL cannot store, and how to say so. */
const unstorable = [
  {
    // PostgreSQL stores no U+0000 in text or jsonb.
    found: (text: string) => text.includes('\u0000'),
    problem: 'contains the NUL character (U+0000), which cannot be stored',
    hint: 'Remove the NUL character (\\u0000) and send the request again.',
  },
  {
    // A lone UTF-16 surrogate ("\ud800" in JSON) has no UTF-8 form: jsonb refuses it, and text
    // would store a replacement character instead of what was sent.
    found: (text: string) => loneSurrogate.test(text),
    problem: 'contains a lone UTF-16 surrogate (such as \\ud800), which is not a character',
    hint: 'Send well-formed Unicode: escape surrogates only in pairs (\\ud83d\\ude00), or send the character itself.',
  },
] as const;

/**
 * Strings PostgreSQL cannot store would fail deep in a write as a 500. No field of ours has a use
 * for them: they are refused at the door, in the URL (path or query) or anywhere in a JSON body, key
 * or value, with the field named. The error has the shape parseInput gives.
 */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  for (const rule of unstorable) {
    const inUrl = rule === unstorable[0] ? /%00/i.test(req.originalUrl) : false;
    const queryPath = inUrl ? undefined : pathIn(req.query, [], rule.found);
    const bodyPath = inUrl || queryPath ? undefined : pathIn(req.body, [], rule.found);
    const [where, field] = inUrl
      ? ['url', 'url']
      : queryPath
        ? ['query', queryPath.join('.') || 'query']
        : bodyPath
          ? ['body', bodyPath.join('.') || 'body']
          : [];
    if (where) {
      next(
        new AppError(400, 'invalid_request', `Invalid ${where}: ${field} (${rule.problem})`, {
          hint: rule.hint,
          details: { fields: [{ field, problem: rule.problem }] },
        }),
      );
      return;
    }
  }
  next();
}

/**
 * The path to the first string (value or key) `found` flags, if any. Bodies reach here only once the
 * JSON depth limit (json-depth.ts) passed them, so the recursion is shallow.
 */
function pathIn(value: unknown, path: string[], found: (text: string) => boolean): string[] | undefined {
  if (typeof value === 'string') return found(value) ? path : undefined;
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (found(key)) return [...path, key];
    const within = pathIn(inner, [...path, key], found);
    if (within) return within;
  }
  return undefined;
}
