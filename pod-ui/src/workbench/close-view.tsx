import './close-view.css';
import { useRef, useState } from 'preact/hooks';
import { downloadCsv } from '../admin/csv.js';
import { getClose, getEvidence } from '../api/close.js';
import { formatDate } from '../ui/dates.js';
import { usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { useAttempt } from '../ui/use-attempt.js';
import { useLoad } from '../ui/use-load.js';
import { CloseChecklist } from './close-checklist.js';
import { CloseOpenRecords } from './close-open-records.js';
import { lastMonth, monthPeriod } from './close-period.js';

/**
 * The month-end close (issue 16 items 4 and 5): for a month, whether it can be closed, what is still
 * open and why, and its evidence for auditors. The evidence is fetched with the member's session
 * (the API takes a bearer token, so a plain link could not carry it): the CSV is saved as a file, the
 * printable page shown here to print.
 */
export default function CloseView() {
  const { fetch } = usePod();
  const [month, setMonth] = useState(lastMonth());
  const period = monthPeriod(month);
  const close = useLoad(() => getClose(fetch, period), [month]);
  const evidence = useAttempt();
  const [printable, setPrintable] = useState<string>();
  const frame = useRef<HTMLIFrameElement>(null);

  const downloadEvidence = () =>
    evidence.attempt(async () =>
      downloadCsv(
        `ledgerpod-evidence-${period.from}-to-${period.to}.csv`,
        await getEvidence(fetch, period, 'csv'),
      ),
    );
  const showPrintable = () =>
    evidence.attempt(async () => setPrintable(await getEvidence(fetch, period, 'html')));
  const pick = (value: string) => {
    if (!/^\d{4}-\d{2}$/.test(value)) return;
    setPrintable(undefined);
    setMonth(value);
  };

  return (
    <section class="close-view" aria-labelledby="close-title" data-testid="close-view">
      <h2 id="close-title">Month-end close</h2>
      <label>
        Month{' '}
        <input
          type="month"
          value={month}
          data-testid="close-month"
          onChange={(e) => pick(e.currentTarget.value)}
        />
      </label>{' '}
      <span class="muted">
        {formatDate(period.from)} to {formatDate(period.to)}
      </span>
      {close.error && <ProblemBox problem={close.error} title="Could not load the close:" />}
      {close.loading && (
        <p class="muted" role="status">
          Loading the close…
        </p>
      )}
      {close.data && !close.loading && (
        <>
          <p class={close.data.ready ? 'close-ready' : 'close-not-ready'} data-testid="close-ready">
            {close.data.ready
              ? 'Ready to close: every record synced, payments written, no differences.'
              : 'Not ready to close yet: see the points marked ✗.'}
          </p>
          <CloseChecklist close={close.data} />
          <CloseOpenRecords close={close.data} />
        </>
      )}
      <p class="close-evidence">
        Evidence for auditors:{' '}
        <button
          type="button"
          class="btn"
          data-testid="evidence-csv"
          disabled={evidence.busy}
          onClick={downloadEvidence}
        >
          Download CSV
        </button>{' '}
        <button
          type="button"
          class="btn"
          data-testid="evidence-printable"
          disabled={evidence.busy}
          onClick={showPrintable}
        >
          Printable page
        </button>
      </p>
      {evidence.problem && <ProblemBox problem={evidence.problem} />}
      {printable && (
        <div class="close-printable">
          <button
            type="button"
            class="btn btn-primary"
            data-testid="evidence-print"
            onClick={() => frame.current?.contentWindow?.print()}
          >
            Print
          </button>
          <iframe ref={frame} title="Evidence to print" srcdoc={printable} data-testid="evidence-page" />
        </div>
      )}
    </section>
  );
}
