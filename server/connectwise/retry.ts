import type { RetryDecision } from '../outbound/call-gate.js';
import { retryAfterMs } from '../outbound/retry-after.js';

/**
 * Whether to try a ConnectWise call again, and after how long. Pure, so every branch is unit-tested.
 * A call that may have taken effect (non-idempotent POST after a timeout, a lost answer, or a 5xx) is
 * never retried blindly: exactly-once batches and payments matter more than a quick retry.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time one call may spend waiting between attempts. */
  maxTotalWaitMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 10_000,
  maxTotalWaitMs: 30_000,
};

export type Failure =
  | { kind: 'status'; status: number; headers?: Record<string, unknown> }
  | { kind: 'timeout' }
  | { kind: 'network' };

export interface RetryInput {
  /** Attempts already made, counting the one that just failed (1 after the first failure). */
  attempt: number;
  failure: Failure;
  idempotent: boolean;
  waitedMs?: number;
  policy?: RetryPolicy;
  random?: () => number;
}

export function decideRetry(input: RetryInput): RetryDecision {
  const policy = input.policy ?? defaultRetryPolicy;
  const { failure } = input;
  const stop = (reason: string): RetryDecision => ({ retry: false, reason, waitMs: 0 });

  let reason: string;
  let hintMs: number | undefined;
  if (failure.kind === 'status') {
    if (failure.status === 429) {
      // CW refused before doing anything, so even a POST is safe to repeat.
      reason = 'rate_limited';
      hintMs = retryAfterMs(failure.headers?.['retry-after']);
    } else if (failure.status >= 500) {
      if (!input.idempotent) return stop('ambiguous_server_error');
      reason = 'server_error';
      hintMs = retryAfterMs(failure.headers?.['retry-after']);
    } else {
      return stop('not_retryable_status');
    }
  } else {
    if (!input.idempotent) return stop(`ambiguous_${failure.kind}`);
    reason = failure.kind;
  }
  if (input.attempt >= policy.maxAttempts) return stop('attempts_exhausted');

  const waitMs = hintMs ?? backoffMs(input.attempt, policy, input.random ?? Math.random);
  if ((input.waitedMs ?? 0) + waitMs > policy.maxTotalWaitMs) return stop('wait_budget_exhausted');
  return { retry: true, reason, waitMs };
}

/** Exponential backoff with "equal jitter": never less than half the step, so retries stay spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}
