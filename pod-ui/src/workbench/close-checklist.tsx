import type { CloseConnection, CloseView } from '../api/close.js';
import { formatDate, localDates } from '../ui/dates.js';
import { ledgerNames } from '../ui/ledger-names.js';
import { formatMoney } from '../ui/money.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function Item({
  name,
  ok,
  children,
}: {
  name: string;
  ok: boolean | 'info';
  children: preact.ComponentChildren;
}) {
  const mark = ok === 'info' ? 'ℹ' : ok ? '✓' : '✗';
  return (
    <li
      class={`close-item close-${ok === 'info' ? 'info' : ok ? 'ok' : 'todo'}`}
      data-testid={`close-${name}`}
    >
      <span class="close-mark" aria-hidden="true">
        {mark}
      </span>{' '}
      {children}
    </li>
  );
}

/** "QuickBooks Online (Acme US)"; a connection named after its ledger alone is not named twice. */
const connectionName = (c: CloseConnection) =>
  c.name.includes(ledgerNames[c.kind]) ? c.name : `${ledgerNames[c.kind]} (${c.name})`;

function paymentsThrough(c: CloseConnection) {
  if (!c.paymentsThrough)
    return `${connectionName(c)}: payments never read from the books yet; sync payments below.`;
  const waiting = c.firstUnwrittenPayment
    ? `; a payment of ${formatDate(c.firstUnwrittenPayment)} is still to write to ConnectWise`
    : '';
  return `${connectionName(c)}: every payment in the books written to ConnectWise through ${formatDate(c.paymentsThrough)}${waiting}.`;
}

function lockText(c: CloseConnection) {
  if (c.lock.state === 'locked')
    return `${connectionName(c)}: locked through ${formatDate(c.lock.through)} (${c.lock.what}); pushes dated then or before are refused.`;
  if (c.lock.state === 'open')
    return `${connectionName(c)}: not locked; lock the period in the books once it is closed.`;
  return localDates(c.lock.message);
}

/** What must hold before the period is closed, each point with what it found. */
export function CloseChecklist({ close }: { close: CloseView }) {
  const { records, payments, checklist } = close;
  const open = records.total - records.synced - records.onboarded;
  const booking = close.connections.filter((c) => c.booksPeriod);
  return (
    <ul class="close-checklist" data-testid="close-checklist">
      <Item name="records" ok={checklist.recordsSynced}>
        {records.total === 0
          ? 'No ConnectWise record of this period is known to Ledgerpod.'
          : `Records synced: ${records.synced + records.onboarded} of ${records.total}` +
            (records.onboarded ? ` (${records.onboarded} onboarded as history)` : '') +
            (open ? `; ${plural(open, 'record')} still open, listed below.` : '.')}
      </Item>
      <Item name="payments" ok={checklist.paymentsWritten}>
        Payments of the period written to ConnectWise: {payments.written} written, {payments.pending} waiting,{' '}
        {payments.failed} failed.
      </Item>
      <Item name="payments-through" ok={checklist.paymentsThroughPeriod}>
        Payments from the books, per connection:
        {booking.length === 0
          ? ' no ledger connection books records of this period.'
          : booking.map((c) => (
              <span key={c.id} class="close-line" data-testid="payments-through">
                {paymentsThrough(c)}
              </span>
            ))}
      </Item>
      <Item name="credits" ok="info">
        {close.unappliedCredits.length === 0
          ? 'Unapplied credits: none.'
          : `Unapplied credits: ${close.unappliedCredits
              .map((c) => `${c.number} (${formatMoney(c.remaining, c.currency)} left)`)
              .join(', ')}.`}
      </Item>
      <Item name="differences" ok={checklist.differencesAtZero}>
        {close.differences.count === 0
          ? 'Differences from the books: none.'
          : `Differences from the books: ${plural(close.differences.count, 'record')} (${close.differences.records
              .map((r) => r.number)
              .join(', ')}); fix them in the Differences queue.`}
      </Item>
      <Item name="locks" ok="info">
        The books' lock, per connection:
        {close.connections.map((c) => (
          <span key={c.id} class="close-line" data-testid="books-lock" data-state={c.lock.state}>
            {lockText(c)}
          </span>
        ))}
      </Item>
    </ul>
  );
}
