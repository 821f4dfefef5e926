import type { z } from 'zod';
import type { BooksLock } from '../books-lock.js';
import type { SdkSettings } from './api.js';
import { type preferencesSchema, readPreferences } from './company-tax.js';

/** The "Close the books" date as a lock, when Preferences show one (books-lock.ts). Pure. */
export function closingDateOf(preferences: z.infer<typeof preferencesSchema>): BooksLock | undefined {
  const date = preferences.AccountingInfoPrefs?.BookCloseDate;
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(date)) return undefined;
  return { through: date.slice(0, 10), what: "QuickBooks Online's closing date" };
}

/** The closing date from a read of Preferences: the QBO ledger's books lock (provider.ts). */
export const readClosingDate = async (settings: SdkSettings) =>
  closingDateOf(await readPreferences(settings));
