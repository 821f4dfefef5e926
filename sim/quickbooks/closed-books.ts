import { QboFault } from './qbo-fault.js';
import type { Entity, EntityName, Realm } from './realm-store.js';

/** The entities QBO dates and so guards behind its closing date. */
const dated = new Set<EntityName>(['Invoice', 'CreditMemo', 'Payment', 'Bill', 'Purchase', 'JournalEntry']);

/**
 * 6210 Account Period Closed, in the words of Intuit's "Fix common QuickBooks Online Accounting API
 * errors" page (a recorded fixture in fylein/fyle-qbo-api's tests has the same code and detail,
 * with the Message "Account Period Closed, Cannot Update Through Services API").
 */
export const periodClosed = () =>
  new QboFault(
    '6210',
    'Account Period Closed',
    'The account period has closed and the account books cannot be updated through the QBO Services API. Please use the QBO website to make these changes.',
  );

/**
 * Refuses an API write that creates, changes, voids or deletes a transaction dated on or before the
 * closing date, or moves one there (Intuit: the error "occurs when you try to modify a transaction
 * ... within this closed accounting period"; LeanLaw's help page: dated "on or before that date").
 * A transaction without TxnDate is dated today by QBO. The QBO web app lets a user past the date
 * after a warning or password, so person routes (the UI) are not guarded.
 */
export function guardClosedBooks(
  realm: Realm,
  name: EntityName,
  body: Record<string, unknown>,
  existing: Entity | undefined,
  today: string,
): void {
  const close = realm.booksClose.date;
  if (!close || !dated.has(name)) return;
  const dates = [existing?.TxnDate, body.TxnDate ?? (existing ? undefined : today)];
  if (dates.some((d) => typeof d === 'string' && d.slice(0, 10) <= close)) throw periodClosed();
}
