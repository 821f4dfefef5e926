import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryAfterOf } from '../../server/outbound/retry-after.js';

describe('retryAfterMs', () => {
  it('reads delta-seconds, fractions and numbers', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(' 7 ')).toBe(7000);
    expect(retryAfterMs('1.5')).toBe(1500);
    expect(retryAfterMs(2)).toBe(2000);
    expect(retryAfterMs('0')).toBe(0);
  });

  it('never reads digits as a date (Date.parse takes "5" for May 2001)', () => {
    expect(retryAfterMs('5', Date.parse('2030-01-01T00:00:00Z'))).toBe(5000);
    expect(retryAfterMs('-5')).toBe(0);
  });

  it('reads an HTTP date against now, a past one as no wait', () => {
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:30Z'))).toBe(30_000);
    expect(retryAfterMs(new Date(1_000).toUTCString(), 4_000)).toBe(0);
  });

  it('says nothing about garbage', () => {
    for (const value of ['soon', '', '   ', '1e3', undefined, null, {}, true])
      expect(retryAfterMs(value), String(value)).toBeUndefined();
  });

  it('takes the first of a repeated header', () => {
    expect(retryAfterMs(['4', '9'])).toBe(4000);
    expect(retryAfterMs([])).toBeUndefined();
  });
});

describe('retryAfterOf', () => {
  it('finds the header whatever its case', () => {
    expect(retryAfterOf({ 'Retry-After': '2' })).toBe(2000);
    expect(retryAfterOf({ 'retry-after': ['3'] })).toBe(3000);
    expect(retryAfterOf({ 'x-rate-limit-problem': 'minute' })).toBeUndefined();
    expect(retryAfterOf(undefined)).toBeUndefined();
  });
});
