import type { Payment } from '../api/types.js';
import { formatDate } from '../ui/dates.js';
import { formatMoney } from '../ui/money.js';

const labels: Record<Payment['state'], string> = {
  pending: 'pending',
  written: 'in ConnectWise',
  deleted: 'deleted in the books',
  voided: 'voided in the books',
  error: 'failed',
};

export function Payments({ payments, currency }: { payments: Payment[]; currency: string }) {
  if (payments.length === 0) return <p class="muted">No payments yet.</p>;
  return (
    <ul class="payments" aria-label="Payments">
      {payments.map((p) => (
        <li key={p.id} class={`payment payment-${p.state}`}>
          <span class="num">{formatMoney(p.amount, currency)}</span>{' '}
          <span class="muted">{formatDate(p.date)}</span> <span class="payment-state">{labels[p.state]}</span>
        </li>
      ))}
    </ul>
  );
}
