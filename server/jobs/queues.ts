import type { Invoice } from '../connectwise/index.js';
import type { RecordType } from '../db/schema.js';

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
} as const;

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
   * starts from it instead of reading the invoice again while it is young (record-jobs.ts).
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
