import './correction.css';
import { useEffect, useState } from 'preact/hooks';
import { type CorrectionAnswer, readCorrection, startCorrection } from '../api/correction.js';
import { formatDate } from '../ui/dates.js';
import { formatMoney } from '../ui/money.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';
import { usePoll } from '../ui/use-poll.js';

const fieldNames = { total: 'Total', tax: 'Tax', subtotal: 'Before tax' } as const;
const stepNames: Record<string, string> = {
  started: 'reversing the ConnectWise batch',
  reversed: 'updating the books',
  updated: 'putting payments back and batching again',
  pushed: 'finishing',
};

/**
 * The one-click correction of an invoice edited in ConnectWise after it synced (issue 16 item 2):
 * what will change in the books, what comes off and goes back on, and the button; then its progress
 * and outcome. Its own chunk: only an accountant's pod on an invoice that differs loads it.
 */
export default function Correction({ cwId, onDone }: { cwId: string; onDone: () => void }) {
  const { fetch } = usePod();
  const [answer, setAnswer] = useState<CorrectionAnswer>();
  const load = useAttempt();
  const start = useAttempt();
  useEffect(() => {
    load.attempt(async () => setAnswer(await readCorrection(fetch, cwId)));
  }, [cwId]);
  const running = answer?.correction?.status === 'running';
  usePoll(running, async () => {
    const next = await readCorrection(fetch, cwId);
    setAnswer(next);
    if (next.correction?.status !== 'running') onDone();
  });

  if (!answer)
    return load.problem ? (
      <ProblemBox problem={load.problem} title="Could not preview the correction." />
    ) : (
      <p class="muted" role="status">
        Reading ConnectWise and the books…
      </p>
    );
  const { preview, correction } = answer;
  const money = (amount: string) => formatMoney(amount, preview.currency);
  const done = correction?.status === 'done' && preview.blocked?.code === 'nothing_to_correct';
  return (
    <section class="correction" aria-label="Correct in the books" data-testid="correction">
      {done ? (
        <p role="status" data-testid="correction-done">
          Corrected in {preview.books}: {preview.number} now matches ConnectWise
          {correction.settlements.length > 0 ? ', its payments put back' : ''}.
        </p>
      ) : (
        <>
          <p>
            <strong>
              {preview.books} holds other figures for {preview.number} than ConnectWise.
            </strong>{' '}
            Correcting it updates the same document in {preview.books} to ConnectWise's invoice
            {preview.batched ? ' and batches it again' : ''}:
          </p>
          {preview.changes.length > 0 && (
            <ul class="difference-list" data-testid="correction-changes">
              {preview.changes.map((c) => (
                <li key={c.field}>
                  {fieldNames[c.field]}: {money(c.before)} → {money(c.after)}
                </li>
              ))}
            </ul>
          )}
          {preview.unapply.length > 0 && (
            <p class="muted" data-testid="correction-unapply">
              {preview.books} refuses to edit a paid invoice: {preview.unapply.map(settlementText).join(', ')}{' '}
              {preview.unapply.length === 1 ? 'comes' : 'come'} off first and{' '}
              {preview.unapply.length === 1 ? 'goes' : 'go'} back on after, once.
            </p>
          )}
          {preview.blocked && !running && (
            <p class="muted" data-testid="correction-blocked">
              {preview.blocked.message}
            </p>
          )}
          {running ? (
            <p role="status" data-testid="correction-progress">
              Correcting… {stepNames[correction?.step ?? ''] ?? correction?.step}
            </p>
          ) : (
            !preview.blocked && (
              <button
                type="button"
                class="btn"
                data-testid="correct-in-books"
                disabled={start.busy}
                onClick={() => start.attempt(async () => setAnswer(await startCorrection(fetch, cwId)))}
              >
                {start.busy ? 'Starting…' : 'Correct in the books'}
              </button>
            )
          )}
        </>
      )}
      {correction?.status === 'failed' && correction.error && (
        <ProblemBox
          problem={correction.error}
          title="The last correction failed:"
          testId="correction-error"
        />
      )}
      {start.problem && <ProblemBox problem={start.problem} />}
    </section>
  );

  function settlementText(s: CorrectionAnswer['preview']['unapply'][number]) {
    return s.kind === 'payment'
      ? `the payment of ${money(s.amount)} (${formatDate(s.date)})`
      : `credit ${s.creditNumber ?? ''} of ${money(s.amount)}`;
  }
}
