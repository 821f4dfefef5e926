import type PgBoss from 'pg-boss';
import type { Invoice } from '../connectwise/index.js';
import type { RecordType } from '../db/schema.js';
import type { JobQueue } from './job-queue.js';

/** Job queue names and payloads: one place, so senders and workers cannot drift apart. */
export const queues = {
  pushRecord: 'record-push',
  refreshRecord: 'record-refresh',
  onboarding: 'onboarding-run',
  paymentsSweep: 'payments-sweep',
  paymentsTick: 'payments-tick',
  /** A targeted read of what one ledger webhook event names (payment-jobs.ts). */
  paymentsEvent: 'payments-event',
  /** Stored ConnectWise callbacks turned into refreshes (callback-inbox.ts). */
  callbackInbox: 'connectwise-callbacks',
  /** The callback watchdog: one check per tenant, and the tick that sends them (callback-watchdog.ts). */
  callbackWatch: 'connectwise-callback-watch',
  callbackWatchTick: 'connectwise-callback-watch-tick',
  /** The drift check of one synced record, and the tick of its slow rolling pass (server/reconcile/). */
  driftCheck: 'record-drift-check',
  driftTick: 'record-drift-tick',
  /** One correction of a synced invoice edited in ConnectWise (server/correction/). */
  correction: 'record-correction',
  /** A tenant's unposted records listed (never pushed), and the tick that sends sweeps (sweep-jobs.ts). */
  unpostedSweep: 'unposted-sweep',
  unpostedSweepTick: 'unposted-sweep-tick',
  unpostedDiscover: 'unposted-discover',
} as const;

export type QueueName = (typeof queues)[keyof typeof queues];

/** Expiry of push and payment jobs, and how often their running jobs beat (job-queue.ts). */
export const jobExpirySeconds = 30;
export const jobHeartbeatSeconds = 8;

/** A push's retries: sent with each push job too, so a re-sent job keeps them. */
export const pushRetry = { retryLimit: 8, retryDelay: 2, retryBackoff: true } as const;

type QueuePolicy = Omit<PgBoss.Queue, 'name'>;

/**
 * Every queue's policy, in one table: created before anything is sent to it. Expiries stay well under
 * pg-boss's 15 minutes: a job held by a dead worker blocks its stately queue's head (a stately fetch
 * fails while a key's active job lives), so it must come back within minutes.
 */
export const queuePolicies: Record<QueueName, QueuePolicy> = {
  // stately: at most one queued and one running job per record (singleton key). A push normally
  // takes seconds; a running push beats every jobHeartbeatSeconds, so one held by a dead worker is
  // re-run within this expiry plus a maintenance pass, and a live push waiting on rate limits is
  // never expired.
  [queues.pushRecord]: { policy: 'stately', ...pushRetry, expireInSeconds: jobExpirySeconds },
  // A run goes in slices (onboardingSliceMs), each resuming where the last stopped, so a job still
  // active after this long belongs to a dead worker and is run again: with pg-boss's maintenance, a
  // killed run resumes within two minutes. A slice that still overran would only race its retry
  // harmlessly: records move by transitionIf and CW refuses a batch identifier twice (onboardOne).
  [queues.onboarding]: {
    policy: 'standard',
    retryLimit: 10,
    retryDelay: 5,
    retryBackoff: true,
    expireInSeconds: 60,
  },
  // A refresh takes a call or two.
  [queues.refreshRecord]: {
    policy: 'stately',
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    expireInSeconds: 60,
  },
  // One sweep per connection at a time, one more waiting: webhooks in a burst collapse into one. A
  // running sweep beats (job-queue.ts), so a long first sweep lives on while a dead worker's comes
  // back within a minute; one run twice is safe anyway (each payment is claimed once).
  [queues.paymentsSweep]: {
    policy: 'stately',
    retryLimit: 8,
    retryDelay: 3,
    retryBackoff: true,
    expireInSeconds: jobExpirySeconds,
  },
  // One read per named entity at a time, one more waiting (Intuit and Xero may deliver twice).
  [queues.paymentsEvent]: {
    policy: 'stately',
    retryLimit: 8,
    retryDelay: 3,
    retryBackoff: true,
    expireInSeconds: jobExpirySeconds,
  },
  [queues.paymentsTick]: { policy: 'singleton' },
  // One drain running and one waiting: a kick during a drain is not lost, a burst is one more run.
  [queues.callbackInbox]: {
    policy: 'stately',
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    expireInSeconds: 60,
  },
  [queues.callbackWatch]: {
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  [queues.callbackWatchTick]: { policy: 'singleton' },
  // One check per record queued and one running; a dead worker's check comes back within minutes.
  [queues.driftCheck]: {
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 120,
  },
  [queues.driftTick]: { policy: 'singleton' },
  // One correction job per record at a time, retried and expired as a push is.
  [queues.correction]: { policy: 'stately', ...pushRetry, expireInSeconds: jobExpirySeconds },
  // One sweep per tenant at a time, one more waiting.
  [queues.unpostedSweep]: { policy: 'stately', retryLimit: 3, retryDelay: 30, expireInSeconds: 300 },
  [queues.unpostedSweepTick]: { policy: 'singleton' },
  [queues.unpostedDiscover]: { policy: 'stately', retryLimit: 2, retryDelay: 10, expireInSeconds: 120 },
};

/** Creates every queue with its policy (idempotent): at start-up, before anything is sent. */
export async function createQueues(jobs: JobQueue): Promise<void> {
  for (const [queue, policy] of Object.entries(queuePolicies)) await jobs.ensureQueue(queue, policy);
}

/**
 * One record's drift check: after a payment or a refresh changed it (`event`), in the rolling pass,
 * or asked for by a member (`manual`, foreground for the budget guard).
 */
export interface DriftCheckJob extends RecordJob {
  reason: 'event' | 'rolling' | 'manual';
}

export interface PaymentsSweepJob {
  tenantId: string;
  connectionId: string;
  /** YYYY-MM-DD: re-run from this date instead of the stored cursor. */
  since?: string;
}

/** One ledger webhook event's entity, read by itself. */
export interface PaymentsEventJob {
  tenantId: string;
  connectionId: string;
  entity: string;
  entityId: string;
  operation: string;
}

/** A sweep of one tenant's unposted records (sweep-jobs.ts). */
export interface SweepJob {
  tenantId: string;
  /** Who asked: a member identifier ("sync all") or `schedule`. */
  actor: string;
}

export interface OnboardingJob {
  tenantId: string;
  runId: string;
}

export interface RecordJob {
  tenantId: string;
  type: RecordType;
  cwId: number;
}

export interface PushRecordJob extends RecordJob {
  /** Who asked: a member identifier, `callback`, `schedule` or `onboarding`. */
  actor: string;
  /**
   * CW's invoice as the refresh that asked for this push (sync on close) read it, and when. The push
   * starts from it instead of reading the invoice again while it is young (push-job.ts).
   */
  invoiceRead?: { at: string; invoice: Invoice };
  /**
   * An admin confirmed "book this old record": push it although it is dated on or before the
   * onboarding cutoff or was onboarded (the confirmation is in the record's audit trail).
   */
  bookOld?: boolean;
}

export interface RefreshRecordJob extends RecordJob {
  reason: 'callback' | 'stale' | 'manual';
  /** The tenant's "sync on close": push the record when the refresh finds it closed and unposted. */
  syncIfClosed: boolean;
}

/** One active job per record: a second request while one runs is not queued twice. */
export const recordSingletonKey = (job: RecordJob) =>
  `${job.tenantId}:${job.type === 'credit_memo' ? 'invoice' : job.type}:${job.cwId}`;

/**
 * A refresh that may push (sync on close) has a key of its own: under the plain key it would be
 * dropped while a status read's refresh waits (stately keeps one queued per key), and the close
 * would never reach the books (seen on CI once callbacks went through the inbox). Two refreshes of
 * one record at once are harmless: a refresh reads, and moves the record only conditionally.
 */
export const refreshSingletonKey = (job: RefreshRecordJob) =>
  job.syncIfClosed ? `${recordSingletonKey(job)}:sync-on-close` : recordSingletonKey(job);
