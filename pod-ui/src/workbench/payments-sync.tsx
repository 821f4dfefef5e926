import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { syncPayments } from '../api/records.js';
import type { Problem } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';

/** Payments come back from the books on a schedule; this pulls them now, optionally from a date. */
export function PaymentsSync() {
  const { fetch } = usePod();
  const [since, setSince] = useState('');
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setMessage('');
    try {
      await syncPayments(fetch, since || undefined);
      setMessage(`Payment sync queued${since ? ` from ${since}` : ''}. Balances update as payments arrive.`);
    } catch (error) {
      setProblem(error instanceof ApiError ? error : { code: 'client', message: String(error) });
    } finally {
      setBusy(false);
    }
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
