import type { CloseView } from '../api/close.js';
import { formatDate, localDates } from '../ui/dates.js';
import { CwRecordLink } from './cw-record-link.js';

const stateWords: Record<string, string> = {
  unposted: 'not pushed yet',
  queued: 'waiting to push',
  exported: 'pushing',
  pushed: 'pushing',
  unknown: 'being checked',
  error: 'failed',
  not_closed: 'not closed in ConnectWise',
};

/** The period's records not synced, each with why and what fixes it. */
export function CloseOpenRecords({ close }: { close: CloseView }) {
  if (close.open.length === 0) return null;
  return (
    <table class="records close-open" data-testid="close-open">
      <caption>Open records of the period</caption>
      <thead>
        <tr>
          <th scope="col">Record</th>
          <th scope="col">Date</th>
          <th scope="col">State</th>
          <th scope="col">Why, and the fix</th>
        </tr>
      </thead>
      <tbody>
        {close.open.map((r) => (
          <tr key={`${r.type}:${r.cwId}`} data-testid="close-open-row" data-code={r.error?.code}>
            <td>
              <CwRecordLink type={r.type} cwId={r.cwId} number={r.number} />
            </td>
            <td>{formatDate(r.date)}</td>
            <td>{stateWords[r.state] ?? r.state}</td>
            <td>
              {r.error ? (
                <>
                  <span class="row-error">{localDates(r.error.message)}</span>{' '}
                  {r.error.hint && <span class="close-fix">{localDates(r.error.hint)}</span>}
                </>
              ) : (
                'Push it from the queue above.'
              )}
            </td>
          </tr>
        ))}
      </tbody>
      {close.openMore && (
        <tfoot>
          <tr>
            <td colSpan={4}>More open records than shown: the workbench's queues list them all.</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}
