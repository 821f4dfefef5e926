import { describe, expect, it } from 'vitest';
import { paymentsThroughOf } from '../../server/close/close-connections.js';
import { auditTrailText, differencesText } from '../../server/close/period-evidence.js';
import { csvField, csvHeader } from '../../server/http/evidence-format.js';

describe('payments written through a day', () => {
  const checked = new Date('2024-04-03T09:30:00Z');
  it('is unknown until the payments were read from the books once', () => {
    expect(paymentsThroughOf(null, null)).toBeNull();
  });
  it('is the day before the check (a payment entered later that day may be dated that day)', () => {
    expect(paymentsThroughOf(checked, null)).toBe('2024-04-02');
  });
  it('stops the day before the first payment still to write, across a month end', () => {
    expect(paymentsThroughOf(checked, '2024-03-01')).toBe('2024-02-29');
    expect(paymentsThroughOf(checked, '2024-04-03')).toBe('2024-04-02');
  });
});

describe('evidence cells', () => {
  it('quotes every field, doubles quotes, and defuses formulas but not negative amounts', () => {
    expect(csvField('Smith, "Jones"\nLtd')).toBe('"Smith, ""Jones""\nLtd"');
    expect(csvField('=SUM(A1)')).toBe(`"'=SUM(A1)"`);
    expect(csvField('@cmd')).toBe(`"'@cmd"`);
    expect(csvField('-12.50')).toBe('"-12.50"');
    expect(csvField(null)).toBe('""');
    expect(csvField(42)).toBe('"42"');
    expect(csvHeader().endsWith('"Differences","Audit trail"\r\n')).toBe(true);
  });
  it('sums up the audit trail and the drift finding in one cell each', () => {
    expect(
      auditTrailText([
        {
          at: '2024-03-05T10:00:42Z',
          actor: 'afinch',
          kind: 'queued',
          from_state: 'unposted',
          to_state: 'queued',
        },
        {
          at: new Date('2024-03-05T10:01:00Z'),
          actor: 'payments',
          kind: 'payment_written',
          from_state: 'synced',
          to_state: 'synced',
        },
      ]),
    ).toBe('2024-03-05 10:00Z afinch queued unposted→queued; 2024-03-05 10:01Z payments payment_written');
    expect(differencesText(undefined)).toBe('not checked');
    expect(differencesText({ checked_at: '2024-03-06T08:00:00Z', differences: [] })).toBe(
      'none (checked 2024-03-06)',
    );
    expect(
      differencesText({
        checked_at: '2024-03-06T08:00:00Z',
        differences: [{ code: 'payment_missing_in_cw', cause: 'Paid 5.00 in the books', fix: undefined }],
      }),
    ).toBe('payment_missing_in_cw: Paid 5.00 in the books');
  });
});
