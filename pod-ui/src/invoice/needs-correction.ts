import type { RecordDetail, Role } from '../api/types.js';
import { sameAmount } from '../ui/money.js';
import { atLeast } from '../ui/pod-context.js';

/** The drift codes that mean the books hold other figures than ConnectWise's. */
const figuresDiffer = new Set(['total_edited_in_cw', 'total_edited_in_books', 'tax_edited_in_books']);

/**
 * Whether an accountant's pod offers the correction (issue 16 item 2): an invoice Ledgerpod booked
 * whose total in ConnectWise is not the one in the books (edited in ConnectWise after it synced),
 * by the record's own figures or by its last drift check. A total the books hold rounded on purpose
 * counts only by the drift check, which knows the rounding.
 */
export function needsCorrection(detail: RecordDetail | undefined, role: Role): boolean {
  if (!detail?.ledger || detail.record.type !== 'invoice' || !atLeast(role, 'accountant')) return false;
  if (detail.drift?.differences.some((d) => figuresDiffer.has(d.code))) return true;
  // A books total not read yet (null) never matched CW's: it counts as differing, as it always has.
  const booksTotal = detail.ledger.total;
  return !detail.rounding && (booksTotal === null || !sameAmount(detail.record.total, booksTotal));
}
