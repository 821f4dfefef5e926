import type { LedgerKind } from '../db/schema.js';
import { ledgerProviderOf } from '../ledgers/providers.js';

/**
 * When a connection's payments are checked in full (QBO: CDC; Xero: the payments list with
 * If-Modified-Since), apart from the targeted reads webhooks trigger. Pure: the job layer reads the
 * inputs from the database and asks. Which schedule a connection follows is its provider entry's
 * `paymentsCadence` (ledgers/provider.ts). Issue 15: an idle connection costs at most ~100 QBO reads or
 * ~150 Xero calls a day; a payment reaches ConnectWise within 60 s (QBO) or 5 min (Xero).
 */
export interface PaymentsActivity {
  kind: LedgerKind;
  now: Date;
  /** The last full check that finished; undefined when none ever has. */
  lastCheckedAt: Date | undefined;
  /** The last webhook that named this connection. */
  lastEventAt: Date | undefined;
  /** The last payment of this connection we saw. */
  lastPaidAt: Date | undefined;
  /** Synced invoices of this connection still open (synced or partly paid): what a payment can land on. */
  openDocuments: number;
  /** The first pass since this process started. */
  startUp: boolean;
}

export type PaymentsCheck =
  | { due: true; reason: 'start_up' | 'first_check' | 'catch_up' | 'webhooks_quiet' | 'poll' }
  | { due: false };

const minute = 60_000;

/**
 * `webhooks` (QBO). Intuit's webhooks name each payment, so CDC only closes gaps (domain.md §8: back-fill gaps
 * with CDC): once at start-up (webhooks may have been lost while no process listened), hourly as a
 * slow catch-up (a delivery Intuit gave up on, or one still in its retry ladder of up to hours), and
 * every 15 minutes while documents are open and no webhook came for 15 minutes (a subscription
 * broken or a receiver unreachable shows as silence). 24 reads a day idle; 96 at most.
 */
export const qboSchedule = { catchUpMs: 60 * minute, quietMs: 15 * minute } as const;

/**
 * Xero's poll interval bounds. The floor keeps a busy connection's poll at 480 calls a day, half of
 * the Starter tier's 1,000 (domain.md §8), leaving the rest to pushes; the ceiling bounds how late
 * a payment whose webhook was lost arrives when a connection is quiet.
 */
export const xeroPollBounds = { floorMs: 3 * minute, ceilingMs: 30 * minute } as const;

/**
 * `poll` (Xero). Xero sends no payment events, so with open documents its payments are polled, more often the more
 * documents are open (more chances of a payment) and the more recently one was paid (customers pay
 * in runs: a statement run, a month end). No open documents: undefined, no polling at all (a payment
 * removed from a paid invoice updates the invoice, whose webhook triggers a targeted check).
 */
export function xeroPollIntervalMs(
  openDocuments: number,
  lastPaidAt: Date | undefined,
  now: Date,
): number | undefined {
  if (openDocuments <= 0) return undefined;
  const base = openDocuments >= 50 ? 5 * minute : openDocuments >= 10 ? 10 * minute : 20 * minute;
  const sincePaid = lastPaidAt ? now.getTime() - lastPaidAt.getTime() : Number.POSITIVE_INFINITY;
  const factor =
    sincePaid < 60 * minute
      ? 0
      : sincePaid < 24 * 60 * minute
        ? 0.5
        : sincePaid < 7 * 1440 * minute
          ? 1
          : 1.5;
  return Math.min(xeroPollBounds.ceilingMs, Math.max(xeroPollBounds.floorMs, base * factor));
}

export function paymentsCheck(a: PaymentsActivity): PaymentsCheck {
  const since = (t: Date | undefined) => (t ? a.now.getTime() - t.getTime() : Number.POSITIVE_INFINITY);
  if (ledgerProviderOf(a.kind).paymentsCadence === 'webhooks') {
    if (a.startUp) return { due: true, reason: 'start_up' };
    if (!a.lastCheckedAt) return { due: true, reason: 'first_check' };
    if (since(a.lastCheckedAt) >= qboSchedule.catchUpMs) return { due: true, reason: 'catch_up' };
    if (
      a.openDocuments > 0 &&
      since(a.lastCheckedAt) >= qboSchedule.quietMs &&
      since(a.lastEventAt) >= qboSchedule.quietMs
    )
      return { due: true, reason: 'webhooks_quiet' };
    return { due: false };
  }
  const interval = xeroPollIntervalMs(a.openDocuments, a.lastPaidAt, a.now);
  if (interval === undefined) return { due: false };
  if (a.startUp) return { due: true, reason: 'start_up' };
  if (!a.lastCheckedAt) return { due: true, reason: 'first_check' };
  return since(a.lastCheckedAt) >= interval ? { due: true, reason: 'poll' } : { due: false };
}
