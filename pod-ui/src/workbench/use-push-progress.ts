import { useState } from 'preact/hooks';
import { getRecord, listRecords, syncRecords } from '../api/records.js';
import type { Problem, RecordRow, RecordState, RecordType } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';
import { busyStates, inLedgerStates } from '../ui/states.js';
import { problemOf } from '../ui/use-attempt.js';
import { usePoll } from '../ui/use-poll.js';
import { recordKey } from './record-kinds.js';

interface Tracked {
  type: RecordType;
  cwId: string | number;
  number: string;
  state: RecordState;
}

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
    const byKey = new Map(records.map((r) => [recordKey(r), r.state] as const));
    const next = await Promise.all(
      items.map(async (t) => {
        // Not on the list's first page: ask for that record alone.
        const state = byKey.get(recordKey(t)) ?? (await getRecord(fetch, t.type, t.cwId)).state;
        return { ...t, state };
      }),
    );
    setItems(next);
    if (next.every(finished)) onFinished();
  };
  const gaveUp = usePoll(running, refresh, 1_000);

  const start = async (rows: RecordRow[]) => {
    setProblem(undefined);
    try {
      await syncRecords(
        fetch,
        rows.map(({ type, cwId }) => ({ type, cwId })),
      );
      setItems(
        rows.map((r) => ({
          type: r.type,
          cwId: r.cwId,
          number: r.number,
          state: accepted(r.state),
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
  return { job, start };
}
