import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { type ConnectWiseClient, ConnectWiseError } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { RecordType } from '../db/schema.js';
import { mapBounded } from './bounded-map.js';
import { batchFlagsFor } from './cw-record-kind.js';
import { catalogueError } from './error-catalogue.js';
import {
  candidatesOfKind,
  kindsFor,
  type OnboardingCandidate,
  unpostedConditions,
} from './onboarding-sources.js';
import type { RecordStore } from './record-store.js';
import { storedErrorOf } from './stored-error.js';

const recordTypes = ['invoice', 'credit_memo', 'expense', 'procurement', 'adjustment'] as const;

export const onboardingInputSchema = z.object({
  batchPrefix: z
    .string()
    .max(30)
    .regex(/^[^'|]*$/, "must not contain ' or |"),
  cutoffDate: z.iso.date(),
  paymentsFrom: z.iso.date().optional(),
  recordTypes: z.array(z.enum(recordTypes)).min(1),
  dryRun: z.boolean().default(false),
});
export type OnboardingInput = z.output<typeof onboardingInputSchema>;

export interface OnboardingFailure {
  type: RecordType;
  cwId: number;
  number: string;
  code: string;
  message: string;
  hint: string | undefined;
}

/** Batch calls in flight per run: several CW round trips overlap, yet a run never floods one tenant's CW. */
const batchesAtOnce = 4;

const identifierFor = (prefix: string, number: string) => `${prefix}${number}`;

/** Why a candidate cannot be batched, before any call: its own problem or an identifier too long. */
function candidateProblem(candidate: OnboardingCandidate, prefix: string) {
  if (candidate.problem) return catalogueError(candidate.problem.code, candidate.problem.detail);
  const identifier = identifierFor(prefix, candidate.number);
  if (identifier.length > 50) return catalogueError('batch_identifier_too_long', `"${identifier}"`);
  return undefined;
}

const failureOf = (
  candidate: OnboardingCandidate,
  error: { code: string; message: string; hint?: string },
): OnboardingFailure => ({
  type: candidate.type,
  cwId: candidate.cwId,
  number: candidate.number,
  code: error.code,
  message: error.message,
  hint: error.hint,
});

async function* candidatesFor(
  cw: ConnectWiseClient,
  input: OnboardingInput,
): AsyncGenerator<OnboardingCandidate[]> {
  const types = new Set(input.recordTypes);
  for (const kind of kindsFor(types)) yield* candidatesOfKind(cw, kind, input.cutoffDate, types);
}

/** Counts per type and every record that would fail, with reasons; changes nothing anywhere. */
export async function onboardingDryRun(cw: ConnectWiseClient, input: OnboardingInput) {
  const counts: Partial<Record<RecordType, number>> = {};
  const failures: OnboardingFailure[] = [];
  for await (const chunk of candidatesFor(cw, input)) {
    for (const candidate of chunk) {
      counts[candidate.type] = (counts[candidate.type] ?? 0) + 1;
      const problem = candidateProblem(candidate, input.batchPrefix);
      if (problem) failures.push(failureOf(candidate, problem));
    }
  }
  return { dryRun: true as const, counts, failures };
}

/** Same inputs, same run: starting it again is a no-op that answers the existing run. */
export function inputHash(tenantId: string, input: OnboardingInput): string {
  const canonical = JSON.stringify([
    tenantId,
    input.batchPrefix,
    input.cutoffDate,
    input.paymentsFrom ?? null,
    [...input.recordTypes].sort(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export async function createOnboardingRun(
  db: Db,
  tenantId: string,
  input: OnboardingInput,
): Promise<{ id: string; created: boolean }> {
  const hash = inputHash(tenantId, input);
  const inserted = await db
    .insertInto('onboarding_runs')
    .values({ tenant_id: tenantId, inputs: JSON.stringify(input), input_hash: hash })
    .onConflict((oc) => oc.columns(['tenant_id', 'input_hash']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db
    .selectFrom('onboarding_runs')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('input_hash', '=', hash)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export interface OnboardingDeps {
  tenantId: string;
  db: Db;
  records: RecordStore;
  cw: ConnectWiseClient;
}

/**
 * Puts every unposted record through the cutoff into its own batch `{prefix}{number}`, without
 * pushing anything to the ledger. Resumable: batched records leave CW's unposted list, a record
 * that already failed in this run is not counted again, and a record whose batch call had no clear
 * answer is looked up by identifier before anything else is done. With `until`, it stops after the
 * chunk that passes that time and answers 'more': a long run goes in slices, each a job short
 * enough that its expiry can tell a dead worker from a busy one.
 */
export async function runOnboarding(
  deps: OnboardingDeps,
  runId: string,
  options: { until?: number } = {},
): Promise<'done' | 'more'> {
  const run = await deps.db
    .selectFrom('onboarding_runs')
    .selectAll()
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  if (run.state === 'done') return 'done';
  const failedBefore = new Set(
    (run.errors as { type?: string; cwId?: number }[]).map((e) => `${e.type}:${e.cwId}`),
  );
  const input = onboardingInputSchema.parse(run.inputs);
  if (run.state === 'pending') {
    const types = new Set(input.recordTypes);
    let total = 0;
    for (const kind of kindsFor(types))
      total += await deps.cw.countUnposted(kind, unpostedConditions(kind, input.cutoffDate, types));
    await deps.db
      .updateTable('onboarding_runs')
      .set({ state: 'running', total })
      .where('id', '=', runId)
      .execute();
  }
  const actor = `onboarding:${runId.slice(0, 8)}`;

  for await (const chunk of candidatesFor(deps.cw, input)) {
    const fresh = chunk.filter((c) => !failedBefore.has(`${c.type}:${c.cwId}`));
    // Records are independent (each its own batch, its own row); the CW call limiter paces the rest.
    await mapBounded(fresh, batchesAtOnce, async (candidate) => {
      const outcome = await onboardOne(deps, candidate, input.batchPrefix, actor);
      await recordProgress(deps.db, runId, candidate, outcome);
    });
    if (fresh.length > 0 && options.until !== undefined && Date.now() >= options.until) return 'more';
  }
  await deps.db
    .updateTable('onboarding_runs')
    .set({ state: 'done', finished_at: new Date() })
    .where('id', '=', runId)
    .execute();
  return 'done';
}

type Outcome = { ok: true; skipped: boolean } | { ok: false; failure: OnboardingFailure };

async function onboardOne(
  deps: OnboardingDeps,
  candidate: OnboardingCandidate,
  prefix: string,
  actor: string,
): Promise<Outcome> {
  const record = await deps.records.ensure({
    tenantId: deps.tenantId,
    type: candidate.type,
    cwId: candidate.cwId,
  });
  if (record.state === 'onboarded') return { ok: true, skipped: true };
  const problem = candidateProblem(candidate, prefix);
  if (problem) {
    await deps.records.transition(record, {
      to: 'error',
      set: { last_error: JSON.stringify(problem), number: candidate.number },
      actor,
      kind: 'onboarding_failed',
      detail: { code: problem.code },
    });
    return { ok: false, failure: failureOf(candidate, problem) };
  }
  const identifier = identifierFor(prefix, candidate.number);
  // A previous attempt may have created the batch and lost the answer: look before creating.
  const uncertain = record.state === 'exported' && record.cw_batch_identifier === identifier;
  let batchId = uncertain ? (await deps.cw.findBatch(identifier))?.id : undefined;
  const exported = await deps.records.transition(record, {
    to: 'exported',
    set: {
      number: candidate.number,
      record_date: candidate.date || null,
      gl_entry_ids: candidate.glEntryIds,
      cw_batch_identifier: identifier,
      last_error: null,
    },
    actor,
    kind: 'onboarding_exported',
  });
  if (batchId === undefined) {
    try {
      await deps.cw.createBatch({
        batchIdentifier: identifier,
        processedRecordIds: candidate.glEntryIds,
        ...batchFlagsFor(candidate.type),
      });
    } catch (error) {
      const found =
        error instanceof ConnectWiseError && (error.ambiguous || error.code === 'cw_invalid_request')
          ? await deps.cw.findBatch(identifier)
          : null;
      if (!found) {
        const stored = storedErrorOf(error);
        if (stored.retryable) throw error;
        await deps.records.transition(exported, {
          to: 'error',
          set: { last_error: JSON.stringify(stored) },
          actor,
          kind: 'onboarding_failed',
          detail: { code: stored.code },
        });
        return { ok: false, failure: failureOf(candidate, stored) };
      }
      batchId = found.id;
    }
  }
  await deps.records.transition(exported, {
    to: 'onboarded',
    set: batchId === undefined ? {} : { cw_batch_id: String(batchId) },
    actor,
    kind: 'onboarded',
    detail: { batchIdentifier: identifier },
  });
  return { ok: true, skipped: false };
}

async function recordProgress(
  db: Db,
  runId: string,
  candidate: OnboardingCandidate,
  outcome: Outcome,
): Promise<void> {
  if (outcome.ok && outcome.skipped) return;
  const field = outcome.ok ? 'done' : 'failed';
  const typeKey = `{${candidate.type},${field}}`;
  await db
    .updateTable('onboarding_runs')
    .set({
      done: sql`done + ${outcome.ok ? 1 : 0}`,
      failed: sql`failed + ${outcome.ok ? 0 : 1}`,
      by_type: sql`jsonb_set(jsonb_set(by_type, ${`{${candidate.type}}`}::text[], coalesce(by_type -> ${candidate.type}, '{}'::jsonb)), ${typeKey}::text[], to_jsonb(coalesce((by_type #>> ${typeKey}::text[])::int, 0) + 1))`,
      errors: outcome.ok ? sql`errors` : sql`errors || ${JSON.stringify([outcome.failure])}::jsonb`,
    })
    .where('id', '=', runId)
    .execute();
}

/** What the admin tab shows while a run goes: counters, rate and an estimate of the time left. */
export async function onboardingStatus(db: Db, tenantId: string, runId: string) {
  if (!z.uuid().safeParse(runId).success) return undefined;
  const run = await db
    .selectFrom('onboarding_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', runId)
    .executeTakeFirst();
  if (!run) return undefined;
  const end = run.finished_at ? new Date(run.finished_at).getTime() : Date.now();
  const minutes = Math.max((end - new Date(run.started_at).getTime()) / 60_000, 1 / 60);
  const handled = run.done + run.failed;
  const ratePerMinute = Math.round((handled / minutes) * 10) / 10;
  const left = Math.max(run.total - handled, 0);
  return {
    id: run.id,
    state: run.state,
    inputs: run.inputs,
    total: run.total,
    done: run.done,
    failed: run.failed,
    byType: run.by_type,
    ratePerMinute,
    etaSeconds: run.state === 'done' ? 0 : ratePerMinute > 0 ? Math.ceil((left / ratePerMinute) * 60) : null,
    errors: run.errors,
  };
}
