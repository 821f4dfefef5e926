import { useState } from 'preact/hooks';
import type { DryRun, OnboardingRequest } from '../api/admin-types.js';
import { previewOnboarding, startOnboarding } from '../api/onboarding.js';
import type { RecordType } from '../api/types.js';
import { formatDate } from '../ui/dates.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';
import { typeLabels } from '../workbench/record-kinds.js';
import { FailureTable } from './failure-table.js';
import { OnboardingHistory } from './onboarding-history.js';
import { OnboardingProgress } from './onboarding-progress.js';

/**
 * Marks history already in the books as onboarded (matched, not re-created) up to a cutoff; a dry
 * run first shows what would happen, so nobody duplicates a year of invoices by accident.
 */
export function OnboardingWizard() {
  const { fetch } = usePod();
  const [form, setForm] = useState<OnboardingRequest>({
    batchPrefix: 'LP-',
    cutoffDate: '',
    paymentsFrom: '',
    recordTypes: ['invoice', 'credit_memo'],
  });
  const [preview, setPreview] = useState<DryRun>();
  const [runId, setRunId] = useState<string>();
  const { busy, problem, attempt } = useAttempt();

  const request = (): OnboardingRequest => ({ ...form, paymentsFrom: form.paymentsFrom || undefined });
  const change = (patch: Partial<OnboardingRequest>) => {
    setForm({ ...form, ...patch });
    setPreview(undefined);
  };
  const toggle = (type: RecordType, on: boolean) =>
    change({ recordTypes: on ? [...form.recordTypes, type] : form.recordTypes.filter((t) => t !== type) });

  if (runId)
    return (
      <section aria-labelledby="onboarding-title">
        <h2 id="onboarding-title">Onboarding</h2>
        <OnboardingProgress id={runId} />
        <OnboardingHistory refreshKey={runId} />
      </section>
    );

  return (
    <section aria-labelledby="onboarding-title">
      <h2 id="onboarding-title">Onboarding</h2>
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void attempt(async () => setPreview(await previewOnboarding(fetch, request())));
        }}
      >
        <label for="ob-prefix">Batch prefix</label>
        <input
          id="ob-prefix"
          required
          value={form.batchPrefix}
          onInput={(e) => change({ batchPrefix: e.currentTarget.value })}
        />
        <label for="ob-cutoff">Cutoff date</label>
        <input
          id="ob-cutoff"
          type="date"
          required
          value={form.cutoffDate}
          onInput={(e) => change({ cutoffDate: e.currentTarget.value })}
        />
        <label for="ob-payments">Payments from (optional)</label>
        <input
          id="ob-payments"
          type="date"
          value={form.paymentsFrom}
          onInput={(e) => change({ paymentsFrom: e.currentTarget.value })}
        />
        <fieldset class="types">
          <legend>Record types</legend>
          {(Object.keys(typeLabels) as RecordType[]).map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                checked={form.recordTypes.includes(type)}
                onChange={(e) => toggle(type, e.currentTarget.checked)}
              />{' '}
              {typeLabels[type]}
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button
            type="submit"
            class="btn"
            disabled={busy || form.recordTypes.length === 0}
            data-testid="dry-run"
          >
            Preview (dry run)
          </button>
        </div>
      </form>
      {problem && <ProblemBox problem={problem} />}
      {preview && (
        <div class="preview" data-testid="dry-run-preview" aria-live="polite">
          <p>
            Up to {formatDate(form.cutoffDate)}, onboarding would mark these as already in the books:{' '}
            {Object.entries(preview.counts)
              .map(([type, n]) => `${n} ${typeLabels[type as RecordType].toLowerCase()}${n === 1 ? '' : 's'}`)
              .join(', ')}
            .
          </p>
          <FailureTable failures={preview.failures} file="ledgerpod-onboarding-preview.csv" />
          <button
            type="button"
            class="btn btn-primary"
            disabled={busy}
            data-testid="run-onboarding"
            onClick={() => void attempt(async () => setRunId((await startOnboarding(fetch, request())).id))}
          >
            Start onboarding
          </button>
        </div>
      )}
      <OnboardingHistory />
    </section>
  );
}
