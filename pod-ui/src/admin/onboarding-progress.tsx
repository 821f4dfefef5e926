import { getOnboarding } from '../api/onboarding.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useLoad } from '../ui/use-load.js';
import { usePoll } from '../ui/use-poll.js';
import { FailureTable } from './failure-table.js';

const minutes = (seconds: number) =>
  seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;

/** A running onboarding, polled each second until it is done or failed. */
export function OnboardingProgress({ id }: { id: string }) {
  const { fetch } = usePod();
  const run = useLoad(() => getOnboarding(fetch, id), [id]);
  const p = run.data;
  const active = p !== undefined && (p.state === 'pending' || p.state === 'running');
  usePoll(active, () => run.reload(true), 1_000, 6 * 60 * 60_000);

  if (run.error && !p) return <ProblemBox problem={run.error} />;
  if (!p) return <p class="muted">Starting…</p>;
  // The backend counts apart what it onboarded (`done`) and what failed; both are handled.
  const handled = p.done + p.failed;
  const headline =
    p.state === 'done'
      ? `Onboarding finished: ${p.done} of ${p.total} onboarded, ${p.failed} failed.`
      : p.state === 'failed'
        ? `Onboarding stopped after ${handled} of ${p.total}.`
        : `Onboarding: ${handled} of ${p.total}`;
  return (
    <div class="onboarding-progress" data-state={p.state} data-testid="onboarding-progress">
      <progress max={p.total || 1} value={handled} aria-label="Onboarding progress" />
      <p role="status" aria-live="polite" data-testid="onboarding-status">
        {headline}
        {active && p.etaSeconds !== null && ` About ${minutes(p.etaSeconds)} left at ${p.ratePerMinute}/min.`}
      </p>
      {p.errors.length > 0 && (
        <FailureTable failures={p.errors} file={`ledgerpod-onboarding-${id}-errors.csv`} />
      )}
    </div>
  );
}
