import { createHash } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { type ConnectWiseClient, ConnectWiseError } from '../connectwise/index.js';
import type { Db } from '../db/database.js';
import type { OnboardingRunsTable, RecordRow, RecordType, StoredError } from '../db/schema.js';
import { asOnboardingFailure, catalogueError } from '../records/error-catalogue.js';
import { recordKinds, recordTypes, typeFamily } from '../records/record-kinds.js';
import type { RecordStore } from '../records/record-store.js';
import { storedErrorOf } from '../records/stored-error.js';
import { mapBounded } from '../shared/bounded-map.js';
import {
  candidatesOfKind,
  kindsFor,
  type OnboardingCandidate,
  unpostedConditions,
} from './onboarding-sources.js';

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
function candidateProblem(candidate: OnboardingCandidate, prefix: string): StoredError | undefined {
  if (candidate.problem)
    return asOnboardingFailure(catalogueError(candidate.problem.code, candidate.problem.detail));
  const identifier = identifierFor(prefix, candidate.number);
  if (identifier.length > 50)
    return asOnboardingFailure(catalogueError('batch_identifier_too_long', `"${identifier}"`));
  return undefined;
}

/** The columns an onboarded record keeps from CW's unposted list: amounts, company and date. */
const candidateColumns = (candidate: OnboardingCandidate, record: RecordRow) =>
  recordKinds[candidate.type].unpostedColumns(candidate.unposted, record, candidate.number);

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
  startedBy = '',
): Promise<{ id: string; created: boolean }> {
  const hash = inputHash(tenantId, input);
  const inserted = await db
    .insertInto('onboarding_runs')
    .values({ tenant_id: tenantId, inputs: JSON.stringify(input), input_hash: hash, started_by: startedBy })
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

/** What onboarding one record needs to know of its run. */
interface RunContext {
  runId: string;
  prefix: string;
  actor: string;
}

const runActor = (runId: string) => `onboarding:${runId.slice(0, 8)}`;

/**
 * Puts every unposted record through the cutoff into its own batch `{prefix}{number}`, without
 * pushing anything to the ledger. Resumable: batched records leave CW's unposted list, a record
 * that already failed in this run is not counted again, and a record whose batch call had no clear
 * answer is looked up by identifier before anything else is done. With `until`, it stops once that
 * time has passed (checked every few records) and answers 'more': a long run goes in slices, each a
 * job short enough that its expiry can tell a dead worker from a busy one. Before it answers 'done',
 * every record of the run is reconciled with CW (reconcileRun), so a worker killed between a batch
 * and its record's update leaves no record `exported` and no count short.
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
  const ctx: RunContext = { runId, prefix: input.batchPrefix, actor: runActor(runId) };
  const pastDeadline = () => options.until !== undefined && Date.now() >= options.until;

  for await (const chunk of candidatesFor(deps.cw, input)) {
    const fresh = chunk.filter((c) => !failedBefore.has(`${c.type}:${c.cwId}`));
    // A few records at a time, so a slice ends soon after its deadline whatever the chunk's size;
    // each slice does at least one group, so a run always moves on.
    for (let i = 0; i < fresh.length; i += batchesAtOnce) {
      // Records are independent (each its own batch, its own row); the CW call limiter paces the rest.
      await mapBounded(fresh.slice(i, i + batchesAtOnce), batchesAtOnce, async (candidate) => {
        const outcome = await onboardOne(deps, candidate, ctx);
        await recordProgress(deps.db, runId, candidate, outcome);
      });
      if (pastDeadline()) return 'more';
    }
  }
  await reconcileRun(deps, ctx, input);
  await finishRun(deps.db, runId);
  return 'done';
}

type Outcome = { ok: true; skipped: boolean } | { ok: false; failure: OnboardingFailure };

async function onboardOne(
  deps: OnboardingDeps,
  candidate: OnboardingCandidate,
  ctx: RunContext,
): Promise<Outcome> {
  const { actor } = ctx;
  const record = await deps.records.ensure({
    tenantId: deps.tenantId,
    type: candidate.type,
    cwId: candidate.cwId,
  });
  if (record.state === 'onboarded') return { ok: true, skipped: true };
  const columns = { ...candidateColumns(candidate, record), onboarding_run_id: ctx.runId };
  const problem = candidateProblem(candidate, ctx.prefix);
  if (problem) {
    await deps.records.transition(record, {
      to: 'error',
      set: { ...columns, last_error: JSON.stringify(problem) },
      actor,
      kind: 'onboarding_failed',
      detail: { code: problem.code },
    });
    return { ok: false, failure: failureOf(candidate, problem) };
  }
  const identifier = identifierFor(ctx.prefix, candidate.number);
  // A previous attempt may have created the batch and lost the answer: look before creating.
  const uncertain = record.state === 'exported' && record.cw_batch_identifier === identifier;
  let batchId = uncertain ? (await deps.cw.findBatch(identifier))?.id : undefined;
  // Only from the state read: of two runs of one slice (a job that outlived its expiry), one batches.
  const exported = await deps.records.transitionIf(record, [record.state], {
    to: 'exported',
    set: {
      ...columns,
      gl_entry_ids: candidate.glEntryIds,
      cw_batch_identifier: identifier,
      last_error: null,
    },
    actor,
    kind: 'onboarding_exported',
  });
  if (!exported) return { ok: true, skipped: true };
  if (batchId === undefined) {
    try {
      await deps.cw.createBatch({
        batchIdentifier: identifier,
        processedRecordIds: candidate.glEntryIds,
        ...recordKinds[candidate.type].batchFlags,
      });
    } catch (error) {
      // CW refuses a batch identifier already used: the batch may be ours, made by a lost call.
      const found =
        error instanceof ConnectWiseError && (error.ambiguous || error.code === 'cw_invalid_request')
          ? await deps.cw.findBatch(identifier)
          : null;
      if (!found) {
        const stored = asOnboardingFailure(storedErrorOf(error));
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
  await markOnboarded(deps, exported, batchId, identifier, actor);
  return { ok: true, skipped: false };
}

const markOnboarded = (
  deps: OnboardingDeps,
  record: RecordRow,
  batchId: number | undefined,
  identifier: string,
  actor: string,
) =>
  deps.records.transition(record, {
    to: 'onboarded',
    set: batchId === undefined ? {} : { cw_batch_id: String(batchId) },
    actor,
    kind: 'onboarded',
    detail: { batchIdentifier: identifier },
  });

/**
 * Every record the run left between its batch call and its answer (`exported`: a worker killed
 * there, whose record has since left CW's unposted list) is settled by asking CW: a batch under
 * its identifier means onboarded; none while CW still lists it unposted means batch it now; none
 * and not listed is a failure with its reason. Throws (so the slice is retried) while CW cannot say.
 */
async function reconcileRun(deps: OnboardingDeps, ctx: RunContext, input: OnboardingInput): Promise<void> {
  const unresolved = await deps.db
    .selectFrom('records')
    .selectAll()
    .where('tenant_id', '=', deps.tenantId)
    .where('onboarding_run_id', '=', ctx.runId)
    .where('state', '=', 'exported')
    .execute();
  for (const record of unresolved) {
    const identifier = record.cw_batch_identifier ?? identifierFor(ctx.prefix, record.number);
    const batch = await deps.cw.findBatch(identifier);
    if (batch) {
      await markOnboarded(deps, record, batch.id, identifier, ctx.actor);
      continue;
    }
    const candidate = await candidateFor(deps.cw, record, input.cutoffDate);
    const outcome = candidate
      ? await onboardOne(deps, candidate, ctx)
      : await failNotUnposted(deps, record, ctx.actor);
    if (!outcome.ok) await recordProgress(deps.db, ctx.runId, undefined, outcome);
  }
}

async function failNotUnposted(deps: OnboardingDeps, record: RecordRow, actor: string): Promise<Outcome> {
  const label = `${record.type.replace('_', ' ')} ${record.number || record.cw_id}`;
  const stored = asOnboardingFailure(catalogueError('not_unposted', label));
  await deps.records.transition(record, {
    to: 'error',
    set: { last_error: JSON.stringify(stored) },
    actor,
    kind: 'onboarding_failed',
    detail: { code: stored.code },
  });
  return {
    ok: false,
    failure: {
      type: record.type,
      cwId: Number(record.cw_id),
      number: record.number,
      code: stored.code,
      message: stored.message,
      hint: stored.hint,
    },
  };
}

/** One record's onboarding candidate as CW lists it now, or undefined when CW no longer lists it unposted. */
async function candidateFor(
  cw: ConnectWiseClient,
  record: RecordRow,
  cutoffDate: string,
): Promise<OnboardingCandidate | undefined> {
  const types = new Set(typeFamily(record.type));
  for await (const chunk of candidatesOfKind(
    cw,
    recordKinds[record.type].unposted,
    cutoffDate,
    types,
    Number(record.cw_id),
  )) {
    const found = chunk.find((c) => c.cwId === Number(record.cw_id));
    if (found) return found;
  }
  return undefined;
}

/**
 * Counts the run's outcome from the records themselves: a worker killed between a record's step and
 * the run's counter leaves the counter short, never the records.
 */
async function finishRun(db: Db, runId: string): Promise<void> {
  const rows = await db
    .selectFrom('records')
    .select(['type', (eb) => eb.fn.countAll<string>().as('n')])
    .where('onboarding_run_id', '=', runId)
    .where('state', '=', 'onboarded')
    .groupBy('type')
    .execute();
  const run = await db
    .selectFrom('onboarding_runs')
    .select('errors')
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  // One failure per record: a record failed again after a retried slice is listed once.
  const failures = [
    ...new Map((run.errors as OnboardingFailure[]).map((f) => [`${f.type}:${f.cwId}`, f])).values(),
  ];
  const byType: Record<string, { done?: number; failed?: number }> = {};
  for (const row of rows) byType[row.type] = { done: Number(row.n) };
  for (const f of failures) byType[f.type] = { ...byType[f.type], failed: (byType[f.type]?.failed ?? 0) + 1 };
  await db
    .updateTable('onboarding_runs')
    .set({
      state: 'done',
      finished_at: new Date(),
      done: rows.reduce((sum, r) => sum + Number(r.n), 0),
      failed: failures.length,
      by_type: JSON.stringify(byType),
      errors: JSON.stringify(failures),
    })
    .where('id', '=', runId)
    .execute();
}

async function recordProgress(
  db: Db,
  runId: string,
  candidate: Pick<OnboardingCandidate, 'type'> | undefined,
  outcome: Outcome,
): Promise<void> {
  if (outcome.ok && outcome.skipped) return;
  const type = candidate?.type ?? (outcome.ok ? undefined : outcome.failure.type);
  if (!type) return;
  const field = outcome.ok ? 'done' : 'failed';
  const typeKey = `{${type},${field}}`;
  await db
    .updateTable('onboarding_runs')
    .set({
      done: sql`done + ${outcome.ok ? 1 : 0}`,
      failed: sql`failed + ${outcome.ok ? 0 : 1}`,
      by_type: sql`jsonb_set(jsonb_set(by_type, ${`{${type}}`}::text[], coalesce(by_type -> ${type}, '{}'::jsonb)), ${typeKey}::text[], to_jsonb(coalesce((by_type #>> ${typeKey}::text[])::int, 0) + 1))`,
      errors: outcome.ok ? sql`errors` : sql`errors || ${JSON.stringify([outcome.failure])}::jsonb`,
    })
    .where('id', '=', runId)
    .execute();
}

/**
 * Onboards one record again after its onboarding failed and was fixed: its own batch with its
 * run's prefix, never a ledger document. The record push job calls this for onboarded history
 * (isOnboardedHistory), so a Retry, a callback or a sweep never pushes it to the books.
 */
export async function onboardAgain(
  deps: OnboardingDeps,
  record: RecordRow,
  actor: string,
): Promise<RecordRow> {
  const run = await deps.db
    .selectFrom('onboarding_runs')
    .selectAll()
    .where('tenant_id', '=', deps.tenantId)
    .$if(record.onboarding_run_id !== null, (q) => q.where('id', '=', record.onboarding_run_id!))
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!run) throw new Error(`record ${record.id} has no onboarding run to onboard it again with`);
  const input = onboardingInputSchema.parse(run.inputs);
  const ctx: RunContext = { runId: run.id, prefix: input.batchPrefix, actor };
  const identifier = identifierFor(ctx.prefix, record.number);
  const candidate = await candidateFor(deps.cw, record, input.cutoffDate);
  if (!candidate) {
    // Not unposted any more: batched by a lost answer of an earlier try, or moved on in CW.
    const batch = record.number ? await deps.cw.findBatch(identifier) : null;
    if (batch) return markOnboarded(deps, record, batch.id, identifier, actor);
    await failNotUnposted(deps, record, actor);
  } else await onboardOne(deps, candidate, ctx);
  return (await deps.records.get({
    tenantId: deps.tenantId,
    type: record.type,
    cwId: Number(record.cw_id),
  }))!;
}

const seconds = (from: Date | string, to: Date | string | null) =>
  Math.max(0, Math.round(((to ? new Date(to).getTime() : Date.now()) - new Date(from).getTime()) / 1000));

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
  // Each failure with where its record stands now: fixed ones show onboarded when re-opened later.
  const now = await db
    .selectFrom('records')
    .select(['type', 'cw_id', 'state'])
    .where('tenant_id', '=', tenantId)
    .where('onboarding_run_id', '=', runId)
    .where('state', '!=', 'onboarded')
    .execute();
  const stateOf = new Map(now.map((r) => [`${r.type}:${r.cw_id}`, r.state]));
  return {
    ...runSummary(run),
    byType: run.by_type,
    ratePerMinute,
    etaSeconds: run.state === 'done' ? 0 : ratePerMinute > 0 ? Math.ceil((left / ratePerMinute) * 60) : null,
    errors: (run.errors as OnboardingFailure[]).map((f) => ({
      ...f,
      recordState: stateOf.get(`${f.type}:${f.cwId}`) ?? 'onboarded',
    })),
  };
}

type RunSummaryColumns = Pick<
  Selectable<OnboardingRunsTable>,
  'id' | 'state' | 'inputs' | 'started_by' | 'started_at' | 'finished_at' | 'total' | 'done' | 'failed'
>;

/** What a run's history row shows: inputs, who, when, how long, counts. */
const runSummary = (run: RunSummaryColumns) => ({
  id: run.id,
  state: run.state,
  inputs: run.inputs,
  startedBy: run.started_by,
  startedAt: new Date(run.started_at).toISOString(),
  finishedAt: run.finished_at ? new Date(run.finished_at).toISOString() : null,
  durationSeconds: seconds(run.started_at, run.finished_at),
  total: run.total,
  done: run.done,
  failed: run.failed,
});

/** The tenant's onboarding runs, newest first: what was asked, by whom, how it went and how long it took. */
export async function listOnboardingRuns(db: Db, tenantId: string, limit = 50) {
  const runs = await db
    .selectFrom('onboarding_runs')
    .select(['id', 'state', 'inputs', 'started_by', 'started_at', 'finished_at', 'total', 'done', 'failed'])
    .where('tenant_id', '=', tenantId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return runs.map(runSummary);
}
