import './workbench.css';
import { useState } from 'preact/hooks';
import { listRecords } from '../api/records.js';
import type { RecordList, Unmapped } from '../api/types.js';
import { LazyView } from '../ui/lazy-view.js';
import { atLeast, usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useLoad } from '../ui/use-load.js';
import { type Filter, Filters } from './filters.js';
import { PaymentsSync } from './payments-sync.js';
import { PushProgress } from './push-progress.js';
import { recordKey } from './record-kinds.js';
import { RecordTable } from './record-table.js';
import { usePushProgress } from './use-push-progress.js';

const loadMapInline = () => import('../invoice/map-inline.js');

/** Each CW code the shown failures lack a mapping for, once, and the failed records it stops. */
function missingMappings(rows: RecordList['records']) {
  const codes = new Map<string, Unmapped>();
  const blocked = rows.filter((r) => r.state === 'error' && r.error?.unmapped?.length);
  for (const row of blocked)
    for (const u of row.error!.unmapped!) codes.set(`${u.connectionId}|${u.kind}|${u.cwKey}`, u);
  return { unmapped: [...codes.values()], blocked };
}

/** The accountant's tab: what still needs pushing or fixing, across every record type. */
export default function WorkbenchTab() {
  const { fetch, memberName, role } = usePod();
  const [filter, setFilter] = useState<Filter>({ type: '', state: 'unposted', q: '' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [more, setMore] = useState<RecordList['records']>([]);
  const list = useLoad(() => listRecords(fetch, filter), [filter.type, filter.state, filter.q]);
  const { job, start } = usePushProgress(() => void list.reload(true));

  const rows = [...(list.data?.records ?? []), ...more];
  const chosen = rows.filter((r) => selected.has(recordKey(r)));
  // An admin maps what the failures lack here, and the records it stopped go again.
  const missing = atLeast(role, 'admin') ? missingMappings(rows) : { unmapped: [], blocked: [] };

  const changeFilter = (next: Filter) => {
    setFilter(next);
    setSelected(new Set());
    setMore([]);
  };
  const select = (keys: string[], on: boolean) => {
    const next = new Set(selected);
    for (const key of keys) on ? next.add(key) : next.delete(key);
    setSelected(next);
  };
  const push = async () => {
    await start(chosen);
    setSelected(new Set());
    void list.reload(true);
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
        <Filters filter={filter} counts={list.data?.counts} onChange={changeFilter} />
        <div class="push-bar">
          <button
            type="button"
            class="btn btn-primary"
            data-testid="push-selected"
            disabled={chosen.length === 0 || job.running}
            onClick={push}
          >
            Push selected ({chosen.length})
          </button>
          <PushProgress job={job} />
        </div>
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
                  await start(missing.blocked);
                  void list.reload(true);
                },
              }}
            />
          </div>
        )}
        {list.error && <ProblemBox problem={list.error} title="Could not load records:" />}
        {list.loading && !list.data ? (
          <p class="muted" role="status">
            Loading records…
          </p>
        ) : (
          <RecordTable rows={rows} selected={selected} onSelect={select} />
        )}
        {list.data?.nextCursor && (
          <button type="button" class="btn" onClick={loadMore}>
            Load more
          </button>
        )}
      </section>
      <PaymentsSync />
    </div>
  );
}
