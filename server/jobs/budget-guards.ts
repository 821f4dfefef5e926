import type { Db } from '../db/database.js';
import { decideBudget, type WorkKind } from '../outbound/metering/budget-guard.js';
import { budgetsOf, usageKeysFor } from '../outbound/metering/budgets.js';
import { readUsage } from '../outbound/metering/usage.js';
import type { BudgetTiers } from '../shared/config.js';
import { cwLimiterKey } from '../tenants/tenant-connectwise.js';
import type { JobGuard, JobQueue } from './job-queue.js';
import {
  type DriftCheckJob,
  type PaymentsEventJob,
  type PaymentsSweepJob,
  queues,
  type RefreshRecordJob,
  type SweepJob,
} from './queues.js';

export interface BudgetGuardDeps {
  db: Db;
  jobs: JobQueue;
  tiers: BudgetTiers;
  now?: () => Date;
}

/** The metered key of a ledger connection: the call limiter's (ledger-registry.ts). */
export const ledgerKeyOf = (c: { kind: string; external_id: string }) => `${c.kind}:${c.external_id}`;

/**
 * The budget guard where background jobs start: record refreshes, unposted sweeps and discovery,
 * payment polls and webhook reads, drift checks and the callback watchdog each ask decideBudget against the budgets they spend
 * (the tenant's ConnectWise minute and its ledger connections' caps) and are rescheduled, never
 * dropped, when a connection nears its cap. Pushes and onboarding (a person started them) are not
 * guarded: they always go first. A refresh or sweep a member asked for is foreground too.
 */
export function guardBackgroundJobs(deps: BudgetGuardDeps): void {
  const now = deps.now ?? (() => new Date());

  async function verdict(work: WorkKind, keys: string[]) {
    const at = now();
    const usage = await readUsage(deps.db, usageKeysFor(keys), at);
    const decision = decideBudget({
      work,
      budgets: keys.flatMap((k) => budgetsOf(k, usage, deps.tiers)),
      now: at,
      deferAt: deps.tiers.deferAt,
    });
    if (decision.action === 'run') return undefined;
    const b = decision.budget;
    return {
      deferUntil: decision.until,
      reason: `${work}: ${b.label} ${b.used} of ${b.cap} (${b.key}) is near its cap`,
    };
  }

  /** The tenant's ConnectWise key and its active ledger connections' keys (or only `connectionId`'s). */
  async function keysOf(tenantId: string, connectionId?: string): Promise<string[]> {
    let query = deps.db
      .selectFrom('ledger_connections')
      .select(['kind', 'external_id'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active');
    if (connectionId) query = query.where('id', '=', connectionId);
    return [cwLimiterKey(tenantId), ...(await query.execute()).map(ledgerKeyOf)];
  }

  const guard = <T extends object>(queue: string, check: JobGuard<T>) => deps.jobs.guard(queue, check);
  guard<RefreshRecordJob>(queues.refreshRecord, async (job) =>
    verdict(job.reason === 'manual' ? 'manual' : 'refresh', await keysOf(job.tenantId)),
  );
  guard<PaymentsSweepJob>(queues.paymentsSweep, async (job) =>
    verdict('payment_poll', await keysOf(job.tenantId, job.connectionId)),
  );
  // A webhook's targeted read gives way too, but last of the background work (ceilingShareOf).
  guard<PaymentsEventJob>(queues.paymentsEvent, async (job) =>
    verdict('payment_event', await keysOf(job.tenantId, job.connectionId)),
  );
  guard<SweepJob>(queues.unpostedSweep, async (job) =>
    verdict(job.actor === 'schedule' ? 'sweep' : 'manual', await keysOf(job.tenantId)),
  );
  guard<{ tenantId: string }>(queues.unpostedDiscover, async (job) =>
    verdict('sweep', [cwLimiterKey(job.tenantId)]),
  );
  // The drift check (server/reconcile/): after events and in the rolling pass it gives way near a
  // cap; one a member asked for runs.
  guard<DriftCheckJob>(queues.driftCheck, async (job) =>
    verdict(job.reason === 'manual' ? 'manual' : 'drift_check', await keysOf(job.tenantId)),
  );
  guard<{ tenantId: string }>(queues.callbackWatch, async (job) =>
    verdict('drift_check', [cwLimiterKey(job.tenantId)]),
  );
}
