import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { createQueues, queues, type RefreshRecordJob, refreshSingletonKey } from '../jobs/queues.js';
import type { TenantStore } from '../tenants/tenant-store.js';

/** A verified ConnectWise callback, as the route stores it before answering. */
export interface ReceivedCallback {
  tenantId: string;
  messageId: string;
  type: string;
  action: string;
  entityId: number;
}

/** How long a processed callback is kept: the replay guard and the admin tab's "last callback". */
const keepProcessedDays = 7;
const drainBatch = 200;

/**
 * One insert, on a table nothing else locks (migration 0019): the whole of what the route does with
 * the database after verifying, so the answer ConnectWise waits for (5 s, domain.md §8) does not
 * wait on records or the job queue. `replay` when the message was stored before.
 */
export async function storeCallback(db: Db, callback: ReceivedCallback): Promise<'stored' | 'replay'> {
  const row = await db
    .insertInto('connectwise_callback_inbox')
    .values({
      tenant_id: callback.tenantId,
      message_id: callback.messageId,
      type: callback.type,
      action: callback.action,
      entity_id: callback.entityId,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? 'stored' : 'replay';
}

/** Drains now rather than at the next minute; several kicks while one waits collapse into it. */
export async function kickCallbackDrain(jobs: JobQueue): Promise<void> {
  await jobs.send(queues.callbackInbox, { kick: true });
}

export interface DrainDeps {
  db: Db;
  jobs: JobQueue;
  tenants: Pick<TenantStore, 'get' | 'settingsOf'>;
}

/** A claim older than this belongs to a drain that died: its rows are claimed again. */
const claimLeaseSeconds = 60;

/**
 * Turns stored callbacks into the work they ask for: an invoice added or updated is re-read (and
 * pushed when the tenant syncs on close and it is closed). Rows are claimed in one statement with
 * SKIP LOCKED, so two drains never take the same one, and marked processed once their refreshes
 * are queued; a drain that dies in between leaves its claim to run out and the rows are queued
 * again, which is harmless (one refresh per record at a time, and a refresh only reads). No
 * transaction spans the job queue's inserts: the embedded database runs one session, where a
 * transaction held open across them would wait on itself.
 */
export async function drainCallbackInbox(deps: DrainDeps): Promise<number> {
  let drained = 0;
  const settings = new Map<string, boolean | undefined>();
  const syncOnCloseOf = async (tenantId: string) => {
    if (!settings.has(tenantId)) {
      const tenant = await deps.tenants.get(tenantId);
      settings.set(tenantId, tenant ? deps.tenants.settingsOf(tenant).syncOnClose : undefined);
    }
    return settings.get(tenantId);
  };
  for (;;) {
    const claimed = await sql<{
      id: string;
      tenant_id: string;
      type: string;
      action: string;
      entity_id: string;
    }>`
      update connectwise_callback_inbox set claimed_at = now()
      where id in (
        select id from connectwise_callback_inbox
        where processed_at is null
          and (claimed_at is null or claimed_at < now() - make_interval(secs => ${claimLeaseSeconds}))
        order by id limit ${drainBatch}
        for update skip locked)
      returning id, tenant_id, type, action, entity_id`.execute(deps.db);
    const rows = claimed.rows;
    for (const row of rows) {
      if (row.type.toLowerCase() !== 'invoice' || row.action === 'deleted') continue;
      const syncIfClosed = await syncOnCloseOf(row.tenant_id);
      if (syncIfClosed === undefined) continue;
      const job: RefreshRecordJob = {
        tenantId: row.tenant_id,
        type: 'invoice',
        cwId: Number(row.entity_id),
        reason: 'callback',
        syncIfClosed,
      };
      await deps.jobs.send(queues.refreshRecord, job, { singletonKey: refreshSingletonKey(job) });
    }
    if (rows.length > 0)
      await deps.db
        .updateTable('connectwise_callback_inbox')
        .set({ processed_at: new Date() })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    drained += rows.length;
    if (rows.length < drainBatch) return drained;
  }
}

/** Processed callbacks older than the replay window go; run from the minute schedule. */
export async function pruneCallbackInbox(db: Db): Promise<void> {
  await db
    .deleteFrom('connectwise_callback_inbox')
    .where('processed_at', '<', new Date(Date.now() - keepProcessedDays * 86_400_000))
    .execute();
}

export async function startCallbackInboxWorker(deps: DrainDeps): Promise<void> {
  await createQueues(deps.jobs);
  await deps.jobs.work<{ kick?: boolean }>(queues.callbackInbox, async (data) => {
    await drainCallbackInbox(deps);
    if (!data.kick) await pruneCallbackInbox(deps.db);
  });
  // The minute schedule drains what a lost kick (the job queue busy when the route answered) left.
  await deps.jobs.boss.schedule(queues.callbackInbox, '* * * * *', {});
}
