import { useState } from 'preact/hooks';
import type { RecordRow } from '../api/types.js';
import { formatDate, localDates } from '../ui/dates.js';
import { ledgerShortNames } from '../ui/ledger-names.js';
import { formatMoney } from '../ui/money.js';
import { StateBadge } from '../ui/state-badge.js';
import { CwRecordLink } from './cw-record-link.js';
import { recordKey, typeLabels } from './record-kinds.js';
import { groupFailures, type Sort, type SortKey, sortRows } from './row-order.js';

interface Props {
  rows: RecordRow[];
  selected: ReadonlySet<string>;
  onSelect(keys: string[], on: boolean): void;
  /** What an empty table says: a search that matched nothing is not "every record is done". */
  empty: string;
  /** A failure queue: rows grouped by cause, each group's fix said once. */
  grouped: boolean;
  /** Rows of the push under way (or just finished): they stay and show how it went. */
  pushed: ReadonlySet<string>;
  busy: boolean;
}

const columns: { key: SortKey; label: string; num?: boolean }[] = [
  { key: 'number', label: 'Number' },
  { key: 'type', label: 'Type' },
  { key: 'company', label: 'Company' },
  { key: 'date', label: 'Date' },
  { key: 'total', label: 'Total', num: true },
  { key: 'state', label: 'Status' },
];

const ariaSort = (sort: Sort | undefined, key: SortKey) =>
  sort?.key !== key ? undefined : sort.dir === 'asc' ? 'ascending' : 'descending';

export function RecordTable({ rows, selected, onSelect, empty, grouped, pushed, busy }: Props) {
  const [sort, setSort] = useState<Sort>();
  if (rows.length === 0)
    return (
      <p class="muted empty" data-testid="records-empty">
        {empty}
      </p>
    );
  const allOn = rows.every((r) => selected.has(recordKey(r)));
  const sorted = sortRows(rows, sort);
  const groups = grouped ? groupFailures(sorted) : [];
  // Rows of a failure queue that carry no error (a retry under way) go last, ungrouped.
  const rest = grouped ? sorted.filter((r) => !r.error) : sorted;
  const toggle = (key: SortKey) =>
    setSort(sort?.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' });

  const row = (r: RecordRow, showHint: boolean) => {
    const key = recordKey(r);
    return (
      <tr key={key} data-key={key} class={pushed.has(key) ? 'pushed-row' : undefined}>
        <td class="check">
          <input
            type="checkbox"
            aria-label={`Select ${r.number}`}
            checked={selected.has(key)}
            onChange={(e) => onSelect([key], e.currentTarget.checked)}
          />
        </td>
        <td>
          <CwRecordLink type={r.type} cwId={r.cwId} number={r.number} />
        </td>
        <td>{typeLabels[r.type]}</td>
        <td>{r.company.name}</td>
        <td>{formatDate(r.date)}</td>
        <td class="num">{formatMoney(r.total, r.currency)}</td>
        <td>
          <StateBadge state={r.state} />
        </td>
        <td>
          {r.error ? (
            <span class="row-error">
              {localDates(r.error.message)}{' '}
              {showHint && r.error.hint && <span class="muted">{localDates(r.error.hint)}</span>}
            </span>
          ) : r.ledger ? (
            <a href={r.ledger.url ?? undefined} target="_blank" rel="noopener noreferrer">
              {ledgerShortNames[r.ledger.kind]} #{r.ledger.number}
            </a>
          ) : null}
        </td>
      </tr>
    );
  };

  return (
    <table class="grid" data-testid="record-table" aria-busy={busy}>
      <thead>
        <tr>
          <th scope="col" class="check">
            <input
              type="checkbox"
              aria-label="Select all shown records"
              checked={allOn}
              onChange={(e) => onSelect(rows.map(recordKey), e.currentTarget.checked)}
            />
          </th>
          {columns.map((c) => (
            <th key={c.key} scope="col" class={c.num ? 'num' : undefined} aria-sort={ariaSort(sort, c.key)}>
              <button type="button" class="sort" data-testid={`sort-${c.key}`} onClick={() => toggle(c.key)}>
                {c.label}
                <span aria-hidden="true">
                  {sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </span>
              </button>
            </th>
          ))}
          <th scope="col">Books / problem</th>
        </tr>
      </thead>
      {groups.map((g) => (
        <tbody key={g.key} class="failure-group" data-testid={`failure-group-${g.code}`}>
          <tr class="group-head">
            <th scope="rowgroup" colSpan={8}>
              <span class="group-cause">
                {g.cause} ({g.rows.length})
              </span>{' '}
              {g.hint && <span class="group-fix">Fix: {localDates(g.hint)}</span>}{' '}
              <button
                type="button"
                class="btn-link"
                onClick={() => onSelect(g.rows.map(recordKey), true)}
                aria-label={`Select the ${g.rows.length} ${g.cause} failures`}
              >
                Select these
              </button>
            </th>
          </tr>
          {g.rows.map((r) => row(r, false))}
        </tbody>
      ))}
      {rest.length > 0 && <tbody>{rest.map((r) => row(r, true))}</tbody>}
    </table>
  );
}
