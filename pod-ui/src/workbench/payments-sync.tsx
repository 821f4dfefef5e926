import { useState } from 'preact/hooks';
import { syncPayments } from '../api/records.js';
import { formatDate } from '../ui/dates.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';

/** Payments come back from the books on a schedule; this pulls them now, optionally from a date. */
export function PaymentsSync() {
  const { fetch } = usePod();
  const [since, setSince] = useState('');
  const [message, setMessage] = useState('');
  const { busy, problem, attempt } = useAttempt();

  const submit = (e: Event) => {
    e.preventDefault();
    setMessage('');
    return attempt(async () => {
      await syncPayments(fetch, since || undefined);
      setMessage(
        `Payment sync queued${since ? ` from ${formatDate(since)}` : ''}. Balances update as payments arrive.`,
      );
    });
  };

  return (
    <form class="payments-sync" onSubmit={submit} aria-labelledby="payments-sync-title">
      <h2 id="payments-sync-title">Payments</h2>
      <label>
        Since <input type="date" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
      </label>{' '}
      <button type="submit" class="btn" disabled={busy} data-testid="sync-payments">
        Sync payments
      </button>
      <span role="status" aria-live="polite" data-testid="payments-status">
        {message}
      </span>
      {problem && <ProblemBox problem={problem} />}
    </form>
  );
}
