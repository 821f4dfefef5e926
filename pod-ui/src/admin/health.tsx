import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { checkCallback, checkPayments, getHealth } from '../api/admin.js';
import type { BudgetUse, HealthProblem } from '../api/admin-types.js';
import type { Problem } from '../api/types.js';
import { formatDateTime } from '../ui/dates.js';
import { ledgerNames as labels } from '../ui/ledger-names.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { problemOf } from '../ui/use-attempt.js';
import { useLoad } from '../ui/use-load.js';

const when = (iso: string | null) => formatDateTime(iso, 'never');

const callbackStates = {
  healthy: 'Active',
  're-enabled': 'Re-activated (ConnectWise had disabled it)',
  registered: 'Registered (it was missing)',
  failed: 'Check failed',
  unchecked: 'Not checked yet',
} as const;

const count = (n: number) => n.toLocaleString('en-US');

/** "QBO reads this month: 12,345 of 500,000 (2%)", one per budget, as facts of the section. */
const budgetFacts = (budgets: BudgetUse[], testId: string) =>
  budgets.map((b, i) => (
    <Fragment key={`${b.key}:${b.period}`}>
      <dt>{b.label}</dt>
      <dd data-testid={`${testId}-budget-${i}`} data-deferred={b.deferredUntil ? 'true' : 'false'}>
        {count(b.used)} of {count(b.cap)} ({b.percent}%)
      </dd>
    </Fragment>
  ));

interface Props {
  /** Opens another admin section (the fix for a connection that needs reconnecting). */
  onOpen(section: 'connections'): void;
}

/**
 * Health in one place: the ConnectWise callback and each ledger connection, every problem with
 * what to do about it and, where Ledgerpod can do it, a button that does it.
 */
export default function Health({ onOpen }: Props) {
  const { fetch } = usePod();
  const health = useLoad(() => getHealth(fetch), []);
  const [problem, setProblem] = useState<Problem>();
  const [status, setStatus] = useState('');

  const act = async (action: HealthProblem['action']) => {
    setProblem(undefined);
    try {
      if (action === 'reconnect') return onOpen('connections');
      if (action === 'check-callback') {
        await checkCallback(fetch);
        setStatus('Callback check queued; this page shows its result in a minute.');
      }
      if (action === 'check-payments') {
        await checkPayments(fetch);
        setStatus('Payments check queued.');
      }
      await health.reload(true);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  const problems = (list: HealthProblem[], testId: string) =>
    list.length === 0 ? (
      <p class="health-ok" data-testid={`${testId}-ok`}>
        No problems.
      </p>
    ) : (
      <ul class="health-problems" data-testid={`${testId}-problems`}>
        {list.map((p) => (
          <li key={p.code} data-code={p.code}>
            <strong>{p.message}</strong> <span>{p.fix}</span>{' '}
            {p.action !== 'none' && (
              <button type="button" class="btn" onClick={() => void act(p.action)}>
                {p.action === 'reconnect'
                  ? 'Open connections'
                  : p.action === 'check-callback'
                    ? 'Check callback now'
                    : 'Check payments now'}
              </button>
            )}
          </li>
        ))}
      </ul>
    );

  const data = health.data;
  return (
    <>
      {health.error && <ProblemBox problem={health.error} />}
      {problem && <ProblemBox problem={problem} />}
      <p role="status" class="muted">
        {status}
      </p>
      {data && (
        <>
          <section aria-labelledby="cb-title" data-testid="health-callback">
            <h2 id="cb-title">ConnectWise callback</h2>
            <dl class="health-facts">
              <dt>State</dt>
              <dd data-testid="callback-state">{callbackStates[data.callback.state]}</dd>
              <dt>Last checked</dt>
              <dd>{when(data.callback.checkedAt)}</dd>
              <dt>Last callback received</dt>
              <dd>
                {when(data.callback.lastCallbackAt)} ({data.callback.callbacksLastDay} in the last day)
              </dd>
              {data.callback.repairedAt && (
                <>
                  <dt>Last repaired</dt>
                  <dd>
                    {when(data.callback.repairedAt)}: it was {data.callback.repairedProblem}
                  </dd>
                </>
              )}
              <dt>Closes picked up without a callback</dt>
              <dd>{data.callback.backfilledCount}</dd>
            </dl>
            {problems(data.callback.problems, 'callback')}
          </section>
          <section aria-labelledby="cw-budget-title" data-testid="health-connectwise">
            <h2 id="cw-budget-title">ConnectWise budget</h2>
            <dl class="health-facts">{budgetFacts(data.connectwise.budgets, 'health-connectwise')}</dl>
            {problems(data.connectwise.problems, 'health-connectwise')}
          </section>
          {data.connections.map((c) => (
            <section key={c.id} aria-label={`${c.name} health`} data-testid={`health-${c.kind}`}>
              <h2>
                {c.name} <span class="muted">{labels[c.kind]}</span>
              </h2>
              <dl class="health-facts">
                <dt>Access token expires</dt>
                <dd>{when(c.accessExpiresAt)} (renewed on its own before use)</dd>
                <dt>Last webhook</dt>
                <dd>{when(c.lastWebhookAt)}</dd>
                <dt>Payments checked through</dt>
                <dd>{when(c.paymentsCheckedThrough)}</dd>
                {budgetFacts(c.budgets, `health-${c.kind}`)}
                {c.writesThisMonth !== undefined && (
                  <>
                    <dt>QBO writes this month</dt>
                    <dd>{count(c.writesThisMonth)} (not metered by Intuit)</dd>
                  </>
                )}
              </dl>
              {problems(c.problems, `health-${c.kind}`)}
            </section>
          ))}
          {data.connections.length === 0 && <p class="muted">No ledger connected yet.</p>}
        </>
      )}
    </>
  );
}
