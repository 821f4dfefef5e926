import type { Invoice } from '../connectwise/index.js';
import type { RecordRow, RecordState, Tenant } from '../db/schema.js';
import type { RefreshRecordJob } from '../jobs/queues.js';
import { requestDriftCheck } from '../jobs/request-drift-check.js';
import { glRecordColumns, type UnpostedGlRecord } from '../records/gl-record-columns.js';
import { invoiceColumns, isClosed } from '../records/invoice-columns.js';
import { ledgerColumns as ledgerColumnsOf, paidState } from '../records/ledger-amounts.js';
import {
  type GlRecordType,
  glRecordNumber,
  invoiceRecordType,
  isGlRecordType,
  listedAsType,
  recordKinds,
} from '../records/record-kinds.js';
import { bookedStates, inFlightStates } from '../records/record-states.js';
import type { RecordStore } from '../records/record-store.js';
import { applyCreditsShownInConnectWise } from './credit-application.js';
import type { RecordJobDeps } from './deps.js';
import { type InvoicePosting, invoicePosting } from './invoice-posting.js';
import { recheckRecord } from './push-check.js';
import { requestPush } from './requests.js';

/**
 * What the record's state should be, given CW's view of it now. A record we settled that CW lists as
 * unposted again was reversed there (its batch deleted), as for the other record types; one not
 * listed stays posted (invoice-posting.ts: absence alone says nothing more). For any other record
 * only CW's own glBatch hint is read: a closed one is `unposted` unless CW says it is batched.
 */
function stateFromConnectWise(
  record: RecordRow,
  invoice: Invoice,
  posting: InvoicePosting,
): { state: RecordState; reversed: boolean } {
  const batched = posting.state === 'posted';
  if (bookedStates.has(record.state) && posting.state === 'unposted')
    return { state: 'unposted', reversed: true };
  if (
    inFlightStates.has(record.state) ||
    bookedStates.has(record.state) ||
    record.state === 'onboarded' ||
    record.state === 'error'
  ) {
    return { state: record.state, reversed: false };
  }
  if (!isClosed(invoice)) return { state: 'not_closed', reversed: false };
  return { state: batched ? record.state : 'unposted', reversed: false };
}

/**
 * Re-reads a record from ConnectWise (and its document from the ledger) and stores what changed:
 * totals, balances, a reversal done in CW, payment state; with sync-on-close, pushes a closed record.
 */
export async function refreshRecord(deps: RecordJobDeps, job: RefreshRecordJob): Promise<void> {
  const tenant = await deps.tenants.get(job.tenantId);
  if (!tenant) return;
  if (isGlRecordType(job.type)) return refreshGlRecord(deps, tenant, job.type, job);
  const readAt = new Date();
  const invoice = await deps.connectWise.for(tenant).getInvoice(job.cwId);
  if (!invoice) return;
  const type = invoiceRecordType(invoice.type);
  const key = { tenantId: job.tenantId, type, cwId: job.cwId } as const;
  const record = await deps.records.ensure(key);
  const cached = invoiceColumns(invoice, record);

  // Only a settled record's state turns on CW's unposted list (1 call); the rest read the hint only.
  const posting = await invoicePosting(
    deps.connectWise.for(tenant),
    invoice,
    bookedStates.has(record.state) ? 'list' : 'hint',
  );
  let { state, reversed } = stateFromConnectWise(record, invoice, posting);
  let ledgerRead: { startedAt: Date; columns: ReturnType<typeof ledgerColumnsOf> } | undefined;
  if (!reversed && record.ledger_id && record.connection_id && bookedStates.has(state)) {
    const connection = await deps.connections.get(tenant.id, record.connection_id);
    if (connection && connection.status === 'active') {
      const startedAt = new Date();
      const ref = await deps.ledgers.for(connection).get(type, record.ledger_id);
      ledgerRead = { startedAt, columns: ledgerColumnsOf(ref, cached.decimals) };
      state = paidState(ref.totalMinor, ref.balanceMinor);
    }
  }

  const applied = ledgerRead
    ? await deps.records.storeLedgerRead(record, ledgerRead.startedAt, {
        to: state,
        set: { ...cached, ...ledgerRead.columns },
        actor: job.reason === 'callback' ? 'connectwise' : 'refresh',
        kind: 'refreshed',
        fromStates: [record.state],
      })
    : await applyIfUnchanged(deps, record, job, { state, reversed, set: cached });
  // ConnectWise says a synced record changed (a payment or credit entered there, say): check it
  // against the books (server/reconcile/).
  if (ledgerRead && job.reason === 'callback')
    await requestDriftCheck(deps.jobs, { tenantId: job.tenantId, type, cwId: job.cwId, reason: 'event' });
  // A credit memo applied to an invoice in CW (seen from either record): the same in the ledger,
  // once. Also when the record moved on meanwhile: each application reads both records itself.
  if (invoice.credits && !reversed) await applyCreditsShownInConnectWise(deps, tenant, invoice, 'refresh');
  if (!applied) {
    if (!job.syncIfClosed) return;
    // Moved on meanwhile, often by another refresh of the same record (a status read's) that found
    // it as this one did: the close this callback reports must still reach the books (seen on CI).
    ({ state } = await deps.records.ensure(key));
  }

  // CW says the record changed and it had failed: was the change its fix? (Issue 14: fixes are noticed.)
  if (job.reason === 'callback' && state === 'error') {
    await recheckRecord(deps, tenant, key, 'connectwise');
    return;
  }
  if (job.syncIfClosed && state === 'unposted' && isClosed(invoice) && posting.state !== 'posted') {
    await requestPush(deps, key, 'sync-on-close', { at: readAt.toISOString(), invoice });
  }
}

/**
 * Applied only if the record is still as read: a push may have moved it on meanwhile, and what it
 * did wins over what this refresh derived from the older state.
 */
function applyIfUnchanged(
  deps: RecordJobDeps,
  record: RecordRow,
  job: RefreshRecordJob,
  change: { state: RecordState; reversed: boolean; set: Parameters<RecordStore['update']>[1] },
) {
  const set = {
    ...change.set,
    ...(change.reversed ? { cw_batch_id: null, cw_batch_identifier: null, version: record.version + 1 } : {}),
  };
  return change.state === record.state
    ? deps.records.updateIf(record, [record.state], set)
    : deps.records.transitionIf(record, [record.state], {
        to: change.state,
        set,
        actor: job.reason === 'callback' ? 'connectwise' : 'refresh',
        kind: change.reversed ? 'reversed_in_connectwise' : 'refreshed',
      });
}

/**
 * An expense, purchase or adjustment: CW lists it as unposted until a batch holds it, so a record we
 * settled that CW lists again was reversed there (its batch deleted); the next push updates the same
 * ledger document. While unposted, its columns follow CW.
 */
async function refreshGlRecord(
  deps: RecordJobDeps,
  tenant: Tenant,
  type: GlRecordType,
  job: RefreshRecordJob,
): Promise<void> {
  const unposted = (await deps.connectWise
    .for(tenant)
    .getUnposted(recordKinds[type].unposted, job.cwId)) as UnpostedGlRecord | null;
  const procurementType = (unposted as { procurementType?: string | null } | null)?.procurementType;
  const sameType = listedAsType(type, procurementType);
  const key = { tenantId: job.tenantId, type, cwId: job.cwId } as const;
  const record = unposted && sameType ? await deps.records.ensure(key) : await deps.records.get(key);
  if (!record) return;
  const listed = Boolean(unposted && sameType);
  const reversed = listed && bookedStates.has(record.state);
  await applyIfUnchanged(deps, record, job, {
    state: reversed ? 'unposted' : record.state,
    reversed,
    set:
      unposted && listed
        ? glRecordColumns(unposted, record, glRecordNumber(type, job.cwId))
        : { refreshed_at: new Date() },
  });
}
