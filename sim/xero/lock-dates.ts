/**
 * An organisation's lock dates (Accounting > Advanced > Financial settings), as YYYY-MM-DD, and
 * whether the connecting user is an adviser. Xero Central (quoted in Dext's help): the period lock
 * date stops "all users except advisers" from changes on or before it, the end of year ("adviser")
 * lock date stops everyone. The API does not say which role the connection has: a switch.
 */
export interface LockDates {
  period: string | undefined;
  endOfYear: string | undefined;
  adviser: boolean;
}

export const noLocks = (): LockDates => ({ period: undefined, endOfYear: undefined, adviser: false });

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "30-Nov-2018", as Xero writes the date in its refusal. */
const xeroDay = (day: string) => {
  const [y, m, d] = day.split('-');
  return `${d}-${months[Number(m) - 1]}-${y}`;
};

/**
 * Xero's refusals of a document dated in a locked period: "The document date cannot be before the
 * period lock date, currently set at 30-Nov-2018" and the same for "the end of year lock date" (a
 * real message with both, from Emersion's knowledge base; the wording "before" notwithstanding, the
 * lock day itself is locked: Dext and Xero Central say "on or before"). Drafts are allowed in a
 * locked period (Wise-Sync's lock-date FAQ, FYI's help page), so only other statuses are checked.
 * Takes any holder of lock dates (a TenantBooks) so that tenant-books.ts can import from here.
 */
export function lockProblems(books: { lockDates: LockDates }, dayMs: number, status: string): string[] {
  if (status === 'DRAFT') return [];
  const day = new Date(dayMs).toISOString().slice(0, 10);
  const { period, endOfYear, adviser } = books.lockDates;
  const problems: string[] = [];
  if (period && !adviser && day <= period)
    problems.push(
      `The document date cannot be before the period lock date, currently set at ${xeroDay(period)}`,
    );
  if (endOfYear && day <= endOfYear)
    problems.push(
      `The document date cannot be before the end of year lock date, currently set at ${xeroDay(endOfYear)}`,
    );
  return problems;
}
