import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { RecordRow } from '../db/schema.js';

/*
 * Onboarded history (issue 14): what onboarding batched without posting, or treats as already in the
 * books by its cutoff, must never reach the books by accident. The rules the pipeline and the routes
 * share live here.
 */

/** A record onboarding touched and no ledger document books: fixing it onboards it again, never pushes. */
export const isOnboardedHistory = (record: Pick<RecordRow, 'onboarding_run_id' | 'ledger_id'>) =>
  record.onboarding_run_id !== null && record.ledger_id === null;

/** Whether a record dated `date` counts as history, on or before `cutoff`. Pure. */
export const datedBeforeCutoff = (date: string | null | undefined, cutoff: string | undefined) =>
  Boolean(cutoff && date && date.slice(0, 10) <= cutoff);

/** The tenant's onboarding cutoff (the latest of its runs' cutoffs); undefined while it never onboarded. */
export async function onboardingCutoff(db: Db, tenantId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('onboarding_runs')
    .select(sql<string | null>`max(inputs ->> 'cutoffDate')`.as('cutoff'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row?.cutoff ?? undefined;
}
