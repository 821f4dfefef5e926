import { type RequestHandler, Router } from 'express';
import { sql } from 'kysely';
import type { Health } from '../../contract/health.js';
import type { Sendable } from '../../contract/json.js';
import { requireRole, requireSession, sessionOf } from '../auth/require-session.js';
import type { SessionTokens } from '../auth/session-token.js';
import type { Db } from '../db/database.js';
import { ledgerKeyOf } from '../jobs/budget-guards.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { callbackHealth, connectionHealth } from '../ledgers/connections/connection-health.js';
import type { ConnectionStore } from '../ledgers/connections/connection-store.js';
import { ledgerProviderOf } from '../ledgers/providers.js';
import { decideBudget } from '../outbound/metering/budget-guard.js';
import {
  type BudgetUse,
  budgetProblems,
  budgetsOf,
  budgetUse,
  usageKeysFor,
} from '../outbound/metering/budgets.js';
import { readUsage } from '../outbound/metering/usage.js';
import { requestCallbackWatch } from '../pipeline/callback-watchdog.js';
import { type BudgetTiers, publishedBudgetTiers } from '../shared/config.js';
import { cwLimiterKey } from '../tenants/tenant-connectwise.js';

/**
 * GET /api/v1/admin/health: each ledger connection's token, webhooks and payments check, and the
 * ConnectWise callback's health, each problem with its fix (connection-health.ts).
 * POST /api/v1/admin/health/callback-check: a watchdog pass for the tenant now (the fix for a
 * callback problem). Admins only; a tenant sees only its own rows.
 */
export function healthAdminRoutes(deps: {
  db: Db;
  jobs: JobQueue;
  tokens: SessionTokens;
  connections: Pick<ConnectionStore, 'list'>;
  watchMinutes: number;
  /** The configured tiers (config.budgets); the published ones when not given. */
  tiers?: BudgetTiers;
}): Router {
  const tiers = deps.tiers ?? publishedBudgetTiers;
  const router = Router();
  const admin: RequestHandler[] = [requireSession(deps.tokens), requireRole('admin')];

  router.get('/api/v1/admin/health', ...admin, async (req, res) => {
    const { tenantId } = sessionOf(req);
    const now = new Date();
    const [connections, watch, received] = await Promise.all([
      deps.connections.list(tenantId),
      deps.db
        .selectFrom('connectwise_callback_watch')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),
      deps.db
        .selectFrom('connectwise_callback_inbox')
        .select([
          sql<Date | null>`max(received_at)`.as('last'),
          sql<string>`count(*) filter (where received_at > now() - interval '1 day')`.as('lastDay'),
        ])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),
    ]);
    // Ledger webhook event ids start with the company's id (realm / Xero tenant): ledger-webhook-routes.ts.
    const webhooks = await Promise.all(
      connections.map((c) =>
        deps.db
          .selectFrom('webhook_events')
          .select(sql<Date | null>`max(received_at)`.as('last'))
          .where('provider', '=', c.kind)
          .where('event_id', 'like', `${c.external_id.replace(/[\\%_]/g, '\\$&')}:%`)
          .executeTakeFirst(),
      ),
    );
    const cwKey = cwLimiterKey(tenantId);
    const usage = await readUsage(deps.db, usageKeysFor([cwKey, ...connections.map(ledgerKeyOf)]), now);
    /** Each budget of a key with its use; the one background work waits on, if any, says until when. */
    const usesOf = (key: string): BudgetUse[] =>
      budgetsOf(key, usage, tiers).map((b) => {
        const decision = decideBudget({ work: 'refresh', budgets: [b], now, deferAt: tiers.deferAt });
        return budgetUse(b, decision.action === 'defer' ? decision.until : undefined);
      });
    const cwBudgets = usesOf(cwKey);
    const ledgerBudgets = (c: (typeof connections)[number]) => ({
      budgets: usesOf(ledgerKeyOf(c)),
      // A provider that meters only reads (Intuit): its writes are shown, never capped.
      ...(ledgerProviderOf(c.kind).unmeteredWrites
        ? { writesThisMonth: usage.get(ledgerKeyOf(c))?.month_write ?? 0 }
        : {}),
    });
    res.json({
      connectwise: { budgets: cwBudgets, problems: budgetProblems(cwBudgets) },
      callback: callbackHealth(
        {
          watch: watch && {
            state: watch.state,
            checkedAt: new Date(watch.checked_at),
            repairedAt: watch.repaired_at && new Date(watch.repaired_at),
            repairedProblem: watch.repaired_problem,
            backfilledCount: watch.backfilled_count,
            lastError: watch.last_error,
          },
          lastCallbackAt: received?.last ? new Date(received.last) : null,
          callbacksLastDay: Number(received?.lastDay ?? 0),
          watchMinutes: deps.watchMinutes,
        },
        now,
      ),
      connections: connections.map((c, i) => {
        const health = connectionHealth(
          {
            id: c.id,
            kind: c.kind,
            name: c.name,
            status: c.status,
            statusReason: c.status_reason,
            accessExpiresAt: new Date(c.access_expires_at),
            lastWebhookAt: webhooks[i]?.last ? new Date(webhooks[i].last) : null,
            paymentsCheckedThrough: c.payments_cursor && new Date(c.payments_cursor),
          },
          now,
        );
        const budgets = ledgerBudgets(c);
        return { ...health, ...budgets, problems: [...health.problems, ...budgetProblems(budgets.budgets)] };
      }),
    } satisfies Sendable<Health>);
  });

  router.post('/api/v1/admin/health/callback-check', ...admin, async (req, res) => {
    await requestCallbackWatch(deps.jobs, sessionOf(req).tenantId);
    res.status(202).json({ queued: true });
  });
  return router;
}
