import type { Invoice } from '../connectwise/index.js';
import type { RecordType } from '../db/schema.js';

/** Job queue names and payloads: one place, so senders and workers cannot drift apart. */
export const queues = {
  pushRecord: 'record-push',
  refreshRecord: 'record-refresh',
  onboarding: 'onboarding-run',
  paymentsSweep: 'payments-sweep',
  paymentsTick: 'payments-tick',
} as const;

export interface PaymentsSweepJob {
  tenantId: string;
  connectionId: string;
  /** YYYY-MM-DD: re-run from this date instead of the stored cursor. */
  since?: string;
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
}

export interface RefreshRecordJob extends RecordJob {
  reason: 'callback' | 'stale' | 'manual';
  /** The tenant's "sync on close": push the record when the refresh finds it closed and unposted. */
  syncIfClosed: boolean;
}

/** One active job per record: a second request while one runs is not queued twice. */
export const recordSingletonKey = (job: RecordJob) =>
  `${job.tenantId}:${job.type === 'credit_memo' ? 'invoice' : job.type}:${job.cwId}`;
