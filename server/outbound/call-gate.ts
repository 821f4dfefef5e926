import type { CallLimiter, CallLimits, CallPriority } from './call-limiter.js';
import type { CallMeter } from './metering/call-meter.js';

/**
 * Wraps every HTTP call to an outside system (the ledgers and ConnectWise alike). Shared rate and
 * concurrency limits live here, once, not inside each client.
 */
export interface CallGate {
  run<T>(call: () => Promise<T>, priority?: CallPriority): Promise<T>;
  /** The system said its budget is spent (a remaining-limit header at zero): hold every caller back. */
  slowDown(waitMs: number): Promise<void>;
}

export const openGate: CallGate = { run: (call) => call(), slowDown: async () => undefined };

/** Whether to try a failed call again, and after how long: each system's retry policy answers it. */
export interface RetryDecision {
  retry: boolean;
  reason: string;
  waitMs: number;
}

/**
 * How the gate treats one system's failures. The system decides (its own retry policy, in its own
 * folder); the gate only carries the decision out, so it needs to know no system's error type.
 */
export interface GateRetry {
  /** `attempt`: attempts made so far, counting the one that just failed. Pure. */
  decide(error: unknown, attempt: number): RetryDecision;
  /** The failure is the system pushing back on the shared budget (a 429): every process waits. */
  isPushBack(error: unknown): boolean;
}

/**
 * For a system whose client retries on its own (ConnectWise's transport): every failure goes
 * straight back to the client.
 */
export const noGateRetry: GateRetry = {
  decide: () => ({ retry: false, reason: 'the client retries', waitMs: 0 }),
  isPushBack: () => false,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every call of one connection through the shared limiter; a push-back holds the shared budget
 * back. Each attempt that leaves is counted on `meter` under the same key (every outside call
 * passes here: QBO, Xero and ConnectWise alike).
 */
export function limitedGate(
  limiter: CallLimiter,
  key: string,
  limits: CallLimits,
  retry: GateRetry,
  meter?: CallMeter,
): CallGate {
  const kind = (priority?: CallPriority) => (priority?.write ? 'write' : 'read');
  return {
    async run(call, priority) {
      const counted = meter
        ? () => {
            meter.count(key, kind(priority));
            return call();
          }
        : call;
      for (let attempt = 1; ; attempt++) {
        try {
          return await limiter.run(key, limits, counted, priority);
        } catch (error) {
          const decision = retry.decide(error, attempt);
          if (!decision.retry) throw error;
          if (retry.isPushBack(error)) {
            // Every process waits (shared budget), and this caller sleeps the whole wait itself:
            // the limiter's burst tolerance could otherwise absorb a short push-back.
            await limiter.pushBack(key, decision.waitMs);
            await sleep(decision.waitMs);
          }
        }
      }
    },
    slowDown: (waitMs) => limiter.pushBack(key, waitMs),
  };
}
