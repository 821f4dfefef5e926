import { sql } from 'kysely';
import type { RecordJobDeps } from './deps.js';
import { requestPush } from './requests.js';

/**
 * Long enough that a push job still waiting its turn is not the case at hand (a re-send of one that
 * waits is dropped by its singleton key anyway); short enough that a person does not give up first.
 */
export const staleQueuedAfterMs = 5 * 60_000;
const perTick = 200;

/**
 * Records left `queued` with no job behind them go down the pipeline again. requestPush marks a
 * record queued before it sends the job, so a web process that dies in between (or a send that
 * fails during a database failover) would leave it queued for good, its Sync button disabled while
 * it looks busy. A re-send is harmless: one push job per record at a time, and a push resumes.
 */
export async function resendStaleQueued(
  deps: Pick<RecordJobDeps, 'db' | 'jobs' | 'records'>,
  olderThanMs = staleQueuedAfterMs,
): Promise<number> {
  const stale = await deps.db
    .selectFrom('records')
    .select(['tenant_id', 'type', 'cw_id'])
    .where('state', '=', 'queued')
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
    .orderBy('updated_at')
    .limit(perTick)
    .execute();
  for (const row of stale)
    await requestPush(deps, { tenantId: row.tenant_id, type: row.type, cwId: Number(row.cw_id) }, 'recovery');
  return stale.length;
}
