import type { GateRetry, RetryDecision } from '../outbound/call-gate.js';
import { LedgerError } from './ledger-error.js';

/** The ledgers' retry policy, as data: how often and how long a ledger call waits in-process. */
export interface RetryPolicy {
  /** Attempts in all for a rate-limited call. */
  rateLimitedAttempts: number;
  /** A Retry-After longer than this (Xero's day limit) is left to the job queue's retry. */
  maxWaitMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { rateLimitedAttempts: 8, maxWaitMs: 60_000 };

/**
 * Whether a failed ledger call is tried again in-process, and after how long. Pure. A 429 waits
 * what the provider asked; a 401 is tried once more, after the token source was told to refresh.
 * Nothing else is retried here: timeouts and 5xx may have written, and belong to the push job,
 * which retries with the same idempotency key.
 */
export function retryDecision(error: unknown, attempt: number, policy = defaultRetryPolicy): RetryDecision {
  if (!(error instanceof LedgerError)) return { retry: false, reason: 'not a ledger error', waitMs: 0 };
  if (error.code === 'ledger_rate_limited') {
    const waitMs = error.retryAfterMs ?? 60_000;
    if (waitMs > policy.maxWaitMs) return { retry: false, reason: 'wait longer than allowed', waitMs };
    if (attempt >= policy.rateLimitedAttempts)
      return { retry: false, reason: 'rate limited too often', waitMs };
    return { retry: true, reason: 'rate limited', waitMs };
  }
  if (error.code === 'ledger_unauthorized' && error.retryable && attempt < 2)
    return { retry: true, reason: 'access token refused; refreshed', waitMs: 0 };
  return { retry: false, reason: error.code, waitMs: 0 };
}

/** The ledgers' policy as the call gate applies it: a rate-limited answer holds back every process. */
export const ledgerGateRetry = (policy = defaultRetryPolicy): GateRetry => ({
  decide: (error, attempt) => retryDecision(error, attempt, policy),
  isPushBack: (error) => error instanceof LedgerError && error.code === 'ledger_rate_limited',
});
