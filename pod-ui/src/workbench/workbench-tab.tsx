import './workbench.css';
import { useRef, useState } from 'preact/hooks';
import { getQueues } from '../api/queues.js';
import { listRecords } from '../api/records.js';
import type { RecordList, RecordRow, Unmapped } from '../api/types.js';
import { formatDate } from '../ui/dates.js';
import { LazyView } from '../ui/lazy-view.js';
import { atLeast, usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useLoad } from '../ui/use-load.js';
import { DifferencesQueue } from './differences-queue.js';
import { type Filter, Filters } from './filters.js';
import { PaymentsSync } from './payments-sync.js';
import { PushProgress } from './push-progress.js';
import { recordKey } from './record-kinds.js';
import { RecordTable } from './record-table.js';
import { keepOrder } from './row-order.js';
import { usePushProgress } from './use-push-progress.js';

const loadMapInline = () => import('../invoice/map-inline.js');
const loadCloseView = () => import('./close-view.js');

/** Each CW code the shown failures lack a mapping for, once, and the failed records it stops. */
function missingMappings(rows: RecordList['records']) {
  const codes = new Map<string, Unmapped>();
  const blocked = rows.filter((r) => r.state === 'error' && r.error?.unmapped?.length);
  for (const row of blocked)
    for (const u of row.error!.unmapped!) codes.set(`${u.connectionId}|${u.kind}|${u.cwKey}`, u);
  return { unmapped: [...codes.values()], blocked };
}

/**
 * Records a push would book although they are dated on or before the onboarding cutoff: history
 * already in the books. Onboarded history is not among them (a push onboards it again), nor records
 * already booked.
 */
export function oldRecords(rows: RecordList['records'], cutoff: string | null | undefined) {
  if (!cutoff) return [];
  return rows.filter((r) => !r.onboarding && !r.ledger && r.date && r.date.slice(0, 10) <= cutoff);
}

/** The accountant's tab: what still needs pushing or fixing, across every record type. */
export default function WorkbenchTab() {
  const { fetch, memberName, role } = usePod();
  const [filter, setFilter] = useState<Filter>({ type: '', state: 'unposted', q: '' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [more, setMore] = useState<RecordList['records']>([]);
  // The selection holds records dated on or before the onboarding cutoff: asked before pushing.
  const [warnOld, setWarnOld] = useState(false);
  const list = useLoad(() => listRecords(fetch, filter), [filter.type, filter.state, filter.q]);
  // The queues' totals: they follow the type and the search, not the queue shown.
  const queues = useLoad(() => getQueues(fetch, { type: filter.type, q: filter.q }), [filter.type, filter.q]);
  const reload = () => {
    void list.reload(true);
    void queues.reload(true);
  };
  const { job, start, rows: pushedRows } = usePushProgress(reload);
  // The rows of the latest push stay on screen, in place, showing how each went, until the view
  // changes: the push moves them out of the queue the list reads.
  const [pinned, setPinned] = useState(false);
  const shownKeys = useRef<string[]>([]);

  const listed = [...(list.data?.records ?? []), ...more];
  const pushed = new Map(pinned ? pushedRows.map((r) => [recordKey(r), r] as const) : []);
  const merged: RecordRow[] = [
    ...listed.map((r) => pushed.get(recordKey(r)) ?? r),
    ...[...pushed.values()].filter((r) => !listed.some((l) => recordKey(l) === recordKey(r))),
  ];
  const rows = keepOrder(shownKeys.current, merged);
  shownKeys.current = rows.map(recordKey);
  const chosen = rows.filter((r) => selected.has(recordKey(r)));
  // An admin maps what the failures lack here, and the records it stopped go again.
  const missing = atLeast(role, 'admin') ? missingMappings(rows) : { unmapped: [], blocked: [] };

  const changeFilter = (next: Filter) => {
    setFilter(next);
    setSelected(new Set());
    setMore([]);
    setPinned(false);
    shownKeys.current = [];
  };
  const select = (keys: string[], on: boolean) => {
    const next = new Set(selected);
    for (const key of keys) on ? next.add(key) : next.delete(key);
    setSelected(next);
  };
  const old = oldRecords(chosen, list.data?.onboardingCutoff);
  const push = async (bookOld = false) => {
    setWarnOld(false);
    setPinned(true);
    await start(chosen, bookOld);
    setSelected(new Set());
    reload();
  };
  const loadMore = async () => {
    const cursor = list.data?.nextCursor;
    if (!cursor) return;
    const page = await listRecords(fetch, { ...filter, cursor });
    setMore([...more, ...page.records]);
    list.set({ ...list.data!, nextCursor: page.nextCursor });
  };

  return (
    <div class="tab">
      <header class="tab-head">
        <h1>Ledgerpod workbench</h1>
        <span class="muted">Signed in as {memberName}</span>
      </header>
      <section aria-labelledby="records-title">
        <h2 id="records-title" class="sr-only">
          Records
        </h2>
        <Filters
          filter={filter}
          counts={list.data?.counts}
          totals={queues.data?.totals}
          loading={list.loading || queues.loading}
          onChange={changeFilter}
        />
        <div class="push-bar">
          <button
            type="button"
            class="btn btn-primary"
            data-testid="push-selected"
            disabled={chosen.length === 0 || job.running}
            onClick={() => (old.length > 0 ? setWarnOld(true) : push())}
          >
            Push selected ({chosen.length})
          </button>
          <PushProgress job={job} />
        </div>
        {warnOld && (
          <div
            class="confirm"
            role="alertdialog"
            aria-labelledby="old-warning"
            data-testid="old-records-warning"
          >
            <p id="old-warning">
              {old.length} of the {chosen.length} selected record{chosen.length === 1 ? ' is' : 's are'} dated
              on or before the onboarding cutoff ({formatDate(list.data?.onboardingCutoff)}): history that
              should already be in the books ({old.map((r) => r.number).join(', ')}). They are left out of the
              push
              {atLeast(role, 'admin') ? ' unless you book them too.' : '; only an admin can book them.'}
            </p>
            <button
              type="button"
              class="btn btn-primary"
              data-testid="push-without-old"
              onClick={() => push()}
            >
              Push the other {chosen.length - old.length}
            </button>
            {atLeast(role, 'admin') && (
              <button
                type="button"
                class="btn btn-danger"
                data-testid="push-with-old"
                onClick={() => push(true)}
              >
                Book the old records too
              </button>
            )}
            <button type="button" class="btn" onClick={() => setWarnOld(false)}>
              Cancel
            </button>
          </div>
        )}
        {missing.unmapped.length > 0 && !job.running && (
          <div class="missing-mappings" data-testid="missing-mappings">
            <p>
              Missing mappings stop {missing.blocked.length} record{missing.blocked.length === 1 ? '' : 's'}{' '}
              shown here.
            </p>
            <LazyView
              load={loadMapInline}
              props={{
                unmapped: missing.unmapped,
                onMapped: async () => {
                  setPinned(true);
                  await start(missing.blocked);
                  reload();
                },
              }}
            />
          </div>
        )}
        {list.error && <ProblemBox problem={list.error} title="Could not load records:" />}
        {list.loading && (
          <p class="muted loading" role="status" data-testid="records-loading">
            Loading records…
          </p>
        )}
        {list.data && (
          <RecordTable
            rows={rows}
            selected={selected}
            onSelect={select}
            empty={
              filter.q
                ? `Nothing matches "${filter.q}"${filter.state || filter.type ? ' in this view' : ''}.`
                : 'Nothing here. Every record in this view is done.'
            }
            grouped={filter.state === 'error' || filter.state === 'not_closed'}
            pushed={new Set(pushed.keys())}
            busy={list.loading}
          />
        )}
        {list.data?.nextCursor && (
          <button type="button" class="btn" onClick={loadMore}>
            Load more
          </button>
        )}
      </section>
      <DifferencesQueue />
      <PaymentsSync />
      {atLeast(role, 'accountant') && <LazyView load={loadCloseView} props={{}} />}
    </div>
  );
}
