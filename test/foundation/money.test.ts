import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, minorToNumber, toMinor } from '../../server/shared/money.js';

describe('money', () => {
  it('parses decimal amounts exactly', () => {
    expect(toMinor(12.34, 2)).toBe(1234n);
    expect(toMinor('0.1', 2)).toBe(10n);
    expect(toMinor(0.1 + 0.2, 2)).toBe(30n);
    expect(toMinor(1500, 0)).toBe(1500n);
    expect(toMinor('12.3456', 3)).toBe(12346n);
    expect(toMinor(-0.005, 2)).toBe(-1n);
    expect(toMinor(1e-7, 2)).toBe(0n);
    expect(toMinor(1e21, 2)).toBe(100000000000000000000000n);
  });

  it('refuses what is not an amount', () => {
    expect(() => toMinor('12,5', 2)).toThrow(RangeError);
    expect(() => toMinor(Number.NaN, 2)).toThrow(RangeError);
  });

  it('formats with the currency decimals', () => {
    expect(formatMinor(1235n, 2)).toBe('12.35');
    expect(formatMinor(-5n, 2)).toBe('-0.05');
    expect(formatMinor(1500n, 0)).toBe('1500');
    expect(formatMinor(7n, 3)).toBe('0.007');
  });

  it('round-trips minor units through text and wire numbers', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
        fc.constantFrom(0, 2, 3),
        (minor, decimals) => {
          expect(toMinor(formatMinor(minor, decimals), decimals)).toBe(minor);
          expect(toMinor(minorToNumber(minor, decimals), decimals)).toBe(minor);
        },
      ),
    );
  });
});
