import { useEffect, useRef, useState } from 'preact/hooks';
import { reverseRecord, syncRecord } from '../api/records.js';
import type { RecordDetail, RecordType } from '../api/types.js';
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

/** Sync now / Retry for accountants, Reverse (after a confirm step) for admins; viewers get nothing. */
export function RecordActions({ detail, type, cwId, onChange }: Props) {
  const { fetch, role } = usePod();
  const { busy, problem, attempt } = useAttempt();
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const reverseRef = useRef<HTMLButtonElement>(null);

  const focusNext = useRef<'confirm' | 'reverse'>();

  // The confirm step takes focus; leaving it hands focus back to Reverse once that is rendered again.
  useEffect(() => {
    if (focusNext.current === 'confirm') confirmRef.current?.focus();
    if (focusNext.current === 'reverse') reverseRef.current?.focus();
    focusNext.current = undefined;
  });

  if (!atLeast(role, 'accountant')) return null;
  const state = detail?.state;
  const running = state !== undefined && busyStates.has(state);
  const recordType = detail?.record.type ?? type;

  const act = (run: () => Promise<RecordDetail>) => attempt(async () => onChange(await run()));

  const sync = () => act(() => syncRecord(fetch, recordType, cwId));
  const reverse = async () => {
    setConfirming(false);
    await act(() => reverseRecord(fetch, recordType, cwId));
  };

  const canReverse = atLeast(role, 'admin') && state !== undefined && inLedgerStates.has(state);
  const label = running ? 'Syncing…' : state === 'error' ? 'Retry' : 'Sync now';

  return (
    <div class="actions">
      {confirming ? (
        <fieldset class="confirm">
          <legend class="sr-only">Confirm reverse</legend>
          <span>
            Reverse {detail?.record.number}? Its ConnectWise accounting batch is deleted so it can be edited;
            the books keep their document, and the next sync updates it.
          </span>
          <button type="button" class="btn btn-danger" ref={confirmRef} onClick={reverse}>
            Yes, reverse
          </button>
          <button
            type="button"
            class="btn"
            onClick={() => {
              focusNext.current = 'reverse';
              setConfirming(false);
            }}
          >
            Cancel
          </button>
        </fieldset>
      ) : (
        <>
          {/* In the books already: nothing to sync (a reversed record shows the button again). */}
          {!(state !== undefined && inLedgerStates.has(state)) && (
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
      {problem && <ProblemBox problem={problem} title="Could not do that:" />}
    </div>
  );
}
