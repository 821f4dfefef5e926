import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { getRecord, listRecords, syncRecords } from '../api/records.js';
import type { Problem, RecordRow, RecordState, RecordType } from '../api/types.js';
import { usePod } from '../ui/pod-context.js';
import { busyStates } from '../ui/states.js';
import { usePoll } from '../ui/use-poll.js';
import { recordKey } from './record-kinds.js';

interface Tracked {
  type: RecordType;
  cwId: string | number;
  number: string;
  from: RecordState;
  state: RecordState;
  seenBusy: boolean;
}

/** Finished once settled and we saw it move: a retried failure goes error -> queued -> … -> error. */
const finished = (t: Tracked) => !busyStates.has(t.state) && (t.seenBusy || t.state !== t.from);

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
        return { ...t, state, seenBusy: t.seenBusy || busyStates.has(state) };
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
          from: r.state,
          state: r.state,
          seenBusy: false,
        })),
      );
    } catch (error) {
      setProblem(error instanceof ApiError ? error : { code: 'client', message: String(error) });
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
