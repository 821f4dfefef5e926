import { useEffect, useRef, useState } from 'preact/hooks';
import { reverseRecord, syncRecord } from '../api/records.js';
import type { RecordDetail, RecordType } from '../api/types.js';
import { formatDate } from '../ui/dates.js';
import { atLeast, usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { busyStates, inLedgerStates } from '../ui/states.js';
import { useAttempt } from '../ui/use-attempt.js';

interface Props {
  detail: RecordDetail | undefined;
  type: RecordType;
  cwId: string;
  onChange(detail: RecordDetail): void;
}

/**
 * Sync now / Retry for accountants, Reverse (after a confirm step) for admins; viewers get nothing.
 * Onboarded history is never pushed from here: its Retry is "Onboard again" (batched without
 * posting), and a record dated on or before the onboarding cutoff is booked only by an admin's
 * explicit "Book this old record" after a confirm step.
 */
export function RecordActions({ detail, type, cwId, onChange }: Props) {
  const { fetch, role } = usePod();
  const { busy, problem, attempt } = useAttempt();
  const [confirming, setConfirming] = useState(false);
  const [confirmingOld, setConfirmingOld] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const reverseRef = useRef<HTMLButtonElement>(null);

  const focusNext = useRef<'confirm' | 'reverse'>();

  // The confirm step's Cancel takes focus (Enter twice must not reverse); leaving it hands focus back
  // to Reverse once that is rendered again.
  useEffect(() => {
    if (focusNext.current === 'confirm') cancelRef.current?.focus();
    if (focusNext.current === 'reverse') reverseRef.current?.focus();
    focusNext.current = undefined;
  });

  if (!atLeast(role, 'accountant')) return null;
  const state = detail?.state;
  const running = state !== undefined && busyStates.has(state);
  const recordType = detail?.record.type ?? type;

  const act = (run: () => Promise<RecordDetail>) => attempt(async () => onChange(await run()));

  const sync = () => act(() => syncRecord(fetch, recordType, cwId));
  const bookOld = async () => {
    setConfirmingOld(false);
    await act(() => syncRecord(fetch, recordType, cwId, true));
  };
  const reverse = async () => {
    setConfirming(false);
    await act(() => reverseRecord(fetch, recordType, cwId));
  };

  const cancelReverse = () => {
    focusNext.current = 'reverse';
    setConfirming(false);
  };
  const paymentCount = detail?.payments.length ?? 0;

  const canReverse = atLeast(role, 'admin') && state !== undefined && inLedgerStates.has(state);
  const history = detail?.onboarding != null;
  // Refused as history: parked by its push, or answered so at once when its date was already known.
  const refusedAsOld =
    (detail?.error?.code === 'before_onboarding_cutoff' && state === 'error') ||
    problem?.code === 'before_onboarding_cutoff';
  const label = running
    ? history
      ? 'Onboarding…'
      : 'Syncing…'
    : history
      ? 'Onboard again'
      : state === 'error'
        ? 'Retry'
        : 'Sync now';
  const canBookOld = atLeast(role, 'admin') && (refusedAsOld || (history && state === 'error'));

  return (
    <div class="actions">
      {confirming ? (
        <fieldset
          class="confirm"
          onKeyDown={(event) => {
            if (event.key === 'Escape') cancelReverse();
          }}
        >
          <legend class="sr-only">Confirm reverse</legend>
          <span>
            Reverse {detail?.record.number}? Its ConnectWise accounting batch is deleted so it can be edited;
            the books keep their document, and the next sync updates it.
          </span>
          {paymentCount > 0 && (
            <strong data-testid="reverse-payments-warning">
              It has {paymentCount === 1 ? 'a payment' : `${paymentCount} payments`}: they stay applied in the
              books and in ConnectWise, so check them after the next sync.
            </strong>
          )}
          <button type="button" class="btn btn-danger" onClick={reverse}>
            Yes, reverse
          </button>
          <button type="button" class="btn" ref={cancelRef} onClick={cancelReverse}>
            Cancel
          </button>
        </fieldset>
      ) : confirmingOld ? (
        <fieldset class="confirm" data-testid="book-old-confirm">
          <legend class="sr-only">Confirm booking an old record</legend>
          <span>
            Book {detail?.record.number} dated {formatDate(detail?.record.date)}? It is on or before the
            onboarding cutoff, so it should already be in the books: booking it creates a new document there.
            Do this only if it truly is missing.
          </span>
          <button type="button" class="btn btn-danger" data-testid="book-old-yes" onClick={bookOld}>
            Yes, book it
          </button>
          <button type="button" class="btn" onClick={() => setConfirmingOld(false)}>
            Cancel
          </button>
        </fieldset>
      ) : (
        <>
          {/* In the books already: nothing to sync (a reversed record shows the button again). Refused
              as old: pushing again would only be refused again. */}
          {!(state !== undefined && inLedgerStates.has(state)) && !refusedAsOld && (
            <button
              type="button"
              class="btn btn-primary"
              data-testid="sync-now"
              disabled={busy || running}
              onClick={sync}
            >
              {label}
            </button>
          )}
          {canBookOld && (
            <button
              type="button"
              class="btn"
              data-testid="book-old"
              disabled={busy || running}
              onClick={() => setConfirmingOld(true)}
            >
              Book this old record
            </button>
          )}
          {canReverse && (
            <button
              type="button"
              class="btn"
              data-testid="reverse"
              ref={reverseRef}
              disabled={busy}
              onClick={() => {
                focusNext.current = 'confirm';
                setConfirming(true);
              }}
            >
              Reverse
            </button>
          )}
        </>
      )}
      {problem && <ProblemBox problem={problem} title="Could not do that:" testId="action-problem" />}
    </div>
  );
}
