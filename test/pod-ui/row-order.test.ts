import { describe, expect, it } from 'vitest';
import type { RecordRow } from '../../pod-ui/src/api/types.js';
import { compareDecimal, groupFailures, keepOrder, sortRows } from '../../pod-ui/src/workbench/row-order.js';

const row = (cwId: number, total: string, extra: Partial<RecordRow> = {}): RecordRow => ({
  type: 'invoice',
  cwId,
  number: `INV-${cwId}`,
  date: '2024-05-01',
  company: { id: 1, name: 'Acme' },
  total,
  currency: 'USD',
  state: 'unposted',
  onboarding: null,
  error: null,
  ledger: null,
  ...extra,
});

describe('the workbench row order (pure)', () => {
  it('compares decimal text exactly, signs and widths included', () => {
    const sorted = ['10.25', '-10.5', '2', '0.00', '-0.5', '9.999', '10.250', '100'].sort(compareDecimal);
    expect(sorted).toEqual(['-10.5', '-0.5', '0.00', '2', '9.999', '10.25', '10.250', '100']);
    // Past a double's precision: still ordered.
    expect(compareDecimal('9007199254740993.01', '9007199254740993.02')).toBeLessThan(0);
    expect(compareDecimal('-0', '0.00')).toBe(0);
  });

  it('sorts by a column both ways, numbers as numbers; ties keep their order', () => {
    const rows = [row(10, '5.00'), row(9, '5.00'), row(100, '-1.00')];
    expect(sortRows(rows, { key: 'number', dir: 'asc' }).map((r) => r.cwId)).toEqual([9, 10, 100]);
    expect(sortRows(rows, { key: 'total', dir: 'asc' }).map((r) => r.cwId)).toEqual([100, 10, 9]);
    expect(sortRows(rows, { key: 'total', dir: 'desc' }).map((r) => r.cwId)).toEqual([10, 9, 100]);
    expect(sortRows(rows, undefined)).toEqual(rows);
  });

  it('keeps rows already shown in place; new ones come first', () => {
    const shown = ['invoice:1', 'invoice:2', 'invoice:3'];
    const next = [row(3, '1'), row(4, '1'), row(1, '1'), row(2, '1')];
    expect(keepOrder(shown, next).map((r) => r.cwId)).toEqual([4, 1, 2, 3]);
  });

  it('groups failures by code and fix, the largest group first', () => {
    const error = (code: string, hint: string) => ({ code, message: code, hint, retryable: false });
    const groups = groupFailures([
      row(1, '1', { error: error('not_closed', 'Close it.') }),
      row(2, '1', { error: error('gl_account_unmapped', 'Map it.') }),
      row(3, '1', { error: error('gl_account_unmapped', 'Map it.') }),
      row(4, '1'),
    ]);
    expect(groups.map((g) => [g.cause, g.hint, g.rows.map((r) => r.cwId)])).toEqual([
      ['GL account not mapped', 'Map it.', [2, 3]],
      ['Not closed in ConnectWise', 'Close it.', [1]],
    ]);
  });
});

describe('dates in the member locale (pure)', () => {
  it("reads the server's ISO days in a sentence in the locale, leaving codes that contain one alone", async () => {
    const { localDates } = await import('../../pod-ui/src/ui/dates.js');
    const day = (iso: string) =>
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(
        new Date(`${iso}T00:00:00Z`),
      );
    expect(localDates('Invoice INV-2023-07-01 (dated 2023-07-01, cutoff 2023-12-31)')).toBe(
      `Invoice INV-2023-07-01 (dated ${day('2023-07-01')}, cutoff ${day('2023-12-31')})`,
    );
    expect(localDates('no dates here')).toBe('no dates here');
  });
});
