import type { DailyStat } from '../api/admin-types.js';

const W = 560;
const H = 120;
const PAD = 18;

/** Syncs and errors per day as paired bars; the numbers are in the bars' titles and a hidden table. */
export function DailyChart({ days }: { days: DailyStat[] }) {
  if (days.length === 0) return <p class="muted">No activity yet.</p>;
  const max = Math.max(1, ...days.map((d) => Math.max(d.synced, d.errors)));
  const slot = (W - PAD) / days.length;
  const bar = Math.max(2, slot / 2 - 2);
  const y = (n: number) => H - PAD - (n / max) * (H - PAD * 2);
  const totals = days.reduce((t, d) => ({ synced: t.synced + d.synced, errors: t.errors + d.errors }), {
    synced: 0,
    errors: 0,
  });
  return (
    <figure class="chart" data-testid="daily-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} aria-hidden="true">
        <line x1={PAD} x2={W} y1={H - PAD} y2={H - PAD} stroke="#a7b0ba" />
        <text x={0} y={PAD - 4} font-size="10" fill="#5f6a75">
          {max}
        </text>
        {days.map((d, i) => {
          const x = PAD + i * slot;
          return (
            <g key={d.day}>
              <rect x={x} y={y(d.synced)} width={bar} height={H - PAD - y(d.synced)} fill="#0067b1">
                <title>{`${d.day}: ${d.synced} synced`}</title>
              </rect>
              <rect x={x + bar + 1} y={y(d.errors)} width={bar} height={H - PAD - y(d.errors)} fill="#b3261e">
                <title>{`${d.day}: ${d.errors} errors`}</title>
              </rect>
              {i % 2 === 0 && (
                <text x={x} y={H - 4} font-size="9" fill="#5f6a75">
                  {d.day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="key key-synced" /> Synced ({totals.synced}) <span class="key key-errors" /> Errors (
        {totals.errors}) over the last {days.length} days
      </figcaption>
      <table class="sr-only">
        <caption>Syncs and errors per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Synced</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td>{d.synced}</td>
              <td>{d.errors}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
