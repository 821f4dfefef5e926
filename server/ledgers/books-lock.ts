import type { Ledger } from './ledger.js';
import { LedgerError } from './ledger-error.js';

/**
 * A period locked in the books: documents dated on or before `through` are refused by the ledger.
 *
 * - QBO: Preferences.AccountingInfoPrefs.BookCloseDate, the "Close the books" closing date (Finance.xsd
 *   CompanyAccountingPrefs.BookCloseDate; Intuit's blog "Smoother transactions: leveraging Intuit API
 *   entities", 2025-04-24, says to read it and compare the posting date "if the attribute is
 *   available"; Intuit's "Fix common API errors" page says the closed state cannot be read at all, so
 *   a company may not show it: then only the refusal, 6210, tells).
 * - Xero: Organisation.PeriodLockDate (all users but advisers) and EndOfYearLockDate (everyone),
 *   "shown if set" (xero_accounting.yaml, Organisation). The later of the two is honoured: which one
 *   binds depends on the connecting user's role, which the API does not say, and an accountant who
 *   locked a period meant it closed to the sync (Wise-Sync's lock-date FAQ advises connecting as a
 *   non-adviser for that reason).
 * Both refuse on the lock date itself ("on or before": Dext's and LeanLaw's help pages on the same
 * errors); that the boundary day is locked is our reading of them, not a vendor statement.
 */
export interface BooksLock {
  /** The last locked day, YYYY-MM-DD. */
  through: string;
  /** Whose lock, in words for the stored error: "QuickBooks Online's closing date". */
  what: string;
}

/** The later lock of several (Xero's two dates); undefined when none is set. Pure. */
export function laterLock(locks: (BooksLock | undefined)[]): BooksLock | undefined {
  let latest: BooksLock | undefined;
  for (const lock of locks) if (lock && (!latest || lock.through > latest.through)) latest = lock;
  return latest;
}

/** Whether a document of this date falls in the locked period (on or before the lock). Pure. */
export const inLockedPeriod = (date: string, lock: BooksLock | undefined): boolean =>
  lock !== undefined && date.slice(0, 10) <= lock.through;

/**
 * How long a lock read is trusted before a push reads it again. Long, because a stale answer is
 * safe both ways: a lock set since is refused by the ledger itself (mapped to the same error, and
 * the read forgotten), and a lock lifted since is read again before any refusal (`confirmMs`).
 */
export const lockTrustMs = 60 * 60_000;
/** A refusal is only made on a read at most this old. */
export const lockConfirmMs = 60_000;
/**
 * A document refused before is asked about again because someone expects it to pass now (the lock
 * lifted, the record re-dated): it is refused again only on a read made for it.
 */
export const lockRetryConfirmMs = 0;

/**
 * A read kept for a while: `get(maxAgeMs)` answers the kept value while it is younger, else reads
 * again (one read at a time); `prime` keeps a value read elsewhere (the same settings read serves
 * other purposes); `forget` drops it. A failed read is not kept.
 */
export function keptRead<T>(read: () => Promise<T>, now: () => number = Date.now) {
  let kept: { at: number; value: Promise<T> } | undefined;
  return {
    get(maxAgeMs = lockTrustMs): Promise<T> {
      if (kept && now() - kept.at <= maxAgeMs && maxAgeMs > 0) return kept.value;
      const entry = { at: now(), value: read() };
      kept = entry;
      entry.value.catch(() => {
        if (kept === entry) kept = undefined;
      });
      return entry.value;
    },
    prime(value: T): void {
      kept = { at: now(), value: Promise.resolve(value) };
    },
    forget(): void {
      kept = undefined;
    },
  };
}

/** What a ledger built by the registry answers besides the Ledger calls: the books' lock. */
export interface BooksLockSource {
  /**
   * The period the books lock, kept up to `maxAgeMs` (default lockTrustMs); undefined when none is
   * set or the ledger does not show it.
   */
  booksLock(maxAgeMs?: number): Promise<BooksLock | undefined>;
  /**
   * The lock that refuses a document of this date, or undefined: decided on the kept read when it
   * lets the document through, and on a recent read when it would refuse (lockConfirmMs; for a
   * document refused before, lockRetryConfirmMs). `documentKey` names the document across pushes.
   */
  lockOn(date: string, documentKey: string): Promise<BooksLock | undefined>;
}

/** Documents refused as locked, remembered for their next push; bounded, oldest dropped first. */
const refusedMemory = 1000;

/**
 * The ledger with its books' lock, read by `read` (the ledger's own settings read: QBO Preferences,
 * Xero /Organisation) and kept (keptRead); a create or update the ledger refuses as locked
 * (LedgerError `period_locked`) means the lock moved since it was read, so it is read again next.
 * Wrapped once around every ledger (ledger-registry.ts), like the party cache and merged look-ups.
 */
export function withBooksLock(
  ledger: Ledger,
  read: () => Promise<BooksLock | undefined>,
  now: () => number = Date.now,
): Ledger & BooksLockSource {
  const lock = keptRead(read, now);
  const forgetOnRefusal = async <T>(written: Promise<T>): Promise<T> => {
    try {
      return await written;
    } catch (error) {
      if (error instanceof LedgerError && error.code === 'period_locked') lock.forget();
      throw error;
    }
  };
  const refused = new Set<string>();
  const lockOn = async (date: string, documentKey: string) => {
    if (!inLockedPeriod(date, await lock.get())) return undefined;
    const confirmed = await lock.get(refused.has(documentKey) ? lockRetryConfirmMs : lockConfirmMs);
    refused.delete(documentKey);
    if (!inLockedPeriod(date, confirmed)) return undefined;
    refused.add(documentKey);
    if (refused.size > refusedMemory) refused.delete(refused.values().next().value!);
    return confirmed;
  };
  return {
    ...ledger,
    create: (document, partyId, key) => forgetOnRefusal(ledger.create(document, partyId, key)),
    update: (existing, document, partyId, key) =>
      forgetOnRefusal(ledger.update(existing, document, partyId, key)),
    booksLock: (maxAgeMs) => lock.get(maxAgeMs),
    lockOn,
  };
}

/** The lock source of a ledger when it has one (every ledger the registry builds does). */
export const booksLockSourceOf = (ledger: Ledger): BooksLockSource | undefined =>
  typeof (ledger as Partial<BooksLockSource>).booksLock === 'function'
    ? (ledger as Ledger & BooksLockSource)
    : undefined;
