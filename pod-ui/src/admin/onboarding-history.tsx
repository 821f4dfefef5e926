import { useState } from 'preact/hooks';
import type { OnboardingRun } from '../api/admin-types.js';
import { listOnboardingRuns } from '../api/onboarding.js';
import { formatDate, formatDateTime } from '../ui/dates.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useLoad } from '../ui/use-load.js';
import { typeLabels } from '../workbench/record-kinds.js';
import { OnboardingProgress } from './onboarding-progress.js';

const duration = (seconds: number) =>
  seconds < 90
    ? `${seconds} s`
    : seconds < 5400
      ? `${Math.round(seconds / 60)} min`
      : `${(seconds / 3600).toFixed(1)} h`;

/**
 * Every onboarding run kept: what was asked (prefix, cutoff, types), by whom, how it went and how
 * long it took; each re-opens with its failures (filterable, downloadable) at any later time.
 */
export function OnboardingHistory({ refreshKey }: { refreshKey?: unknown }) {
  const { fetch } = usePod();
  const runs = useLoad(() => listOnboardingRuns(fetch), [refreshKey]);
  const [open, setOpen] = useState<string>();
  if (runs.error) return <ProblemBox problem={runs.error} title="Could not load the run history:" />;
  const list: OnboardingRun[] = runs.data?.runs ?? [];
  return (
    <section aria-labelledby="onboarding-history-title" data-testid="onboarding-history">
      <h3 id="onboarding-history-title">Run history</h3>
      {runs.loading && !runs.data ? (
        <p class="muted" role="status">
          Loading runs…
        </p>
      ) : list.length === 0 ? (
        <p class="muted">No onboarding run yet.</p>
      ) : (
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">By</th>
              <th scope="col">Prefix</th>
              <th scope="col">Cutoff</th>
              <th scope="col">Types</th>
              <th scope="col">Onboarded</th>
              <th scope="col">Failed</th>
              <th scope="col">Took</th>
              <th scope="col">
                <span class="sr-only">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((run) => (
              <tr key={run.id} data-run={run.id} data-state={run.state}>
                <td>{formatDateTime(run.startedAt)}</td>
                <td>{run.startedBy || '—'}</td>
                <td>{run.inputs.batchPrefix}</td>
                <td>{formatDate(run.inputs.cutoffDate)}</td>
                <td>{run.inputs.recordTypes.map((t) => typeLabels[t]).join(', ')}</td>
                <td>
                  {run.done} of {run.total}
                </td>
                <td>{run.failed}</td>
                <td>{run.state === 'done' ? duration(run.durationSeconds) : `${run.state}…`}</td>
                <td>
                  <button
                    type="button"
                    class="btn"
                    data-testid="open-run"
                    aria-expanded={open === run.id}
                    onClick={() => setOpen(open === run.id ? undefined : run.id)}
                  >
                    {open === run.id ? 'Close' : 'Open'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <OnboardingProgress id={open} />}
    </section>
  );
}
