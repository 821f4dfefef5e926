import { useState } from 'preact/hooks';
import { getRecord, listRecords, syncRecords } from '../api/records.js';
import type { Problem, RecordDetail, RecordRow, RecordState } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';
import { busyStates, inLedgerStates } from '../ui/states.js';
import { problemOf } from '../ui/use-attempt.js';
import { usePoll } from '../ui/use-poll.js';
import { recordKey } from './record-kinds.js';

/** A pushed record as the workbench lists it, kept current while the push runs. */
type Tracked = RecordRow;

/** A record read alone, in the list's short form. */
const rowOf = (d: RecordDetail): RecordRow => ({
  type: d.record.type,
  cwId: d.record.cwId,
  number: d.record.number,
  date: d.record.date,
  company: d.record.company,
  total: d.record.total,
  currency: d.record.currency,
  state: d.state,
  onboarding: d.onboarding,
  error: d.error,
  ledger: d.ledger && { kind: d.ledger.kind, number: d.ledger.number, url: d.ledger.url },
});

/**
 * Finished once no job runs for it. The backend answers the push only after moving each record to
 * `queued` (one already in the books it leaves as it is: nothing to push), so tracking starts from
 * there: a retried failure that fails again before the first poll (error -> queued -> error) still
 * counts as done, where comparing with the state before the push would wait for ever.
 */
const finished = (t: Tracked) => !busyStates.has(t.state);

/** What the backend made of a record it accepted for pushing. */
const accepted = (state: RecordState): RecordState => (inLedgerStates.has(state) ? state : 'queued');

export interface PushJob {
  total: number;
  done: number;
  failed: number;
  running: boolean;
  gaveUp: boolean;
  problem?: Problem;
}

/** Pushes the selected records and follows them by polling, as the backend reports no job progress. */
export function usePushProgress(onFinished: () => void) {
  const { fetch } = usePod();
  const [items, setItems] = useState<Tracked[]>([]);
  const [problem, setProblem] = useState<Problem>();
  const running = items.length > 0 && !items.every(finished);

  const refresh = async () => {
    const { records } = await listRecords(fetch, {});
    const byKey = new Map(records.map((r) => [recordKey(r), r] as const));
    // Not on the list's first page: ask for that record alone.
    const next = await Promise.all(
      items.map(async (t) => byKey.get(recordKey(t)) ?? rowOf(await getRecord(fetch, t.type, t.cwId))),
    );
    setItems(next);
    if (next.every(finished)) onFinished();
  };
  const gaveUp = usePoll(running, refresh, 1_000);

  /** `bookOld`: an admin's confirmation to book records dated on or before the onboarding cutoff. */
  const start = async (rows: RecordRow[], bookOld = false) => {
    setProblem(undefined);
    try {
      const { refused = [] } = await syncRecords(
        fetch,
        rows.map(({ type, cwId }) => ({ type, cwId })),
        bookOld,
      );
      // Records the backend left out (old, not confirmed) are not followed: no job runs for them.
      const left = new Set(refused.map((r) => recordKey(r)));
      setItems(
        rows
          .filter((r) => !left.has(recordKey(r)))
          .map((r) => ({
            ...r,
            state: accepted(r.state),
            error: inLedgerStates.has(r.state) ? r.error : null,
          })),
      );
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  const done = items.filter(finished);
  const job: PushJob = {
    total: items.length,
    done: done.length,
    failed: done.filter((t) => t.state === 'error').length,
    running,
    gaveUp,
    problem,
  };
  /** The pushed rows as they stand now, until the next push. */
  return { job, start, rows: items };
}
