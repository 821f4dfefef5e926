import { useState } from 'preact/hooks';
import type { OnboardingFailure } from '../api/admin-types.js';
import { CwRecordLink } from '../workbench/cw-record-link.js';
import { typeLabels } from '../workbench/record-kinds.js';
import { downloadCsv, toCsv } from './csv.js';

/** A failure matches the filter when its code is the one chosen and the text is in its number, message or hint. */
const matches = (f: OnboardingFailure, code: string, text: string) =>
  (!code || f.code === code) &&
  (!text || `${f.number} ${f.message} ${f.hint ?? ''}`.toLowerCase().includes(text.toLowerCase()));

/**
 * Records onboarding could not take, each with what to do and a way to its ConnectWise screen, where
 * most fixes happen; filterable by cause and text, and exportable (what is shown) for working
 * through offline.
 */
export function FailureTable({ failures, file }: { failures: OnboardingFailure[]; file: string }) {
  const [code, setCode] = useState('');
  const [text, setText] = useState('');
  if (failures.length === 0) return <p class="muted">No failures.</p>;
  const codes = [...new Set(failures.map((f) => f.code))].sort();
  const shown = failures.filter((f) => matches(f, code, text));
  const withState = failures.some((f) => f.recordState !== undefined);
  const download = () =>
    downloadCsv(
      file,
      toCsv(
        shown.map((f) => ({ ...f, recordState: f.recordState ?? '' })),
        [
          'type',
          'cwId',
          'number',
          'code',
          'message',
          'hint',
          ...(withState ? (['recordState'] as const) : []),
        ],
      ),
    );
  return (
    <div>
      <div class="failure-filters">
        <label>
          Cause{' '}
          <select data-testid="failure-code" value={code} onChange={(e) => setCode(e.currentTarget.value)}>
            <option value="">All ({failures.length})</option>
            {codes.map((c) => (
              <option key={c} value={c}>
                {c} ({failures.filter((f) => f.code === c).length})
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Search{' '}
          <input
            type="search"
            data-testid="failure-search"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>{' '}
        <button type="button" class="btn" data-testid="download-csv" onClick={download}>
          Download {shown.length} failures (CSV)
        </button>
      </div>
      {shown.length === 0 ? (
        <p class="muted">No failure matches.</p>
      ) : (
        <table class="grid" data-testid="onboarding-failures">
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Type</th>
              <th scope="col">Problem</th>
              {withState && <th scope="col">Now</th>}
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={`${f.type}:${f.cwId}`}>
                <td>
                  <CwRecordLink type={f.type} cwId={f.cwId} number={f.number} />
                </td>
                <td>{typeLabels[f.type]}</td>
                <td>
                  <span class="row-error">{f.message}</span> <span class="muted">{f.hint}</span>
                </td>
                {withState && <td data-testid="failure-now">{f.recordState}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
