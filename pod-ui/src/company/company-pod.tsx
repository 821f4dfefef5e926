import { getCompanySummary } from '../api/companies.js';
import type { RecordState } from '../api/types.js';
import { formatMoney, sameAmount } from '../ui/money.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { StateBadge } from '../ui/state-badge.js';
import { allStates } from '../ui/states.js';
import { useLoad } from '../ui/use-load.js';

/** A company's records by accounting state, and its AR balance in ConnectWise beside the books'. */
export default function CompanyPod({ cwId }: { cwId: string }) {
  const { fetch } = usePod();
  const loaded = useLoad(() => getCompanySummary(fetch, cwId), [cwId]);
  if (loaded.loading)
    return (
      <p class="muted" role="status">
        Loading accounting status…
      </p>
    );
  if (loaded.error || !loaded.data)
    return loaded.error?.status === 404 ? (
      <p role="status">Ledgerpod has no records for this company yet.</p>
    ) : (
      <ProblemBox problem={loaded.error ?? { code: 'empty', message: 'No answer.' }} />
    );

  const { counts, arBalance } = loaded.data;
  const present = allStates.filter((s) => (counts[s] ?? 0) > 0);
  const mismatch = arBalance.ledger !== null && !sameAmount(arBalance.cw, arBalance.ledger);
  return (
    <div class="pod">
      <table class="amounts">
        <thead>
          <tr>
            <td />
            <th scope="col" class="num">
              ConnectWise
            </th>
            <th scope="col" class="num">
              Books
            </th>
          </tr>
        </thead>
        <tbody>
          <tr class={mismatch ? 'mismatch' : undefined} data-testid="ar-balance">
            <th scope="row">AR balance</th>
            <td class="num">{formatMoney(arBalance.cw, arBalance.currency)}</td>
            <td class="num">
              {arBalance.ledger === null ? '—' : formatMoney(arBalance.ledger, arBalance.currency)}
              {mismatch && <span class="mismatch-note"> differs</span>}
            </td>
          </tr>
        </tbody>
      </table>
      {present.length === 0 ? (
        <p class="muted">No records yet.</p>
      ) : (
        <ul class="state-counts" aria-label="Records by status">
          {present.map((state: RecordState) => (
            <li key={state} data-testid={`count-${state}`}>
              <StateBadge state={state} /> <span class="count">{counts[state]}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
