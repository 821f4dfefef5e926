import { useRef } from 'preact/hooks';
import { syncRecord } from '../api/records.js';
import type { RecordDetail, RecordType } from '../api/types.js';
import { LazyView } from '../ui/lazy-view.js';
import { ledgerNames } from '../ui/ledger-names.js';
import { atLeast, usePod } from '../ui/pod-context.js';
import { ProblemBox } from '../ui/problem-box.js';
import { StateBadge } from '../ui/state-badge.js';
import { busyStates } from '../ui/states.js';
import { usePoll } from '../ui/use-poll.js';
import { Amounts } from './amounts.js';
import { CheckedNote } from './checked-note.js';
import { Differences } from './differences.js';
import { useRecordStatus } from './load-record.js';
import { needsCorrection } from './needs-correction.js';
import { Payments } from './payments.js';
import { PushCheckView } from './push-check.js';
import { RecordActions } from './record-actions.js';
import { fixNoticed, usePushCheck } from './use-push-check.js';

/** Admins only, and only on a mapping failure: kept out of the pod's first download. */
const loadMapInline = () => import('./map-inline.js');
/** Accountants only, on an invoice edited in ConnectWise after it synced: its own chunk too. */
const loadCorrection = () => import('./correction.js');

/** One ConnectWise invoice's accounting status, sized for a ~250 px pod. */
export function InvoicePod({
  cwId,
  type,
  initial,
}: {
  cwId: string;
  type?: RecordType;
  /** The status that came with the sign-in (null: unknown record); undefined loads it. */
  initial?: RecordDetail | null;
}) {
  const { fetch, role } = usePod();
  const loaded = useRecordStatus(fetch, cwId, type, initial);
  const detail = loaded.data;
  const running = detail !== undefined && busyStates.has(detail.state);
  const gaveUp = usePoll(running, () => loaded.reload(true));
  // An invoice new to Ledgerpod is being read from ConnectWise right now (no row yet, or a row whose
  // first read has not finished): look again for a while. Seen on CI: the row existed as `unknown`
  // and the pod, not polling, showed Unknown for good.
  const unknown = !loaded.loading && !loaded.error && (detail === undefined || detail.state === 'unknown');
  usePoll(unknown, () => loaded.reload(true), 2_000, 120_000);
  // In the books and not yet paid: payments come back from the ledger on their own, so look now and then.
  const awaitingPayment =
    detail !== undefined && (detail.state === 'synced' || detail.state === 'partly_paid');
  usePoll(awaitingPayment, () => loaded.reload(true), 15_000, 10 * 60_000);
  const checked = usePushCheck(type ?? 'invoice', cwId, detail?.state, loaded.set);
  const fixed = fixNoticed(detail);
  // Once offered, the correction stays until the pod closes: its outcome shows after the figures agree.
  const correcting = useRef(false);
  if (needsCorrection(detail, role) && !(detail && busyStates.has(detail.state))) correcting.current = true;

  if (loaded.loading && !detail)
    return (
      <p class="muted" role="status">
        Loading accounting status…
      </p>
    );
  if (loaded.error && !detail)
    return (
      <div class="pod">
        <ProblemBox problem={loaded.error} title="Could not load this invoice's status." />
        <button type="button" class="btn" onClick={() => loaded.reload()}>
          Try again
        </button>
      </div>
    );

  // Keyed, so the button keeps its element (and a click in flight) when the record turns up.
  const actions = (
    <RecordActions key="actions" detail={detail} type={type ?? 'invoice'} cwId={cwId} onChange={loaded.set} />
  );
  if (!detail)
    return (
      <div class="pod">
        <p role="status" data-testid="record-empty">
          Ledgerpod has no record of this invoice yet and is checking ConnectWise for it. A closed invoice
          shows up here in a moment; accountants can also sync it now.
        </p>
        {actions}
      </div>
    );

  const { record, ledger, error } = detail;
  // An admin maps the missing codes right here, which says more than the hint pointing elsewhere.
  const mapHere = detail.state === 'error' && !!error?.unmapped?.length && atLeast(role, 'admin');
  return (
    <div class="pod" aria-busy={running}>
      <div class="pod-head">
        <strong class="record-number">{record.number}</strong>
        <span aria-live="polite" aria-atomic="true">
          <span class="sr-only">Status: </span>
          <StateBadge state={detail.state} testId="record-state" />
        </span>
        {ledger && (
          <a
            class="ledger-link"
            data-testid="ledger-link"
            href={ledger.url ?? undefined}
            target="_blank"
            rel="noopener noreferrer"
          >
            {ledgerNames[ledger.kind]} #{ledger.number}
            <span class="sr-only"> (opens in a new tab)</span> ↗
          </a>
        )}
      </div>
      <Amounts detail={detail} />
      <CheckedNote detail={detail} ledgerName={ledger ? ledgerNames[ledger.kind] : 'the books'} />
      <Payments detail={detail} />
      {fixed && (fixed.syncing ? running : detail.state === 'error') && (
        <p class="fixed-note" role="status" data-testid="fixed-note">
          {fixed.syncing ? 'Fixed: syncing…' : 'Fixed in ConnectWise: ready to sync.'}
        </p>
      )}
      {/* Fixed but not pushed again here: the stored error is stale. A push that fails anew shows its own. */}
      {error && !(fixed && !fixed.syncing) && (
        <ProblemBox problem={mapHere ? { ...error, hint: undefined } : error} testId="record-error" />
      )}
      {checked?.on === 'save' && <PushCheckView check={checked.recheck.check} />}
      {mapHere && (
        <LazyView
          load={loadMapInline}
          props={{
            unmapped: error!.unmapped!,
            onMapped: async () => loaded.set(await syncRecord(fetch, record.type, cwId)),
          }}
        />
      )}
      {actions}
      <Differences type={record.type} cwId={cwId} state={detail.state} drift={detail.drift} />
      {correcting.current && (
        <LazyView load={loadCorrection} props={{ cwId, onDone: () => loaded.reload(true) }} />
      )}
      {gaveUp && (
        <p class="muted" role="status">
          Still working in the background.{' '}
          <button type="button" class="btn-link" onClick={() => loaded.reload(true)}>
            Check again
          </button>
        </p>
      )}
      {loaded.error && <ProblemBox problem={loaded.error} title="Could not refresh:" />}
    </div>
  );
}
