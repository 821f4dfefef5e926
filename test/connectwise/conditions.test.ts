import { describe, expect, it } from 'vitest';
import { ConditionsError, parseConditions } from '../../sim/connectwise/conditions.js';

const invoices = [
  { id: 1, invoiceNumber: 'A-100', company: { id: 5 }, dateClosed: '2024-01-10T00:00:00Z', type: 'Standard' },
  {
    id: 2,
    invoiceNumber: 'B-200',
    company: { id: 6 },
    dateClosed: '2024-02-10T00:00:00Z',
    type: 'CreditMemo',
  },
  { id: 3, invoiceNumber: 'A-300', company: { id: 5 }, dateClosed: '2024-03-10T00:00:00Z', type: 'Standard' },
];
const ids = (conditions: string) => invoices.filter(parseConditions(conditions)).map((r) => r.id);

describe('conditions parser', () => {
  it('matches everything without conditions', () => {
    expect(ids('')).toEqual([1, 2, 3]);
  });
  it('compares numbers, nested fields and strings case-insensitively', () => {
    expect(ids('id = 2')).toEqual([2]);
    expect(ids('id != 2')).toEqual([1, 3]);
    expect(ids('company/id = 5')).toEqual([1, 3]);
    expect(ids('invoiceNumber = "a-100"')).toEqual([1]);
    expect(ids('id >= 2 and id < 3')).toEqual([2]);
  });
  it('compares dates in brackets', () => {
    expect(ids('dateClosed < [2024-02-01T00:00:00Z]')).toEqual([1]);
    expect(ids('dateClosed <= [2024-02-10T00:00:00Z]')).toEqual([1, 2]);
    expect(ids('company/id = 5 and dateClosed > [2024-02-01T00:00:00Z]')).toEqual([3]);
  });
  it('supports in, like, contains, or, and parentheses', () => {
    expect(ids('id in (1, 3)')).toEqual([1, 3]);
    expect(ids('type in ("CreditMemo")')).toEqual([2]);
    expect(ids('invoiceNumber like "A%"')).toEqual([1, 3]);
    expect(ids('invoiceNumber contains "00"')).toEqual([1, 2, 3]);
    expect(ids('id = 1 or id = 2 and type = "Standard"')).toEqual([1]);
    expect(ids('(id = 1 or id = 2) and type = "CreditMemo"')).toEqual([2]);
  });
  it('treats a missing field as not equal', () => {
    expect(ids('glBatch/id = 4')).toEqual([]);
    expect(ids('glBatch/id = null')).toEqual([1, 2, 3]);
  });
  it.each([
    'id ~ 1',
    'id = ',
    'id = 1 and',
    'id in 1, 2',
    'invoiceNumber like 5',
    'id between 1 and 2',
    'id = 1 xor id = 2',
    '(id = 1',
    'dateClosed < [not a date]',
  ])('refuses unsupported syntax: %s', (conditions) => {
    expect(() => parseConditions(conditions)).toThrow(ConditionsError);
  });
});
