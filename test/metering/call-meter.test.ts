import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../server/db/database.js';
import { createCallMeter } from '../../server/outbound/metering/call-meter.js';
import {
  bucketsFor,
  isQuickBooksWrite,
  periodEnd,
  periodStart,
  qboAppKey,
} from '../../server/outbound/metering/periods.js';
import { readUsage } from '../../server/outbound/metering/usage.js';
import { createTestDatabase } from '../support/test-database.js';

describe('meter buckets (pure)', () => {
  const at = new Date('2026-02-28T23:59:30.500Z');

  it('counts QBO reads per month on the connection and app-wide, writes per month apart', () => {
    expect(bucketsFor('qbo:9130', 'read', at)).toEqual([
      { key: 'qbo:9130', period: 'month_read', start: new Date('2026-02-01T00:00:00Z') },
      { key: qboAppKey, period: 'month_read', start: new Date('2026-02-01T00:00:00Z') },
    ]);
    expect(bucketsFor('qbo:9130', 'write', at)).toEqual([
      { key: 'qbo:9130', period: 'month_write', start: new Date('2026-02-01T00:00:00Z') },
    ]);
  });

  it('counts Xero per day and minute, ConnectWise per minute and day, nothing for other keys', () => {
    expect(bucketsFor('xero:org', 'write', at).map((b) => [b.period, b.start.toISOString()])).toEqual([
      ['day', '2026-02-28T00:00:00.000Z'],
      ['minute', '2026-02-28T23:59:00.000Z'],
    ]);
    expect(bucketsFor('cw:t1', 'read', at).map((b) => b.period)).toEqual(['minute', 'day']);
    expect(bucketsFor('unauth:t1', 'read', at)).toEqual([]);
  });

  it('ends periods at the next calendar boundary (February, a year end)', () => {
    expect(periodEnd('month_read', at).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(periodEnd('month_read', new Date('2026-12-31T12:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(periodEnd('day', at).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(periodEnd('minute', at).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(periodStart('minute', at).toISOString()).toBe('2026-02-28T23:59:00.000Z');
  });

  it('tells QBO writes (free) from reads (metered) by the SDK method', () => {
    for (const m of [
      'createInvoice',
      'updateInvoice',
      'voidInvoice',
      'deletePayment',
      'sendInvoicePdf',
      'batch',
    ])
      expect(isQuickBooksWrite(m), m).toBe(true);
    for (const m of [
      'getInvoice',
      'findInvoices',
      'changeDataCapture',
      'getPreferences',
      'reportBalanceSheet',
    ])
      expect(isQuickBooksWrite(m), m).toBe(false);
  });
});

describe('call meter shared through Postgres', () => {
  let database: DatabaseHandle;
  let second: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    // A second pool on the same database stands for a second process.
    second = await openDatabase({ databaseUrl: database.url, dataDir: undefined });
  });
  afterAll(async () => {
    await second.close();
    await database.close();
  });

  it('batches: a thousand calls cost no write until the flush, then one row per bucket', async () => {
    const at = new Date('2026-05-10T10:00:00Z');
    const meter = createCallMeter(database.db, { flushMs: 3_600_000, now: () => at });
    for (let i = 0; i < 1000; i++) meter.count('cw:batch');
    expect((await readUsage(database.db, ['cw:batch'], at)).get('cw:batch')?.minute).toBe(0);
    await meter.flush();
    const rows = await database.db
      .selectFrom('call_counts')
      .selectAll()
      .where('key', '=', 'cw:batch')
      .execute();
    expect(rows.map((r) => [r.period, Number(r.calls)]).sort()).toEqual([
      ['day', 1000],
      ['minute', 1000],
    ]);
    await meter.stop();
  });

  it('adds up the counts of two processes, and a new minute starts from zero', async () => {
    let at = new Date('2026-05-10T11:00:10Z');
    const meters = [database, second].map((d) =>
      createCallMeter(d.db, { flushMs: 3_600_000, now: () => at }),
    );
    for (let i = 0; i < 30; i++) meters[i % 2]!.count('xero:org-a');
    for (let i = 0; i < 4; i++) meters[i % 2]!.count('qbo:realm-a', 'write');
    for (let i = 0; i < 7; i++) meters[i % 2]!.count('qbo:realm-a', 'read');
    await Promise.all(meters.map((m) => m.flush()));
    const usage = await readUsage(database.db, ['xero:org-a', 'qbo:realm-a', qboAppKey], at);
    expect(usage.get('xero:org-a')).toMatchObject({ day: 30, minute: 30 });
    expect(usage.get('qbo:realm-a')).toMatchObject({ month_read: 7, month_write: 4 });
    expect(usage.get(qboAppKey)?.month_read).toBeGreaterThanOrEqual(7);
    at = new Date('2026-05-10T11:01:00Z');
    meters[0]!.count('xero:org-a');
    await Promise.all(meters.map((m) => m.stop()));
    expect((await readUsage(database.db, ['xero:org-a'], at)).get('xero:org-a')).toMatchObject({
      day: 31,
      minute: 1,
    });
  });

  it('keeps the counts of a failed flush for the next one', async () => {
    const at = new Date('2026-05-10T12:00:00Z');
    const meter = createCallMeter(database.db, { flushMs: 3_600_000, now: () => at });
    meter.count('cw:kept');
    meter.count('cw:kept');
    // The table away for a moment: the flush fails like it would while the database is away.
    await sql`alter table call_counts rename to call_counts_away`.execute(database.db);
    try {
      await meter.flush();
    } finally {
      await sql`alter table call_counts_away rename to call_counts`.execute(database.db);
    }
    expect((await readUsage(database.db, ['cw:kept'], at)).get('cw:kept')?.minute).toBe(0);
    meter.count('cw:kept');
    await meter.stop();
    expect((await readUsage(database.db, ['cw:kept'], at)).get('cw:kept')?.minute).toBe(3);
  });
});
