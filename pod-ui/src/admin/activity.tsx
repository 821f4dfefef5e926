import { getDailyStats } from '../api/admin.js';
import { type EventRecord, listEvents } from '../api/records.js';
import { formatDateTime } from '../ui/dates.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { stateLabels } from '../ui/states.js';
import { useLoad } from '../ui/use-load.js';
import { DailyChart } from './daily-chart.js';

const recordText = (record: EventRecord | string | null | undefined) =>
  !record ? '' : typeof record === 'string' ? record : record.number || `${record.type} ${record.cwId}`;

const detailText = (detail: Record<string, unknown> | string) =>
  typeof detail === 'string'
    ? detail
    : Object.entries(detail)
        .filter(([, value]) => value !== null && typeof value !== 'object')
        .map(([key, value]) => `${key}: ${String(value)}`)
        .join(', ');

/** The last two weeks at a glance, then the audit log: who did what to which record. */
export function Activity() {
  const { fetch } = usePod();
  const stats = useLoad(() => getDailyStats(fetch, 14), []);
  const events = useLoad(() => listEvents(fetch), []);
  return (
    <>
      <section aria-labelledby="chart-title">
        <h2 id="chart-title">Syncs and errors per day</h2>
        {stats.error && <ProblemBox problem={stats.error} />}
        {stats.data && <DailyChart days={stats.data.days} />}
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Audit log</h2>
        {events.error && <ProblemBox problem={events.error} />}
        {events.data?.events.length === 0 && <p class="muted">Nothing has happened yet.</p>}
        {events.data && events.data.events.length > 0 && (
          <table class="grid" data-testid="audit-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Record</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Status</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{recordText(e.record)}</td>
                  <td>{e.actor}</td>
                  <td>{e.kind.replaceAll('_', ' ')}</td>
                  <td>
                    {e.fromState && stateLabels[e.fromState]}
                    {e.toState && ` → ${stateLabels[e.toState]}`}
                  </td>
                  <td>{detailText(e.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
