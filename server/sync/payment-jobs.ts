import type { JobQueue } from '../jobs/job-queue.js';
import { syncPaymentsBack } from './payments-back.js';
import { type PaymentsSweepJob, queues } from './queues.js';
import type { RecordJobDeps } from './record-jobs.js';

/** Every minute each active connection's payments are swept; webhooks and the pod ask for more. */
export const paymentsCron = '* * * * *';

export async function createPaymentQueues(jobs: JobQueue): Promise<void> {
  // One sweep per connection at a time, one more waiting: webhooks in a burst collapse into one.
  await jobs.ensureQueue(queues.paymentsSweep, {
    policy: 'stately',
    retryLimit: 8,
    retryDelay: 3,
    retryBackoff: true,
    // A sweep held by a dead worker would stall every connection's sweeps (a stately queue's fetch
    // fails while its head's key is active) for pg-boss's default 15 minutes. Five minutes covers a
    // long first sweep; one that outlives it is safe to run again (each payment is claimed once).
    expireInSeconds: 300,
  });
  await jobs.ensureQueue(queues.paymentsTick, { policy: 'singleton' });
}

export async function requestPaymentsSweep(jobs: JobQueue, job: PaymentsSweepJob): Promise<void> {
  await jobs.send(queues.paymentsSweep, job, { singletonKey: `${job.connectionId}:${job.since ?? ''}` });
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

export async function startPaymentWorkers(deps: RecordJobDeps): Promise<void> {
  await createPaymentQueues(deps.jobs);
  await deps.jobs.work<PaymentsSweepJob>(queues.paymentsSweep, async (job) => {
    const tenant = await deps.tenants.get(job.tenantId);
    const connection = tenant && (await deps.connections.get(tenant.id, job.connectionId));
    if (!tenant || !connection || connection.status !== 'active') return;
    const settings = deps.tenants.settingsOf(tenant);
    const since = job.since ?? (connection.payments_cursor ? undefined : settings.paymentsFrom);
    const result = await syncPaymentsBack(
      {
        db: deps.db,
        records: deps.records,
        cw: deps.connectWise.for(tenant),
        ledger: deps.ledgers.for(connection),
        connection,
      },
      since ? new Date(`${since}T00:00:00Z`) : undefined,
    );
    if (result.seen > 0)
      deps.logger.info({ tenantId: tenant.id, connectionId: connection.id, ...result }, 'payments swept');
  });
  await deps.jobs.work(queues.paymentsTick, async () => {
    await sweepAll(deps);
  });
  await deps.jobs.boss.schedule(queues.paymentsTick, paymentsCron);
}
