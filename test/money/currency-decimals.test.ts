import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paymentsFromCdc } from '../../server/ledgers/quickbooks/payments.js';
import { fromXeroInvoice, fromXeroPayment } from '../../server/ledgers/xero/mapping.js';
import { ledgerColumns } from '../../server/records/ledger-amounts.js';
import {
  currencyDecimals,
  fitsDecimals,
  rescaleMinor,
  sameMinor,
  UnknownCurrencyError,
} from '../../server/shared/money.js';

describe('currencyDecimals: ISO 4217 minor units from currency-codes', () => {
  it.each([
    ['ISK', 0],
    ['CLP', 0],
    ['JPY', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['TND', 3],
    ['USD', 2],
    ['EUR', 2],
    ['isk', 0],
    // CLDR (what Intl uses) says 0 for IQD; ISO 4217 says 3.
    ['IQD', 3],
    ['CLF', 4],
  ])('%s has %i decimals', (code, digits) => {
    expect(currencyDecimals(code)).toBe(digits);
  });

  it('refuses a code ISO does not list, saying what to do', () => {
    expect(() => currencyDecimals('ZZZ')).toThrow(UnknownCurrencyError);
    expect(() => currencyDecimals('')).toThrow(/ISO 4217.*three-letter/);
  });
});

describe('rescaleMinor', () => {
  it('widens exactly and narrows half away from zero', () => {
    expect(rescaleMinor(24_800n, 0, 2)).toBe(2_480_000n);
    expect(rescaleMinor(454_662_864n, 2, 0)).toBe(4_546_629n);
    expect(rescaleMinor(-454_662_850n, 2, 0)).toBe(-4_546_629n);
    expect(rescaleMinor(-454_662_849n, 2, 0)).toBe(-4_546_628n);
    expect(rescaleMinor(12_345n, 3, 3)).toBe(12_345n);
    expect(fitsDecimals(2_480_000n, 2, 0)).toBe(true);
    expect(fitsDecimals(454_662_864n, 2, 0)).toBe(false);
    expect(sameMinor(24_800n, 0, 2_480_000n, 2)).toBe(true);
    expect(sameMinor(4_546_629n, 0, 454_662_864n, 2)).toBe(false);
  });
});

describe('amounts read from a ledger carry the ledger precision', () => {
  const qboPayment = (currency: string, amount: number) => ({
    CDCResponse: [
      {
        QueryResponse: [
          {
            Payment: [
              {
                Id: '91',
                TxnDate: '2024-05-03',
                TotalAmt: amount,
                CurrencyRef: { value: currency },
                Line: [{ Amount: amount, LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] }],
                MetaData: { LastUpdatedTime: '2024-05-03T10:00:00Z' },
              },
            ],
          },
        ],
      },
    ],
  });

  it('QBO: a 24,800 ISK payment is 24800 at 0 dp, not 2,480,000 (the 8-currency table read it at 2)', () => {
    const [payment] = paymentsFromCdc(qboPayment('ISK', 24800)).payments;
    expect(payment).toMatchObject({ amountMinor: 24_800n, decimals: 0, currency: 'ISK' });
    expect(rescaleMinor(payment!.amountMinor, payment!.decimals, 0)).toBe(24_800n);
  });

  it('QBO: KWD keeps 3 dp, CLP 0', () => {
    expect(paymentsFromCdc(qboPayment('KWD', 1.234)).payments[0]).toMatchObject({
      amountMinor: 1234n,
      decimals: 3,
    });
    expect(paymentsFromCdc(qboPayment('CLP', 150000)).payments[0]).toMatchObject({
      amountMinor: 150_000n,
      decimals: 0,
    });
  });

  it('Xero: every currency at 2 dp, so an ISK payment converted to CW 0 dp stays 24,800 and 24800.50 is not lost', () => {
    const wire = (amount: number) => ({
      PaymentID: 'p1',
      Amount: amount,
      Date: '/Date(1714694400000+0000)/',
      UpdatedDateUTC: '/Date(1714694400000+0000)/',
      Status: 'AUTHORISED',
      Invoice: { InvoiceID: 'i1', InvoiceNumber: 'INV-1', CurrencyCode: 'ISK' },
    });
    const payment = fromXeroPayment(wire(24800) as never);
    expect(payment).toMatchObject({ amountMinor: 2_480_000n, decimals: 2 });
    expect(rescaleMinor(payment.amountMinor, payment.decimals, 0)).toBe(24_800n);
    expect(fromXeroPayment(wire(24800.5) as never).amountMinor).toBe(2_480_050n);
  });

  it('a ledger document is stored in the record precision', () => {
    const ref = fromXeroInvoice(
      {
        InvoiceID: 'i1',
        InvoiceNumber: 'INV-1',
        Type: 'ACCREC',
        Status: 'AUTHORISED',
        CurrencyCode: 'KWD',
        Total: 12.5,
        AmountDue: 2.25,
        UpdatedDateUTC: '/Date(1714694400000+0000)/',
      } as never,
      { appUrl: 'https://go.xero.com' },
    );
    expect(ref.decimals).toBe(2);
    expect(ledgerColumns(ref, 3)).toMatchObject({
      ledger_total_minor: '12500',
      ledger_balance_minor: '2250',
    });
  });
});

describe('one source of currency decimals', () => {
  // A table of exponents like `KWD: 3,` or `JPY: 0` anywhere but money.ts is a second source.
  const table = /\b(?:JPY|ISK|KWD|BHD|CLP)['"]?\s*:\s*[0-4]\b/;
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
    });

  it('no module in server, sim or pod-ui keeps its own table', () => {
    const offenders = ['server', 'sim', 'pod-ui/src']
      .flatMap(files)
      .filter((path) => table.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
