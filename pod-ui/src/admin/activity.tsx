import { useState } from 'preact/hooks';
import { getDailyStats } from '../api/admin.js';
import { type EventRecord, listEvents } from '../api/records.js';
import { formatDateTime } from '../ui/dates.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { stateLabels } from '../ui/states.js';
import { useLoad } from '../ui/use-load.js';
import { DailyChart } from './daily-chart.js';
import { actorText, detailText, eventKinds, kindText } from './event-words.js';

const recordText = (record: EventRecord | string | null | undefined) =>
  !record ? '' : typeof record === 'string' ? record : record.number || `${record.type} ${record.cwId}`;

/** The last two weeks at a glance, then the audit log: who did what to which record, one row an event. */
export function Activity() {
  const { fetch } = usePod();
  const stats = useLoad(() => getDailyStats(fetch, 14), []);
  const [filter, setFilter] = useState({ number: '', actor: '', kind: '' });
  const events = useLoad(() => listEvents(fetch, filter), [filter.number, filter.actor, filter.kind]);
  // Who can be picked: the actors seen so far, so a filter narrows rather than guesses.
  const [seenActors] = useState(() => new Set<string>());
  for (const e of events.data?.events ?? []) seenActors.add(e.actor);
  const filtered = filter.number || filter.actor || filter.kind;
  const set = (key: keyof typeof filter) => (e: { currentTarget: { value: string } }) =>
    setFilter({ ...filter, [key]: e.currentTarget.value });
  return (
    <>
      <section aria-labelledby="chart-title">
        <h2 id="chart-title">Syncs and errors per day</h2>
        {stats.error && <ProblemBox problem={stats.error} />}
        {stats.data && <DailyChart days={stats.data.days} />}
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Audit log</h2>
        <search class="filters" aria-label="Filter the audit log">
          <label for="audit-record">Record</label>
          <input id="audit-record" value={filter.number} placeholder="INV-1001" onInput={set('number')} />
          <label for="audit-actor">Who</label>
          <select id="audit-actor" value={filter.actor} onChange={set('actor')}>
            <option value="">Anyone</option>
            {[...seenActors].sort().map((a) => (
              <option key={a} value={a}>
                {actorText(a)}
              </option>
            ))}
          </select>
          <label for="audit-kind">What</label>
          <select id="audit-kind" value={filter.kind} onChange={set('kind')}>
            <option value="">Anything</option>
            {Object.entries(eventKinds).map(([kind, words]) => (
              <option key={kind} value={kind}>
                {words}
              </option>
            ))}
          </select>
        </search>
        {events.error && <ProblemBox problem={events.error} />}
        {events.data?.events.length === 0 && (
          <p class="muted">{filtered ? 'No event matches these filters.' : 'Nothing has happened yet.'}</p>
        )}
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
                <tr
                  key={e.id ?? `${e.at}-${i}`}
                  title={typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail)}
                >
                  <td>{formatDateTime(e.at)}</td>
                  <td>{recordText(e.record)}</td>
                  <td>{actorText(e.actor)}</td>
                  <td>{kindText(e.kind)}</td>
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
