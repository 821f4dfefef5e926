import './differences.css';
import { useEffect, useState } from 'preact/hooks';
import {
  checkDifferences,
  type Difference,
  fixDifference,
  type RecordDifferences,
} from '../api/differences.js';
import type { RecordDetail, RecordState, RecordType } from '../api/types.js';
import { localDates } from '../ui/dates.js';
import { atLeast, usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';

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
 * Shown from the stored check that comes with the record's status; "Check now" reads both systems.
 */
export function Differences({
  type,
  cwId,
  state,
  drift,
}: {
  type: RecordType;
  cwId: string;
  state: RecordState;
  /** The stored check, carried by the record's status: nothing more to read on first paint. */
  drift: RecordDetail['drift'];
}) {
  const { fetch, role } = usePod();
  const shown = settled.has(state) && (type === 'invoice' || type === 'credit_memo');
  // What this pod's own check or fix answered: newer than the status it was opened with.
  const [answered, setAnswered] = useState<RecordDifferences>();
  const action = useAttempt();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const accountant = atLeast(role, 'accountant');
  // The newer of the two: a background check the status brings later wins over an older answer.
  const stored = drift ? { ...drift, checkable: true } : undefined;
  const data =
    answered && (!stored || (answered.checkedAt ?? '') >= stored.checkedAt) ? answered : (stored ?? answered);
  // Never checked: only someone who can check is told so.
  if (!shown || (!data && !accountant) || (answered && !answered.checkable)) return null;
  const checkedAt = data?.checkedAt ?? null;
  const differences = data?.differences ?? [];
  const run = (work: () => Promise<RecordDifferences>) =>
    action.attempt(async () => setAnswered(await work()));
  const fix = (d: Difference) =>
    run(() => fixDifference(fetch, type, cwId, { code: d.code, ref: d.fix!.ref! }));

  return (
    <section class="differences" aria-label="Differences with the books" data-testid="differences">
      {differences.length === 0 ? (
        <p class="muted" data-testid="differences-none">
          {checkedAt ? 'ConnectWise and the books agree' : 'Not compared with the books yet'}
          {checkedAt && <span data-testid="checked-ago">, {checkedAgo(checkedAt, now)}</span>}.
        </p>
      ) : (
        <>
          <p class="differences-head">
            <strong>Differs from the books</strong>{' '}
            <span class="muted" data-testid="checked-ago">
              ({checkedAt ? checkedAgo(checkedAt, now) : 'not checked yet'})
            </span>
          </p>
          <ul class="difference-list">
            {differences.map((d) => (
              <li key={`${d.code}:${d.fix?.ref ?? d.cause}`} data-testid="difference" data-code={d.code}>
                <span class="difference-cause">{localDates(d.cause)}</span>{' '}
                {d.fix && <span class="difference-fix">{localDates(d.fix.text)}</span>}{' '}
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
