import { describe, expect, it } from 'vitest';
import { lastMonth, monthPeriod } from '../../pod-ui/src/workbench/close-period.js';

describe('the close view month picker', () => {
  it('spans a month from its first day to its last, leap years included', () => {
    expect(monthPeriod('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthPeriod('2023-02')).toEqual({ from: '2023-02-01', to: '2023-02-28' });
    expect(monthPeriod('2024-12')).toEqual({ from: '2024-12-01', to: '2024-12-31' });
    expect(monthPeriod('2024-04')).toEqual({ from: '2024-04-01', to: '2024-04-30' });
  });
  it('opens on the month before today, across a year end', () => {
    expect(lastMonth(new Date('2025-01-15T12:00:00Z'))).toBe('2024-12');
    expect(lastMonth(new Date('2024-03-31T23:00:00Z'))).toBe('2024-02');
  });
});
