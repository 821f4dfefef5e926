import { ProblemBox } from '../ui/problem-box.js';
import type { PushJob } from './use-push-progress.js';

export function PushProgress({ job }: { job: PushJob }) {
  if (job.problem) return <ProblemBox problem={job.problem} title="Push not started:" />;
  if (job.total === 0) return null;
  const summary = job.running
    ? `Pushing: ${job.done} of ${job.total} done`
    : `Push finished: ${job.done - job.failed} synced, ${job.failed} failed`;
  return (
    <div class="push-progress" data-testid="push-progress">
      <progress
        max={job.total}
        value={job.done}
        aria-label="Push progress"
        aria-valuetext={`${job.done} of ${job.total}`}
      />
      <span role="status" aria-live="polite" data-testid="push-summary">
        {summary}
        {job.gaveUp && job.running && ' (still running in the background)'}
      </span>
    </div>
  );
}
