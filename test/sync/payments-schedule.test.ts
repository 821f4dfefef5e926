import { describe, expect, it } from 'vitest';
import {
  type PaymentsActivity,
  paymentsCheck,
  qboSchedule,
  xeroPollBounds,
  xeroPollIntervalMs,
} from '../../server/payments/payments-schedule.js';

const now = new Date('2026-12-03T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const day = 86_400_000;

const activity = (over: Partial<PaymentsActivity>): PaymentsActivity => ({
  kind: 'qbo',
  now,
  lastCheckedAt: ago(1),
  lastEventAt: ago(1),
  lastPaidAt: undefined,
  openDocuments: 0,
  startUp: false,
  ...over,
});

/** Full checks a day for a connection whose activity stays as given: the pass runs every minute. */
function checksPerDay(over: Partial<PaymentsActivity>): number {
  let lastCheckedAt: Date | undefined = new Date(now.getTime() - 2 * day);
  let checks = 0;
  for (let m = 0; m < 1440; m++) {
    const at = new Date(now.getTime() - day + m * 60_000);
    const a = activity({ ...over, now: at, lastCheckedAt });
    if (over.lastEventAt === undefined && over.kind !== 'xero') a.lastEventAt = undefined;
    if (paymentsCheck(a).due) {
      checks += 1;
      lastCheckedAt = at;
    }
  }
  return checks;
}

describe('the Xero poll interval (pure)', () => {
  it('no open documents: no polling, however recent the last payment', () => {
    expect(xeroPollIntervalMs(0, ago(1), now)).toBeUndefined();
    expect(xeroPollIntervalMs(0, undefined, now)).toBeUndefined();
  });

  it('shortens as more documents are open', () => {
    const intervals = [1, 5, 10, 30, 50, 500].map((n) => xeroPollIntervalMs(n, ago(3 * 1440), now)!);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]).toBeLessThanOrEqual(intervals[i - 1]!);
    expect(intervals[0]).toBeGreaterThan(intervals.at(-1)!);
  });

  it('shortens the more recently a document was paid', () => {
    const byRecency = [undefined, ago(30 * 1440), ago(3 * 1440), ago(6 * 60), ago(10)].map(
      (paid) => xeroPollIntervalMs(12, paid, now)!,
    );
    for (let i = 1; i < byRecency.length; i++) expect(byRecency[i]).toBeLessThanOrEqual(byRecency[i - 1]!);
    expect(byRecency[0]).toBeGreaterThan(byRecency.at(-1)!);
    expect(xeroPollIntervalMs(1, ago(10), now)).toBe(xeroPollBounds.floorMs);
  });

  it('stays between its floor and ceiling: the busiest connection polls at most 480 times a day', () => {
    for (const open of [1, 3, 9, 10, 49, 50, 10_000])
      for (const paid of [undefined, ago(0), ago(59), ago(61), ago(1500), ago(20_000)]) {
        const ms = xeroPollIntervalMs(open, paid, now)!;
        expect(ms).toBeGreaterThanOrEqual(xeroPollBounds.floorMs);
        expect(ms).toBeLessThanOrEqual(xeroPollBounds.ceilingMs);
      }
    expect(day / xeroPollBounds.floorMs).toBe(480);
  });
});

describe('when a full payments check is due (pure)', () => {
  it('QBO: at start-up and for a connection never checked, whatever else', () => {
    expect(paymentsCheck(activity({ startUp: true }))).toEqual({ due: true, reason: 'start_up' });
    expect(paymentsCheck(activity({ lastCheckedAt: undefined }))).toEqual({
      due: true,
      reason: 'first_check',
    });
  });

  it('QBO: hourly catch-up, and nothing between while webhooks come', () => {
    expect(paymentsCheck(activity({ lastCheckedAt: ago(59), openDocuments: 40 }))).toEqual({ due: false });
    expect(paymentsCheck(activity({ lastCheckedAt: ago(60) }))).toEqual({ due: true, reason: 'catch_up' });
  });

  it('QBO: webhooks silent while documents are open bring CDC every 15 minutes', () => {
    const quiet = activity({ lastCheckedAt: ago(15), lastEventAt: ago(40), openDocuments: 3 });
    expect(paymentsCheck(quiet)).toEqual({ due: true, reason: 'webhooks_quiet' });
    expect(paymentsCheck({ ...quiet, lastEventAt: undefined })).toEqual({
      due: true,
      reason: 'webhooks_quiet',
    });
    // A webhook a minute ago: the channel works, the hourly catch-up is enough.
    expect(paymentsCheck({ ...quiet, lastEventAt: ago(1) })).toEqual({ due: false });
    // Nothing open: silence is expected.
    expect(paymentsCheck({ ...quiet, openDocuments: 0 })).toEqual({ due: false });
    expect(paymentsCheck({ ...quiet, lastCheckedAt: ago(14) })).toEqual({ due: false });
  });

  it('Xero: no open documents, no check, not even at start-up', () => {
    expect(paymentsCheck(activity({ kind: 'xero', startUp: true }))).toEqual({ due: false });
    expect(paymentsCheck(activity({ kind: 'xero', lastCheckedAt: undefined }))).toEqual({ due: false });
  });

  it('Xero: with documents open, the poll interval decides', () => {
    const a = activity({ kind: 'xero', openDocuments: 12, lastPaidAt: ago(3 * 1440) });
    const interval = xeroPollIntervalMs(12, a.lastPaidAt, now)!;
    expect(paymentsCheck({ ...a, lastCheckedAt: new Date(now.getTime() - interval + 1) })).toEqual({
      due: false,
    });
    expect(paymentsCheck({ ...a, lastCheckedAt: new Date(now.getTime() - interval) })).toEqual({
      due: true,
      reason: 'poll',
    });
    expect(paymentsCheck({ ...a, lastCheckedAt: undefined })).toEqual({ due: true, reason: 'first_check' });
  });

  it('a day of passes a minute apart: idle QBO 24 checks, silent QBO with open documents 96, idle Xero 0', () => {
    expect(checksPerDay({ kind: 'qbo', openDocuments: 0 })).toBe(24);
    expect(checksPerDay({ kind: 'qbo', openDocuments: 5 })).toBe(1440 / (qboSchedule.quietMs / 60_000));
    expect(checksPerDay({ kind: 'xero', openDocuments: 0 })).toBe(0);
    expect(checksPerDay({ kind: 'xero', openDocuments: 500, lastPaidAt: now })).toBe(480);
  });
});
