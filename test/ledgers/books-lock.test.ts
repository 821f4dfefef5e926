import { describe, expect, it } from 'vitest';
import {
  booksLockSourceOf,
  inLockedPeriod,
  keptRead,
  laterLock,
  lockConfirmMs,
  lockTrustMs,
  withBooksLock,
} from '../../server/ledgers/books-lock.js';
import type { Ledger } from '../../server/ledgers/ledger.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { toLedgerError as qboError } from '../../server/ledgers/quickbooks/errors.js';
import { closingDateOf } from '../../server/ledgers/quickbooks/lock-dates.js';
import { toLedgerError as xeroError } from '../../server/ledgers/xero/errors.js';
import { lockOfOrganisation } from '../../server/ledgers/xero/lock-dates.js';
import { storedErrorOf } from '../../server/records/stored-error.js';

/** Reading the books' lock from each ledger's settings, and each ledger's refusal of a locked date. */
describe('books lock', () => {
  it('locks the lock day itself and everything before it, nothing after', () => {
    const lock = { through: '2024-05-31', what: 'x' };
    expect(inLockedPeriod('2024-05-31', lock)).toBe(true);
    expect(inLockedPeriod('2024-05-31T00:00:00Z', lock)).toBe(true);
    expect(inLockedPeriod('2023-12-01', lock)).toBe(true);
    expect(inLockedPeriod('2024-06-01', lock)).toBe(false);
    expect(inLockedPeriod('2024-05-01', undefined)).toBe(false);
  });

  it('QBO: the closing date from Preferences.AccountingInfoPrefs.BookCloseDate, when shown', () => {
    // The shape of Intuit's 2025 blog example ("BookCloseDate": "2025-01-02").
    expect(closingDateOf({ AccountingInfoPrefs: { BookCloseDate: '2025-01-02' } })).toEqual({
      through: '2025-01-02',
      what: "QuickBooks Online's closing date",
    });
    expect(closingDateOf({ AccountingInfoPrefs: {} })).toBeUndefined();
    expect(closingDateOf({})).toBeUndefined();
    // Not a date: read as none shown (QBO still refuses by itself), never as a failed read.
    expect(closingDateOf({ AccountingInfoPrefs: { BookCloseDate: true } })).toBeUndefined();
  });

  it("Xero: the later of the organisation's two lock dates, each shown only if set", () => {
    // The published example (xero_accounting.yaml, GET /Organisation): both 2018-12-31.
    const example = { BaseCurrency: 'NZD', PeriodLockDate: '/Date(1546214400000+0000)/' };
    expect(lockOfOrganisation(example)).toEqual({ through: '2018-12-31', what: "Xero's period lock date" });
    expect(
      lockOfOrganisation({
        BaseCurrency: 'NZD',
        PeriodLockDate: '/Date(1546214400000+0000)/',
        EndOfYearLockDate: '/Date(1561852800000+0000)/',
      }),
    ).toEqual({ through: '2019-06-30', what: "Xero's end of year lock date" });
    expect(lockOfOrganisation({ BaseCurrency: 'NZD' })).toBeUndefined();
    expect(lockOfOrganisation({ BaseCurrency: 'NZD', PeriodLockDate: 'soon' })).toBeUndefined();
    expect(laterLock([undefined, undefined])).toBeUndefined();
  });

  it("maps each ledger's refusal to period_locked, not retryable", () => {
    // Intuit's "Fix common API errors" page: 6210 Account Period Closed.
    const qbo = qboError({
      response: {
        status: 400,
        data: {
          Fault: {
            Error: [
              {
                Message: 'Account Period Closed',
                Detail:
                  'The account period has closed and the account books cannot be updated through the QBO Services API. Please use the QBO website to make these changes.',
                code: '6210',
                element: '',
              },
            ],
            type: 'ValidationFault',
          },
        },
      },
    });
    expect([qbo.code, qbo.retryable]).toEqual(['period_locked', false]);
    // Emersion's knowledge base quotes both of Xero's messages in one refusal.
    const xero = xeroError(
      JSON.stringify({
        response: {
          statusCode: 400,
          body: {
            ErrorNumber: 10,
            Type: 'ValidationException',
            Message: 'A validation exception occurred',
            Elements: [
              {
                ValidationErrors: [
                  {
                    Message:
                      'The document date cannot be before the period lock date, currently set at 30-Nov-2018',
                  },
                  {
                    Message:
                      'The document date cannot be before the end of year lock date, currently set at 30-Nov-2018',
                  },
                ],
              },
            ],
          },
          headers: {},
        },
      }),
    );
    expect([xero.code, xero.retryable]).toEqual(['period_locked', false]);
    expect(storedErrorOf(xero)).toMatchObject({ code: 'period_locked', retryable: false });
    // Another validation message stays a validation error.
    const other = xeroError(
      JSON.stringify({
        response: { statusCode: 400, body: { Message: 'Email address must be valid.' }, headers: {} },
      }),
    );
    expect(other.code).toBe('ledger_validation');
  });

  it('keeps a read for the trust period, reads again for a confirmation, and forgets on demand', async () => {
    let now = 0;
    let reads = 0;
    const kept = keptRead(
      async () => ++reads,
      () => now,
    );
    expect(await kept.get()).toBe(1);
    now = lockTrustMs - 1;
    expect(await kept.get()).toBe(1);
    // A refusal is made on a read younger than lockConfirmMs only.
    expect(await kept.get(lockConfirmMs)).toBe(2);
    now += lockTrustMs + 1;
    expect(await kept.get()).toBe(3);
    kept.forget();
    expect(await kept.get()).toBe(4);
    kept.prime(10);
    expect(await kept.get()).toBe(10);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const kept = keptRead(async () => {
      if (fail) throw new Error('down');
      return 'read';
    });
    await expect(kept.get()).rejects.toThrow('down');
    fail = false;
    expect(await kept.get()).toBe('read');
  });

  it("a ledger's refusal as locked makes the next lock read go to the ledger; other refusals do not", async () => {
    let reads = 0;
    let refusal = 'period_locked' as 'period_locked' | 'ledger_validation';
    // Only the calls the wrapper touches; the rest of a Ledger is never called here.
    const books = {
      create: async () => {
        throw new LedgerError({ code: refusal, providerMessage: 'no', retryable: false });
      },
    } as unknown as Ledger;
    const ledger = withBooksLock(books, async () => {
      reads += 1;
      return { through: '2024-05-31', what: 'x' };
    });
    expect(booksLockSourceOf(ledger)).toBe(ledger);
    expect(booksLockSourceOf(books)).toBeUndefined();
    await ledger.booksLock();
    await ledger.booksLock();
    expect(reads).toBe(1);
    await expect(ledger.create({} as never, undefined, 'k')).rejects.toThrow('no');
    await ledger.booksLock();
    expect(reads).toBe(2);
    refusal = 'ledger_validation';
    await expect(ledger.create({} as never, undefined, 'k')).rejects.toThrow('no');
    await ledger.booksLock();
    expect(reads).toBe(2);
  });

  it('refuses on a recent read, and a document refused before only on a read made for it', async () => {
    let now = 0;
    let reads = 0;
    let through: string | undefined = '2024-05-31';
    const ledger = withBooksLock(
      {} as unknown as Ledger,
      async () => {
        reads += 1;
        return through ? { through, what: 'x' } : undefined;
      },
      () => now,
    );
    expect(await ledger.lockOn('2024-06-01', 'invoice:A')).toBeUndefined();
    expect(reads).toBe(1);
    // Locked on the kept read, young enough to refuse on.
    now = lockConfirmMs - 1;
    expect(await ledger.lockOn('2024-05-10', 'invoice:B')).toMatchObject({ through: '2024-05-31' });
    expect(reads).toBe(1);
    // Locked on a kept read too old to refuse on: read again first.
    now = lockConfirmMs + 10;
    expect(await ledger.lockOn('2024-05-10', 'invoice:C')).toMatchObject({ through: '2024-05-31' });
    expect(reads).toBe(2);
    // B again a moment later, the books opened meanwhile: a read of its own lets it through.
    through = undefined;
    now += 1;
    expect(await ledger.lockOn('2024-05-10', 'invoice:B')).toBeUndefined();
    expect(reads).toBe(3);
    // Then the kept read (open) answers everyone without a call.
    expect(await ledger.lockOn('2024-05-10', 'invoice:D')).toBeUndefined();
    expect(reads).toBe(3);
  });
});
