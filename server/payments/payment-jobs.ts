import { sql } from 'kysely';
import type { LedgerConnection, Tenant } from '../db/schema.js';
import type { JobQueue } from '../jobs/job-queue.js';
import {
  createQueues,
  jobHeartbeatSeconds,
  type PaymentsEventJob,
  type PaymentsSweepJob,
  queues,
} from '../jobs/queues.js';
import { requestDriftCheck } from '../jobs/request-drift-check.js';
import type { RecordJobDeps } from '../pipeline/deps.js';
import { openStateList } from '../records/record-states.js';
import { type PaymentsBackDeps, syncNamedPayments, syncPaymentsBack } from './payments-back.js';
import { paymentsCheck } from './payments-schedule.js';

/**
 * Every minute the schedule is asked which connections are due a full payments check (QBO CDC,
 * Xero poll; payments-schedule.ts); webhooks trigger targeted reads and the pod asks for sweeps.
 */
export const paymentsCron = '* * * * *';

export async function requestPaymentsSweep(jobs: JobQueue, job: PaymentsSweepJob): Promise<void> {
  await jobs.send(queues.paymentsSweep, job, { singletonKey: `${job.connectionId}:${job.since ?? ''}` });
}

export async function requestPaymentsEvent(jobs: JobQueue, job: PaymentsEventJob): Promise<void> {
  // The operation is part of the key: an invoice's CREATE event still waiting (which reads nothing)
  // would otherwise swallow the UPDATE that a payment sends right after it, and the payment would
  // wait for the next full check.
  await jobs.send(queues.paymentsEvent, job, {
    singletonKey: `${job.connectionId}:${job.entity}:${job.entityId}:${job.operation}`,
  });
}

/** Sweeps for every active connection of a tenant (or of all tenants). */
export async function sweepAll(
  deps: Pick<RecordJobDeps, 'db' | 'jobs'>,
  tenantId?: string,
  since?: string,
): Promise<number> {
  let query = deps.db
    .selectFrom('ledger_connections')
    .select(['id', 'tenant_id'])
    .where('status', '=', 'active');
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  const connections = await query.execute();
  for (const c of connections)
    await requestPaymentsSweep(deps.jobs, {
      tenantId: c.tenant_id,
      connectionId: c.id,
      ...(since ? { since } : {}),
    });
  return connections.length;
}

/**
 * One pass of the schedule: each active connection's activity read in one query, the due ones
 * swept. Answers what it asked for, by reason (the tests and the log read it).
 */
export async function checkDuePayments(
  deps: Pick<RecordJobDeps, 'db' | 'jobs'>,
  options: { now?: Date; startUp?: boolean } = {},
): Promise<{ connectionId: string; reason: string }[]> {
  const now = options.now ?? new Date();
  const rows = await deps.db
    .selectFrom('ledger_connections as c')
    .select([
      'c.id',
      'c.tenant_id',
      'c.kind',
      'c.payments_checked_at',
      'c.ledger_event_at',
      sql<string>`(select count(*) from records r where r.connection_id = c.id and r.type = 'invoice'
        and r.state in (${sql.join(openStateList)}) and r.ledger_id is not null)`.as('open_documents'),
      sql<Date | null>`(select max(p.created_at) from payments p where p.connection_id = c.id)`.as(
        'last_paid_at',
      ),
    ])
    .where('c.status', '=', 'active')
    .execute();
  const date = (t: Date | string | null) => (t === null ? undefined : new Date(t));
  const due: { connectionId: string; reason: string }[] = [];
  for (const row of rows) {
    const check = paymentsCheck({
      kind: row.kind,
      now,
      lastCheckedAt: date(row.payments_checked_at),
      lastEventAt: date(row.ledger_event_at),
      lastPaidAt: date(row.last_paid_at),
      openDocuments: Number(row.open_documents),
      startUp: options.startUp === true,
    });
    if (!check.due) continue;
    due.push({ connectionId: row.id, reason: check.reason });
    await requestPaymentsSweep(deps.jobs, { tenantId: row.tenant_id, connectionId: row.id });
  }
  return due;
}

/** What the payments code needs for one active connection, or undefined when there is none. */
export async function paymentsDepsFor(
  deps: RecordJobDeps,
  job: { tenantId: string; connectionId: string },
): Promise<{ back: PaymentsBackDeps; tenant: Tenant; connection: LedgerConnection } | undefined> {
  const tenant = await deps.tenants.get(job.tenantId);
  const connection = tenant && (await deps.connections.get(tenant.id, job.connectionId));
  if (!tenant || !connection || connection.status !== 'active') return undefined;
  const settings = deps.tenants.settingsOf(tenant);
  return {
    tenant,
    connection,
    back: {
      db: deps.db,
      records: deps.records,
      cw: deps.connectWise.for(tenant),
      ledger: deps.ledgers.for(connection),
      connection,
      paymentsPerInvoice: settings.cwPaymentsPerInvoice,
      // A payment written or removed: the record's drift check follows (server/reconcile/).
      afterChange: (record) =>
        requestDriftCheck(deps.jobs, {
          tenantId: record.tenant_id,
          type: record.type,
          cwId: Number(record.cw_id),
          reason: 'event',
        }),
    },
  };
}

/**
 * `everyMinutes` 0 turns the schedule off (no minute pass, no start-up pass): tests that run a pass
 * themselves set it. Webhook events and asked-for sweeps are worked either way.
 *
 * Events and sweeps run `concurrency` at a time (WORKER_CONCURRENCY, as pushes do): one at a time,
 * a hundred tenants' payments queued behind each other and took minutes to reach ConnectWise
 * (bench/quota.ts). Two jobs writing the same payment are safe: each write holds the payment row's
 * claim (payments-back.ts claimPayment), and one job per entity and operation is queued at once.
 */
export async function startPaymentWorkers(
  deps: RecordJobDeps,
  everyMinutes = 1,
  options: { concurrency?: number } = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 4;
  await createQueues(deps.jobs);
  // A connection removed while its job ran (its tenant deleted, the demo made afresh) has nothing
  // left to read: that is no failure to retry or to log.
  const unlessRemoved = (tenantId: string, connectionId: string) => async (error: unknown) => {
    if (!(await deps.connections.get(tenantId, connectionId))) return undefined;
    throw error;
  };
  await deps.jobs.work<PaymentsSweepJob>(
    queues.paymentsSweep,
    async (job) => {
      const found = await paymentsDepsFor(deps, job);
      if (!found) return;
      const { tenant, connection } = found;
      const since =
        job.since ?? (connection.payments_cursor ? undefined : deps.tenants.settingsOf(tenant).paymentsFrom);
      const result = await syncPaymentsBack(
        found.back,
        since ? new Date(`${since}T00:00:00Z`) : undefined,
      ).catch(unlessRemoved(tenant.id, connection.id));
      if (result && result.seen > 0)
        deps.logger.info({ tenantId: tenant.id, connectionId: connection.id, ...result }, 'payments swept');
    },
    { heartbeatSeconds: jobHeartbeatSeconds, concurrency },
  );
  await deps.jobs.work<PaymentsEventJob>(
    queues.paymentsEvent,
    async (job) => {
      const found = await paymentsDepsFor(deps, job);
      if (!found) return;
      const result = await syncNamedPayments(found.back, {
        entity: job.entity,
        id: job.entityId,
        operation: job.operation,
      }).catch(unlessRemoved(job.tenantId, job.connectionId));
      if (result && (result.written > 0 || result.deleted > 0))
        deps.logger.info(
          { tenantId: job.tenantId, connectionId: job.connectionId, entity: job.entity, ...result },
          'payments read from a webhook event',
        );
    },
    { heartbeatSeconds: jobHeartbeatSeconds, concurrency },
  );
  if (everyMinutes <= 0) {
    await deps.jobs.boss.unschedule(queues.paymentsTick);
    return;
  }
  await deps.jobs.work(queues.paymentsTick, async () => {
    await checkDuePayments(deps);
  });
  await deps.jobs.boss.schedule(
    queues.paymentsTick,
    everyMinutes === 1 ? paymentsCron : `*/${everyMinutes} * * * *`,
  );
  // Start-up: webhooks sent while no process listened are lost to us; CDC (and Xero's poll, where
  // documents are open) closes that gap once.
  const due = await checkDuePayments(deps, { startUp: true });
  if (due.length > 0) deps.logger.info({ connections: due.length }, 'payments checked at start-up');
}
