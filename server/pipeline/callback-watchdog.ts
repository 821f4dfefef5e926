import { sql } from 'kysely';
import { type CallbackEntry, type ConnectWiseClient, ConnectWiseError } from '../connectwise/index.js';
import type { CallbackWatchState, Tenant } from '../db/schema.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { createQueues, queues } from '../jobs/queues.js';
import { datedBeforeCutoff, onboardingCutoff } from '../records/onboarded-history.js';
import { storedErrorOf } from '../records/stored-error.js';
import type { RecordJobDeps } from './deps.js';
import { requestPush } from './requests.js';
import { discoverOne } from './sweep-jobs.js';

/**
 * The callback watchdog (issue 15 item 3). ConnectWise never retries a callback answered 5xx or not
 * answered in 5 s, and disables one that has failed for 3 days (domain.md §8), so callbacks alone
 * lose closes. Each pass, per tenant: find our registration; re-activate it when disabled (or
 * register it anew when CW refuses that, or when it is gone); then back-fill the closes since the
 * previous pass from the unposted list, which holds every closed record not yet posted. A close
 * whose callback was lost is pushed (sync on close) or made known, one pass later at the latest.
 */
export interface WatchDeps
  extends Pick<RecordJobDeps, 'db' | 'jobs' | 'records' | 'tenants' | 'connectWise'> {
  /** Where ConnectWise reaches us; undefined on a process that does not know (a worker without PUBLIC_URL). */
  publicUrl: () => string | undefined;
}

export interface WatchOutcome {
  state: CallbackWatchState;
  problem: 'disabled' | 'missing' | null;
  callbackId: number;
  backfilled: number;
}

/** What a pass back-fills again of the previous pass's window: clocks differ, a close takes a moment. */
const overlapMs = 10 * 60_000;
/** States of a record that a close callback would have moved on; anything else Ledgerpod already handled. */
const untouched = new Set(['unknown', 'not_closed', 'unposted']);

export const callbackUrlOf = (publicUrl: string, tenantId: string) =>
  `${publicUrl.replace(/\/+$/, '')}/webhooks/connectwise/${tenantId}`;

/** Our registration among the tenant's callbacks: ours by URL, an active one before a disabled one. */
export function ourCallback(entries: CallbackEntry[], url: string): CallbackEntry | undefined {
  const ours = entries.filter((e) => e.url === url && (e.type ?? 'invoice').toLowerCase() === 'invoice');
  return ours.find((e) => !e.inactiveFlag) ?? ours[0];
}

/**
 * Our callback: every invoice of the company (owner level). An owner-level callback names object 1,
 * as a working integration registers its owner-level callbacks (KerkhoffTechnologies/django-connectwise
 * callbacks.py, citing CW's Developer Guide; test/conformance/connectwise/callback-post.request.json).
 */
export const callbackRegistration = (url: string) => ({
  description: 'Ledgerpod',
  url,
  objectId: 1,
  type: 'invoice',
  level: 'owner',
});

/** A disabled callback made active again: patched where CW allows it, else registered anew. */
async function reactivate(cw: ConnectWiseClient, entry: CallbackEntry, url: string): Promise<number> {
  try {
    const patched = await cw.updateCallback(entry.id, { inactiveFlag: false });
    if (!patched.inactiveFlag) return patched.id;
  } catch (error) {
    if (!(error instanceof ConnectWiseError) || error.code !== 'cw_invalid_request') throw error;
  }
  const fresh = await cw.registerCallback(callbackRegistration(url));
  await cw.deleteCallback(entry.id).catch(() => undefined);
  return fresh.id;
}

const cwDate = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** Closes since `since` that Ledgerpod has not acted on: pushed (sync on close) or made known. */
export async function backfillCloses(deps: WatchDeps, tenant: Tenant, since: Date): Promise<number> {
  const cw = deps.connectWise.for(tenant);
  const { syncOnClose } = deps.tenants.settingsOf(tenant);
  const cutoff = await onboardingCutoff(deps.db, tenant.id);
  let count = 0;
  for await (const page of cw.unpostedPages('invoices', `dateClosed >= [${cwDate(since)}]`)) {
    for (const u of page) {
      // The condition narrows the list; the date is checked here too, as CW's filter is not ours.
      if (!u.dateClosed || new Date(u.dateClosed).getTime() < since.getTime()) continue;
      if (datedBeforeCutoff(u.invoiceDate, cutoff)) continue;
      const key = {
        tenantId: tenant.id,
        type: u.invoiceType === 'CreditMemo' ? 'credit_memo' : 'invoice',
        cwId: u.id,
      } as const;
      const record = await deps.records.get(key);
      if (record && !untouched.has(record.state)) continue;
      if (syncOnClose) await requestPush(deps, key, 'connectwise');
      else await discoverOne(deps, tenant.id, u);
      count += 1;
    }
  }
  return count;
}

/** One watchdog pass for one tenant; its finding is kept for the admin tab. */
export async function watchCallback(deps: WatchDeps, tenantId: string): Promise<WatchOutcome | undefined> {
  const tenant = await deps.tenants.get(tenantId);
  const publicUrl = deps.publicUrl();
  if (!tenant || !publicUrl) return undefined;
  const started = new Date();
  const prior = await deps.db
    .selectFrom('connectwise_callback_watch')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const cw = deps.connectWise.for(tenant);
  const url = callbackUrlOf(publicUrl, tenantId);
  try {
    const found = ourCallback(await cw.listCallbacks(), url);
    const problem: WatchOutcome['problem'] = !found ? 'missing' : found.inactiveFlag ? 'disabled' : null;
    const callbackId = !found
      ? (await cw.registerCallback(callbackRegistration(url))).id
      : found.inactiveFlag
        ? await reactivate(cw, found, url)
        : found.id;
    // From where the last pass reached (a little before it); a first pass from the tenant's start.
    const since = prior?.backfilled_through
      ? new Date(new Date(prior.backfilled_through).getTime() - overlapMs)
      : new Date(tenant.created_at);
    const backfilled = await backfillCloses(deps, tenant, since);
    const state: CallbackWatchState =
      problem === 'missing' ? 'registered' : problem ? 're-enabled' : 'healthy';
    const row = {
      callback_id: callbackId,
      state,
      checked_at: started,
      backfilled_through: started,
      last_error: null,
      ...(problem ? { repaired_at: started, repaired_problem: problem } : {}),
    };
    await deps.db
      .insertInto('connectwise_callback_watch')
      .values({ tenant_id: tenantId, ...row, backfilled_count: backfilled })
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({
          ...row,
          backfilled_count: sql`connectwise_callback_watch.backfilled_count + ${backfilled}`,
        }),
      )
      .execute();
    return { state, problem, callbackId, backfilled };
  } catch (error) {
    const stored = JSON.stringify(storedErrorOf(error));
    await deps.db
      .insertInto('connectwise_callback_watch')
      .values({ tenant_id: tenantId, state: 'failed', checked_at: started, last_error: stored })
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({ state: 'failed', checked_at: started, last_error: stored }),
      )
      .execute();
    throw error;
  }
}

export async function requestCallbackWatch(jobs: JobQueue, tenantId: string): Promise<void> {
  await jobs.send(queues.callbackWatch, { tenantId }, { singletonKey: tenantId });
}

/**
 * Every `everyMinutes` (0: never) each tenant gets a pass. Two CW calls a tenant a pass when all is
 * well (the callback list, the unposted list since the last pass): at 15 minutes, under 200 a day.
 */
export async function startCallbackWatchWorkers(deps: WatchDeps, everyMinutes: number): Promise<void> {
  await createQueues(deps.jobs);
  await deps.jobs.work<{ tenantId: string }>(queues.callbackWatch, async (job) => {
    await watchCallback(deps, job.tenantId);
  });
  await deps.jobs.work(queues.callbackWatchTick, async () => {
    const tenants = await deps.db.selectFrom('tenants').select('id').execute();
    for (const t of tenants) await requestCallbackWatch(deps.jobs, t.id);
  });
  if (everyMinutes > 0) await deps.jobs.boss.schedule(queues.callbackWatchTick, `*/${everyMinutes} * * * *`);
  else await deps.jobs.boss.unschedule(queues.callbackWatchTick);
}
