import type { Transaction, Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type {
  Database,
  RecordRow,
  RecordState,
  RecordsTable,
  RecordType,
  StoredError,
} from '../db/schema.js';
import { PipelineError } from './error-catalogue.js';
import { typeFamily } from './record-kinds.js';

export interface RecordKey {
  tenantId: string;
  type: RecordType;
  cwId: number;
}

export interface Transition {
  to: RecordState;
  /** Columns to set with the state change. */
  set?: Omit<Updateable<RecordsTable>, 'state' | 'tenant_id' | 'id'>;
  actor: string;
  kind: string;
  /** Request ids, idempotency keys, ids created: the audit trail. */
  detail?: Record<string, unknown>;
}

/** Records and their audit trail. Every state change writes the row and its event in one transaction. */
export class RecordStore {
  constructor(private readonly db: Db) {}

  get(key: RecordKey): Promise<RecordRow | undefined> {
    return this.db
      .selectFrom('records')
      .selectAll()
      .where('tenant_id', '=', key.tenantId)
      .where('type', 'in', typeFamily(key.type))
      .where('cw_id', '=', String(key.cwId))
      .executeTakeFirst();
  }

  /** The record row, created in state `unknown` the first time we hear of it. */
  async ensure(key: RecordKey): Promise<RecordRow> {
    const existing = await this.get(key);
    if (existing) return existing;
    await this.db
      .insertInto('records')
      .values({ tenant_id: key.tenantId, type: key.type, cw_id: String(key.cwId) })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = await this.get(key);
    if (!row) throw new Error(`record ${key.type} ${key.cwId} vanished`);
    return row;
  }

  async transition(record: RecordRow, change: Transition): Promise<RecordRow> {
    const updated = await this.transitionIf(record, undefined, change);
    if (!updated) throw new Error(`record ${record.id} vanished`);
    return updated;
  }

  /**
   * A push step: the transition, only while the record is still in the state this run read it in.
   * Two runs of one push at once (a job that outlived its expiry while its retry started) would
   * otherwise each write the same steps into the audit trail; the one that falls behind stops with
   * the retryable record_busy instead, and its retry finds the record where the other left it.
   */
  async advance(record: RecordRow, change: Transition): Promise<RecordRow> {
    const updated = await this.transitionIf(record, [record.state], change);
    if (!updated) throw new PipelineError('record_busy', `Record ${record.number || record.cw_id}`);
    return updated;
  }

  /**
   * The transition, only while the record is still in one of `fromStates` (undefined: any): for
   * work that runs beside the pipeline and must never overwrite what a push did meanwhile.
   */
  async transitionIf(
    record: RecordRow,
    fromStates: RecordState[] | undefined,
    change: Transition,
  ): Promise<RecordRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('records')
        .set({ ...change.set, state: change.to, updated_at: new Date() })
        .where('id', '=', record.id);
      if (fromStates) update = update.where('state', 'in', fromStates);
      const updated = await update.returningAll().executeTakeFirst();
      if (!updated) return undefined;
      await insertEvent(trx, record, change);
      return updated;
    });
  }

  /**
   * A ledger document's balance (and the paid state that follows), read by a job that runs beside
   * others reading the same document: stored only if this read started no earlier than the one stored
   * (`ledger_read_at`), so an answer that was on its way while a credit or payment was applied never
   * overwrites the balance read after it. With `fromStates`, also only while the record is in one.
   * Undefined when a newer read (or a push) won. Times are this process's clock: workers share a host
   * or NTP, and a skew only lets an older read through, as before this guard.
   */
  async storeLedgerRead(
    record: RecordRow,
    readStartedAt: Date,
    change: Transition & { fromStates?: RecordState[] },
  ): Promise<RecordRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('records')
        .set({ ...change.set, state: change.to, ledger_read_at: readStartedAt, updated_at: new Date() })
        .where('id', '=', record.id)
        .where((eb) => eb.or([eb('ledger_read_at', 'is', null), eb('ledger_read_at', '<=', readStartedAt)]));
      if (change.fromStates) update = update.where('state', 'in', change.fromStates);
      const updated = await update.returningAll().executeTakeFirst();
      if (!updated || updated.state === record.state) return updated;
      await insertEvent(trx, record, change);
      return updated;
    });
  }

  /** `update`, only while the record is still in one of `fromStates`; undefined when it moved on. */
  updateIf(
    record: RecordRow,
    fromStates: RecordState[],
    set: Omit<Updateable<RecordsTable>, 'state' | 'tenant_id' | 'id'>,
  ): Promise<RecordRow | undefined> {
    return this.db
      .updateTable('records')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', record.id)
      .where('state', 'in', fromStates)
      .returningAll()
      .executeTakeFirst();
  }

  /** Updates mirrored columns without a state change (no event: nothing happened to the record). */
  update(
    record: RecordRow,
    set: Omit<Updateable<RecordsTable>, 'state' | 'tenant_id' | 'id'>,
  ): Promise<RecordRow> {
    return this.db
      .updateTable('records')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', record.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Parks the record in `error` (or notes a retryable error while keeping its state). */
  fail(record: RecordRow, error: StoredError, actor: string): Promise<RecordRow> {
    return this.transition(record, {
      to: error.retryable ? record.state : 'error',
      set: { last_error: JSON.stringify(error) },
      actor,
      kind: error.retryable ? 'retrying' : 'failed',
      detail: { code: error.code, message: error.message },
    });
  }

  /** Whether the record's audit trail holds an event of one of these kinds (one indexed read). */
  async hasEvent(record: RecordRow, kinds: string[]): Promise<boolean> {
    const row = await this.db
      .selectFrom('record_events')
      .select('id')
      .where('record_id', '=', record.id)
      .where('kind', 'in', kinds)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async note(record: RecordRow, actor: string, kind: string, detail: Record<string, unknown>): Promise<void> {
    await this.db
      .insertInto('record_events')
      .values({
        tenant_id: record.tenant_id,
        record_id: record.id,
        actor,
        kind,
        from_state: record.state,
        to_state: record.state,
        detail: JSON.stringify(detail),
      })
      .execute();
  }
}

/** The audit event of a state change, in the transaction that makes it. */
function insertEvent(trx: Transaction<Database>, record: RecordRow, change: Transition) {
  return trx
    .insertInto('record_events')
    .values({
      tenant_id: record.tenant_id,
      record_id: record.id,
      actor: change.actor,
      kind: change.kind,
      from_state: record.state,
      to_state: change.to,
      detail: JSON.stringify(change.detail ?? {}),
    })
    .execute();
}
