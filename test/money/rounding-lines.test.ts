import { describe, expect, it } from 'vitest';
import { glExportExpenseBillSchema } from '../../server/connectwise/schemas.js';
import { expenseBillFromGl } from '../../server/pipeline/map/expenses-and-purchases.js';
import { groupDigits, roundingLine, roundingNote } from '../../server/pipeline/map/rounding.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import { decimalsUsed } from '../../server/shared/money.js';

const mappings = mappingsFrom([
  { kind: 'gl_account', cw_key: '6100', ledger_key: '429' },
  { kind: 'gl_account', cw_key: '__rounding__', ledger_key: '860' },
  { kind: 'tax_code', cw_key: '__exempt__', ledger_key: 'NONE' },
]);

const bill = (total: number, lines: number[]) =>
  glExportExpenseBillSchema.parse({
    documentDate: '2024-05-02',
    memo: 'Travel',
    member: { id: 178, identifier: 'jdoe', name: 'Jane Doe' },
    vendorNumber: 'jdoe',
    currency: { currencyCode: 'KWD', numberOfDecimals: 3 },
    total,
    detail: lines.map((amount, i) => ({
      id: [9000 + i],
      total: amount,
      accountNumber: '6100',
      memo: `Leg ${i}`,
    })),
  });

describe('rounding lines (issue 13 item 4)', () => {
  it('are named for an accountant, untaxed (the exempt code), on the rounding account', () => {
    expect(
      roundingLine(36n, 2, { mappings, cwTotal: '4546628.64', currency: 'ISK', fallbackAccountKey: '200' }),
    ).toMatchObject({
      description: 'Rounding (ConnectWise amount 4,546,628.64 ISK)',
      amountMinor: 36n,
      quantity: '1',
      unitPrice: '0.36',
      accountKey: '860',
      taxKey: 'NONE',
    });
  });

  it('bills get the same allowance as invoices: within the limit a rounding line, above it refused', () => {
    const within = expenseBillFromGl(bill(100.005, [60.002, 40.001]), {
      mappings,
      number: 'EXP-1',
      roundingLimit: '0.010',
    });
    if (!within.ok) throw new Error(JSON.stringify(within.problems));
    expect(within.document.lines.at(-1)).toMatchObject({
      description: 'Rounding (ConnectWise amount 100.005 KWD)',
      amountMinor: 2n,
      accountKey: '860',
      taxKey: 'NONE',
    });
    // Said on the record, as for an invoice.
    expect(within.rounding?.message).toBe(
      "booked 100.005 KWD as ConnectWise shows, with a rounding line of 0.002: ConnectWise's lines and tax do not add up to its total",
    );
    const above = expenseBillFromGl(bill(100.5, [60.002, 40.001]), {
      mappings,
      number: 'EXP-2',
      roundingLimit: '0.010',
    });
    expect(!above.ok && above.problems.map((p) => [p.code, p.detail])).toEqual([
      [
        'out_of_balance',
        'EXP-2: the lines add up to 100.003 but CW states 100.500 KWD, a difference above the rounding limit of 0.010',
      ],
    ]);
  });

  it('a bill in books that keep fewer decimals (Xero: 2 in every currency) is rounded, untaxed and said', () => {
    // 60.002 + 40.001 = 100.003 KWD booked at 2 dp: lines 60.00 + 40.00, total 100.00 (CW 100.003).
    const xero = expenseBillFromGl(bill(100.003, [60.002, 40.001]), {
      mappings,
      number: 'EXP-3',
      roundingLimit: '0.010',
      ledgerDecimals: 2,
      exemptCodeRequired: true,
    });
    if (!xero.ok) throw new Error(JSON.stringify(xero.problems));
    expect(xero.document.decimals).toBe(2);
    expect(xero.document.totalMinor).toBe(10_000n);
    // Each expense line CW did not tax has the exempt code where the books need one.
    expect(xero.document.lines.map((l) => [l.amountMinor, l.taxKey])).toEqual([
      [6000n, 'NONE'],
      [4000n, 'NONE'],
    ]);
    expect(xero.rounding?.message).toBe('booked 100.00 KWD; ConnectWise shows 100.003: rounding 0.003');
    // Booked at CW's own decimals (QBO keeps KWD at 3), nothing is rounded and nothing is said.
    const exact = expenseBillFromGl(bill(100.003, [60.002, 40.001]), {
      mappings,
      number: 'EXP-4',
      roundingLimit: '0.010',
    });
    expect(exact.ok).toBe(true);
    expect(exact.ok && exact.rounding).toBeUndefined();
  });

  it('the note says what was booked against what ConnectWise shows', () => {
    expect(
      roundingNote({
        currency: 'ISK',
        cwTotalMinor: 454_662_864n,
        cwDecimals: 2,
        bookedMinor: 4_546_629n,
        bookedDecimals: 0,
        lineMinor: 0n,
      }).message,
    ).toBe('booked 4,546,629 ISK; ConnectWise shows 4,546,628.64: rounding 0.36');
    expect(groupDigits('-1234567.891')).toBe('-1,234,567.891');
    expect(decimalsUsed([4546628.64, '879992.640', 12, undefined], 0)).toBe(2);
    expect(decimalsUsed([1082.5], 2)).toBe(2);
  });
});
