import type { RecordRow } from '../api/types.js';
import { formatMoney } from '../ui/money.js';
import { StateBadge } from '../ui/state-badge.js';
import { CwRecordLink } from './cw-record-link.js';
import { recordKey, typeLabels } from './record-kinds.js';

interface Props {
  rows: RecordRow[];
  selected: ReadonlySet<string>;
  onSelect(keys: string[], on: boolean): void;
}

export function RecordTable({ rows, selected, onSelect }: Props) {
  if (rows.length === 0) return <p class="muted empty">Nothing here. Every record in this view is done.</p>;
  const allOn = rows.every((r) => selected.has(recordKey(r)));
  return (
    <table class="grid" data-testid="record-table">
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
          <th scope="col">Number</th>
          <th scope="col">Type</th>
          <th scope="col">Company</th>
          <th scope="col">Date</th>
          <th scope="col" class="num">
            Total
          </th>
          <th scope="col">Status</th>
          <th scope="col">Books / problem</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const key = recordKey(r);
          return (
            <tr key={key} data-key={key}>
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
              <td>{r.date}</td>
              <td class="num">{formatMoney(r.total, r.currency)}</td>
              <td>
                <StateBadge state={r.state} />
              </td>
              <td>
                {r.error ? (
                  <span class="row-error">
                    {r.error.message} {r.error.hint && <span class="muted">{r.error.hint}</span>}
                  </span>
                ) : r.ledger ? (
                  <a href={r.ledger.url} target="_blank" rel="noopener noreferrer">
                    {r.ledger.kind === 'qbo' ? 'QuickBooks' : 'Xero'} #{r.ledger.number}
                  </a>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
