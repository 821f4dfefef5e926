import { useState } from 'preact/hooks';
import {
  type CompanyDifferences,
  type DifferenceRow,
  fixDifference,
  getCompanyDifferences,
  listDifferences,
} from '../api/differences.js';
import { localDates } from '../ui/dates.js';
import { formatMoney } from '../ui/money.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';
import { useLoad } from '../ui/use-load.js';
import { CwRecordLink } from './cw-record-link.js';

/**
 * The Differences queue: every synced record whose last drift check found ConnectWise and the books
 * apart, with each cause and fix (a fix Ledgerpod makes itself is one button), and per company the
 * receivables on both sides with the records that explain the gap.
 */
export function DifferencesQueue() {
  const { fetch } = usePod();
  const list = useLoad(() => listDifferences(fetch), []);
  const action = useAttempt();
  const [company, setCompany] = useState<CompanyDifferences & { name: string }>();
  const rows = list.data?.records ?? [];

  const fix = (row: DifferenceRow, code: string, ref: string) =>
    action.attempt(async () => {
      await fixDifference(fetch, row.type, row.cwId, { code, ref });
      await list.reload(true);
    });
  const showCompany = (companyId: number, name: string) =>
    action.attempt(async () => setCompany({ ...(await getCompanyDifferences(fetch, companyId)), name }));

  return (
    <section class="differences-queue" aria-labelledby="differences-title" data-testid="differences-queue">
      <h2 id="differences-title">
        Differences{' '}
        <span class="queue-count" data-testid="differences-count">
          {list.loading ? '…' : rows.length}
        </span>
      </h2>
      {list.error && <ProblemBox problem={list.error} title="Could not load differences:" />}
      {!list.loading && rows.length === 0 && !list.error && (
        <p class="muted">ConnectWise and the books agree on every record checked.</p>
      )}
      {rows.length > 0 && (
        <table class="records">
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Company</th>
              <th scope="col" class="num">
                ConnectWise owes
              </th>
              <th scope="col" class="num">
                Books owe
              </th>
              <th scope="col">Difference and fix</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.type}:${row.cwId}`} data-testid="difference-row">
                <td>
                  <CwRecordLink type={row.type} cwId={row.cwId} number={row.number} />
                </td>
                <td>
                  {row.companyId === null ? (
                    row.companyName
                  ) : (
                    <button
                      type="button"
                      class="btn-link"
                      data-testid="company-differences"
                      onClick={() => showCompany(row.companyId!, row.companyName)}
                    >
                      {row.companyName || row.companyId}
                    </button>
                  )}
                </td>
                <td class="num">{formatMoney(row.cwBalance, row.currency)}</td>
                <td class="num">
                  {row.ledgerBalance === null ? '—' : formatMoney(row.ledgerBalance, row.currency)}
                </td>
                <td>
                  <ul class="difference-list">
                    {row.differences.map((d) => (
                      <li key={`${d.code}:${d.fix?.ref ?? d.cause}`} data-code={d.code}>
                        {localDates(d.cause)}{' '}
                        {d.fix && <span class="difference-fix">{localDates(d.fix.text)}</span>}{' '}
                        {d.fix?.action && d.fix.ref && (
                          <button
                            type="button"
                            class="btn"
                            disabled={action.busy}
                            data-testid={`queue-fix-${d.code}`}
                            onClick={() => fix(row, d.code, d.fix!.ref!)}
                          >
                            {d.fix.action === 'write_payment'
                              ? 'Write it to ConnectWise'
                              : 'Apply it in the books'}
                          </button>
                        )}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {company && (
        <div class="company-differences" data-testid="company-balances">
          <h3>{company.name || `Company ${company.companyId}`}: receivables in both systems</h3>
          {company.balances.map((b) => (
            <p key={b.currency}>
              ConnectWise {formatMoney(b.cw, b.currency)}, books {formatMoney(b.ledger, b.currency)} over{' '}
              {b.records} synced record{b.records === 1 ? '' : 's'}: difference{' '}
              <strong>{formatMoney(b.difference, b.currency)}</strong>, explained by{' '}
              {company.records.map((r) => r.number).join(', ') || 'no record'}.
            </p>
          ))}
        </div>
      )}
      {action.problem && <ProblemBox problem={action.problem} />}
    </section>
  );
}
