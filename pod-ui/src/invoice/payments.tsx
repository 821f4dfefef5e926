import type { Credit, LedgerKind, Payment, RecordDetail } from '../api/types.js';
import { formatDate } from '../ui/dates.js';
import { ledgerShortNames } from '../ui/ledger-names.js';
import { formatMoney } from '../ui/money.js';

/** Short, for a ~250 px pod: the link above names the books in full. */
const books = ledgerShortNames;

const paymentStates: Record<Payment['state'], string> = {
  pending: 'on its way to ConnectWise',
  written: 'in ConnectWise',
  deleted: 'deleted in the books',
  voided: 'voided in the books',
  error: 'failed',
};

const creditState = (state: Credit['state'], ledger: string) =>
  state === 'applied'
    ? `applied in ${ledger}`
    : state === 'error'
      ? `not applied in ${ledger}`
      : `being applied in ${ledger}`;

/** A long id (Xero's are GUIDs) shortened for the pod; the whole one stays in the tooltip. */
const shortRef = (ref: string) => (ref.length > 12 ? `${ref.slice(0, 8)}…` : ref);

/**
 * Every payment and credit on the record, each saying what it is, its reference, date and amount,
 * and where it came from: payments from the books (written to ConnectWise by Ledgerpod), credits
 * from ConnectWise (applied there, then in the books). A credit memo lists the invoices it credited.
 */
export function Payments({ detail }: { detail: RecordDetail }) {
  const { payments, credits, record, ledger } = detail;
  const ledgerName = ledger ? books[ledger.kind as LedgerKind] : 'the books';
  const money = (amount: string) => formatMoney(amount, record.currency);
  if (payments.length === 0 && credits.length === 0) return <p class="muted">No payments yet.</p>;
  const onCreditMemo = record.type === 'credit_memo';
  return (
    <ul class="payments" aria-label="Payments and credits" data-testid="payments">
      {credits.map((c) => (
        <li key={c.id} class={`payment credit credit-${c.state}`} data-testid="credit">
          <span class="payment-kind">
            {onCreditMemo ? `Applied to ${c.other.number}` : `Credit memo ${c.other.number}`}
          </span>{' '}
          <span class="num">{money(c.amount)}</span> <span class="muted">{formatDate(c.date)}</span>{' '}
          <span class="payment-state">{creditState(c.state, ledgerName)}</span>
          <span class="payment-from">Applied in ConnectWise</span>
          {c.error && <span class="payment-from payment-problem">{c.error.message}</span>}
        </li>
      ))}
      {payments.map((p) => (
        <li key={p.id} class={`payment payment-${p.state}`} data-testid="payment">
          <span class="payment-kind">Payment</span> <span class="num">{money(p.amount)}</span>{' '}
          <span class="muted">{formatDate(p.date)}</span>{' '}
          <span class="payment-state">{paymentStates[p.state]}</span>
          <span class="payment-from" title={p.reference}>
            From {ledgerName}, ref {shortRef(p.reference)}
          </span>
        </li>
      ))}
    </ul>
  );
}
