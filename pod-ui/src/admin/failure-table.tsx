import type { OnboardingFailure } from '../api/admin-types.js';
import { CwRecordLink } from '../workbench/cw-record-link.js';
import { typeLabels } from '../workbench/record-kinds.js';
import { downloadCsv, toCsv } from './csv.js';

/**
 * Records onboarding could not take, each with what to do and a way to its ConnectWise screen, where
 * most fixes happen; exportable for working through offline.
 */
export function FailureTable({ failures, file }: { failures: OnboardingFailure[]; file: string }) {
  if (failures.length === 0) return <p class="muted">No failures.</p>;
  const download = () =>
    downloadCsv(file, toCsv(failures, ['type', 'cwId', 'number', 'code', 'message', 'hint']));
  return (
    <div>
      <button type="button" class="btn" data-testid="download-csv" onClick={download}>
        Download {failures.length} failures (CSV)
      </button>
      <table class="grid" data-testid="onboarding-failures">
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">Type</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {failures.map((f) => (
            <tr key={`${f.type}:${f.cwId}`}>
              <td>
                <CwRecordLink type={f.type} cwId={f.cwId} number={f.number} />
              </td>
              <td>{typeLabels[f.type]}</td>
              <td>
                <span class="row-error">{f.message}</span> <span class="muted">{f.hint}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
