import type { z } from 'zod';
import { LedgerError } from '../ledger-error.js';

/** Every answer is checked at the boundary; a surprise becomes ledger_bad_response, not a crash later. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new LedgerError({
      code: 'ledger_bad_response',
      providerMessage: `unexpected QuickBooks answer: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      retryable: false,
    });
  return result.data;
}
