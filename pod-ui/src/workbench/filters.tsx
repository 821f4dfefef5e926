import { useState } from 'preact/hooks';
import type { RecordState, RecordType, StateCounts } from '../api/types.js';
import { stateLabels } from '../ui/states.js';
import { typeLabels } from './record-kinds.js';

export interface Filter {
  type: RecordType | '';
  state: RecordState | '';
  q: string;
}

/** The states an accountant works through first, each with its count. */
const queues: (RecordState | '')[] = ['unposted', 'error', 'not_closed', 'queued', 'synced', ''];

export function Filters({
  filter,
  counts,
  onChange,
}: {
  filter: Filter;
  counts: StateCounts | undefined;
  onChange(next: Filter): void;
}) {
  const total = counts ? Object.values(counts).reduce((a, b) => a + (b ?? 0), 0) : undefined;
  // What is typed, applied on Enter or leaving the field. Kept here: bound to `filter.q` alone, a
  // re-render while typing (the list answering, say) would put the old text back.
  const [q, setQ] = useState(filter.q);
  return (
    <div class="filters">
      <div class="queue-tabs" role="toolbar" aria-label="Records by status">
        {queues.map((state) => {
          const n = state ? (counts?.[state] ?? 0) : total;
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
          onChange={(e) => onChange({ ...filter, q: e.currentTarget.value })}
        />
      </label>
    </div>
  );
}
