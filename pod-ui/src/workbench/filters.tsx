import { useEffect, useRef, useState } from 'preact/hooks';
import type { QueueSummary, QueueTotal } from '../api/queues.js';
import type { RecordState, RecordType, StateCounts } from '../api/types.js';
import { formatMoney } from '../ui/money.js';
import { stateLabels } from '../ui/states.js';
import { typeLabels } from './record-kinds.js';

export interface Filter {
  type: RecordType | '';
  state: RecordState | '';
  q: string;
}

/** The states an accountant works through first, each with its count. */
const queues: (RecordState | '')[] = ['unposted', 'error', 'not_closed', 'queued', 'synced', ''];

/** How long typing pauses before the search runs: each key would otherwise be a request. */
export const searchPauseMs = 250;

const money = (totals: QueueTotal[] | undefined) =>
  totals?.length ? totals.map((t) => formatMoney(t.amount, t.currency)).join(' + ') : '';

export function Filters({
  filter,
  counts,
  totals,
  loading,
  onChange,
}: {
  filter: Filter;
  counts: StateCounts | undefined;
  totals: QueueSummary['totals'] | undefined;
  /** Counts are being read for this filter: they show as pending, never as zeros. */
  loading: boolean;
  onChange(next: Filter): void;
}) {
  const total = counts ? Object.values(counts).reduce((a, b) => a + (b ?? 0), 0) : undefined;
  // What is typed, searched once typing pauses (or at once on Enter). Kept here: bound to `filter.q`
  // alone, a re-render while typing (the list answering, say) would put the old text back.
  const [q, setQ] = useState(filter.q);
  const latest = useRef({ filter, onChange });
  latest.current = { filter, onChange };
  useEffect(() => {
    if (q === latest.current.filter.q) return;
    // Enter may have searched it meanwhile: searching again would only clear the selection.
    const timer = setTimeout(() => {
      const { filter: now, onChange: change } = latest.current;
      if (q !== now.q) change({ ...now, q });
    }, searchPauseMs);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <div class="filters">
      <div class="queue-tabs" role="toolbar" aria-label="Records by status" aria-busy={loading}>
        {queues.map((state) => {
          const n = loading || !counts ? undefined : state ? (counts[state] ?? 0) : total;
          const sum = loading ? '' : money(totals?.[state || 'all']);
          return (
            <button
              key={state || 'all'}
              type="button"
              class="queue"
              aria-pressed={filter.state === state}
              data-testid={`queue-${state || 'all'}`}
              onClick={() => onChange({ ...filter, state })}
            >
              {state ? stateLabels[state] : 'All'} <span class="queue-count">{n ?? '…'}</span>
              {n === undefined && <span class="sr-only"> counting</span>}
              {sum && <span class="queue-total">{sum}</span>}
            </button>
          );
        })}
      </div>
      <label>
        Type{' '}
        <select
          value={filter.type}
          onChange={(e) => onChange({ ...filter, type: e.currentTarget.value as RecordType | '' })}
        >
          <option value="">All types</option>
          {Object.entries(typeLabels).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Search{' '}
        <input
          type="search"
          value={q}
          placeholder="Number or company"
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange({ ...filter, q: e.currentTarget.value });
          }}
        />
      </label>
    </div>
  );
}
