import './differences.css';
import { useEffect, useState } from 'preact/hooks';
import {
  checkDifferences,
  type Difference,
  fixDifference,
  getDifferences,
  type RecordDifferences,
} from '../api/differences.js';
import type { RecordState, RecordType } from '../api/types.js';
import { localDates } from '../ui/dates.js';
import { atLeast, usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';
import { useLoad } from '../ui/use-load.js';

const settled = new Set<RecordState>(['synced', 'partly_paid', 'paid']);

/** "checked 3 min ago", from the stored check's time. */
function checkedAgo(iso: string, now: number): string {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  if (minutes < 1) return 'checked just now';
  if (minutes < 120) return `checked ${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `checked ${hours} h ago` : `checked ${Math.round(hours / 24)} days ago`;
}

/**
 * Where ConnectWise and the books disagree about a synced record, each difference with its cause and
 * fix (issue 14 item 4, issue 16 item 1); a fix Ledgerpod makes itself is one button for accountants.
 * Read from the stored check (cheap); "Check now" reads both systems.
 */
export function Differences({ type, cwId, state }: { type: RecordType; cwId: string; state: RecordState }) {
  const { fetch, role } = usePod();
  const shown = settled.has(state) && (type === 'invoice' || type === 'credit_memo');
  const loaded = useLoad<RecordDifferences | undefined>(
    () => (shown ? getDifferences(fetch, type, cwId) : Promise.resolve(undefined)),
    [cwId, type, shown],
  );
  const action = useAttempt();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const data = loaded.data;
  if (!shown || !data?.checkable) return null;
  const accountant = atLeast(role, 'accountant');
  const run = (work: () => Promise<RecordDifferences>) =>
    action.attempt(async () => loaded.set(await work()));
  const fix = (d: Difference) =>
    run(() => fixDifference(fetch, type, cwId, { code: d.code, ref: d.fix!.ref! }));

  return (
    <section class="differences" aria-label="Differences with the books" data-testid="differences">
      {data.differences.length === 0 ? (
        <p class="muted" data-testid="differences-none">
          {data.checkedAt ? 'ConnectWise and the books agree' : 'Not compared with the books yet'}
          {data.checkedAt && <span data-testid="checked-ago">, {checkedAgo(data.checkedAt, now)}</span>}.
        </p>
      ) : (
        <>
          <p class="differences-head">
            <strong>Differs from the books</strong>{' '}
            <span class="muted" data-testid="checked-ago">
              ({data.checkedAt ? checkedAgo(data.checkedAt, now) : 'not checked yet'})
            </span>
          </p>
          <ul class="difference-list">
            {data.differences.map((d) => (
              <li key={`${d.code}:${d.fix?.ref ?? d.cause}`} data-testid="difference" data-code={d.code}>
                <span class="difference-cause">{localDates(d.cause)}</span>{' '}
                {d.fix && <span class="difference-fix">{d.fix.text}</span>}{' '}
                {d.fix?.action && accountant && (
                  <button
                    type="button"
                    class="btn"
                    data-testid={`fix-${d.code}`}
                    disabled={action.busy}
                    onClick={() => fix(d)}
                  >
                    {d.fix.action === 'write_payment' ? 'Write it to ConnectWise' : 'Apply it in the books'}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {accountant && (
        <button
          type="button"
          class="btn-link"
          data-testid="check-differences"
          disabled={action.busy}
          onClick={() => run(() => checkDifferences(fetch, type, cwId))}
        >
          {action.busy ? 'Checking…' : 'Check now'}
        </button>
      )}
      {action.problem && <ProblemBox problem={action.problem} />}
    </section>
  );
}
