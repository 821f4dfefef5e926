import type { z } from 'zod';
import { AppError } from '../shared/errors.js';

/** Parses input at the HTTP boundary; a failure lists every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : where,
    problem: issue.message,
  }));
  throw new AppError(
    400,
    'invalid_request',
    `Invalid ${where}: ${fields.map((f) => `${f.field} (${f.problem})`).join('; ')}`,
    {
      hint: 'Correct the listed fields and send the request again.',
      details: { fields },
    },
  );
}
