import {
  CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { prepareStatement } from '../db/prepared-statements.js';
import type {
  Database,
  PaymentsTable,
  RecordEvent,
  RecordRow,
  RecordState,
  RecordsTable,
  RecordType,
  StoredDifference,
} from '../db/schema.js';
import { formatMinor } from '../shared/money.js';
import { typeFamily } from './record-kinds.js';

export interface RecordWithHistory {
  row: RecordRow;
  payments: Selectable<PaymentsTable>[];
  events: RecordEvent[];
  /** Credit memos applied to this invoice, or the invoices this credit memo was applied to. */
  credits: CreditRow[];
  /** The record's last drift check (record_drift, server/reconcile/), null when never checked. */
  drift: StoredDrift | null;
}

export interface StoredDrift {
  checkedAt: string;
  differences: StoredDifference[];
}

/**
 * A credit application as the record view reads it: from this record's side, naming the other (the
 * credit memo on an invoice, the invoice on a credit memo). Checked as it comes out of the JSON the
 * status query builds, which no compiler sees into.
 */
const creditRowSchema = z.object({
  id: z.string(),
  other_type: z.enum(['invoice', 'credit_memo']),
  other_cw_id: z.string(),
  other_number: z.string(),
  amount_minor: z.string().regex(/^-?\d+$/),
  applied_on: z.string(),
  state: z.enum(['pending', 'applying', 'applied', 'error']),
  cw_payment_id: z.string().nullable(),
  ledger_application_id: z.string().nullable(),
  last_error: z.unknown(),
});
export type CreditRow = z.output<typeof creditRowSchema>;

/**
 * Every column of `records`, named: a prepared statement over `r.*` would fail ("cached plan must
 * not change result type") once a migration adds a column while this process runs.
 */
const recordColumns = [
  'id',
  'tenant_id',
  'type',
  'cw_id',
  'number',
  'record_date',
  'company_id',
  'company_name',
  'cw_location_id',
  'currency',
  'decimals',
  'total_minor',
  'tax_minor',
  'balance_minor',
  'state',
  'connection_id',
  'ledger_kind',
  'ledger_id',
  'ledger_number',
  'ledger_total_minor',
  'ledger_balance_minor',
  'ledger_status',
  'ledger_read_at',
  'ledger_url',
  'rounding',
  'cw_batch_id',
  'cw_batch_identifier',
  'gl_entry_ids',
  'last_error',
  'onboarding_run_id',
  'version',
  'refreshed_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof RecordsTable)[];
// A column added to RecordsTable but not listed above fails to compile here.
const everyColumn: Exclude<keyof RecordsTable, (typeof recordColumns)[number]> extends never ? true : never =
  true;
void everyColumn;

/** Placeholders for the one compile: each parameter is found again by identity. */
const slot = { tenantId: {}, types: {}, cwId: {}, eventLimit: {} } as const;
type Slot = keyof typeof slot;

/**
 * The credit applications naming this record on one side (`invoice`: credits applied to it; `credit`:
 * invoices it was applied to), each with the other record's number.
 */
function creditsOf(eb: ExpressionBuilder<Database & { r: RecordsTable }, 'r'>, side: 'invoice' | 'credit') {
  const [own, other] =
    side === 'invoice'
      ? (['c.invoice_record_id', 'c.credit_record_id'] as const)
      : (['c.credit_record_id', 'c.invoice_record_id'] as const);
  return jsonArrayFrom(
    eb
      .selectFrom('credit_applications as c')
      .innerJoin('records as o', 'o.id', other)
      .select([
        sql<string>`c.id::text`.as('id'),
        'o.type as other_type',
        sql<string>`o.cw_id::text`.as('other_cw_id'),
        'o.number as other_number',
        sql<string>`c.amount_minor::text`.as('amount_minor'),
        sql<string>`c.applied_on::text`.as('applied_on'),
        'c.state',
        sql<string | null>`c.cw_payment_id::text`.as('cw_payment_id'),
        'c.ledger_application_id',
        'c.last_error',
      ])
      .whereRef(own, '=', 'r.id')
      .orderBy('c.applied_on'),
  );
}

/** The status query: one record, its payments, credits and latest events, scoped to the tenant. */
function buildRecordWithHistory(db: Db) {
  const as = <T>(placeholder: object) => placeholder as unknown as T;
  return (
    db
      .selectFrom('records as r')
      .select(recordColumns.map((c) => `r.${c}` as const))
      .select((eb) => [
        jsonArrayFrom(
          eb
            .selectFrom('payments as p')
            .select([
              'p.id',
              'p.tenant_id',
              'p.record_id',
              'p.connection_id',
              'p.ledger_payment_id',
              sql<string>`p.amount_minor::text`.as('amount_minor'),
              'p.currency',
              sql<string>`p.paid_on::text`.as('paid_on'),
              sql<string | null>`p.cw_payment_id::text`.as('cw_payment_id'),
              'p.state',
              'p.last_error',
              'p.created_at',
              'p.updated_at',
            ])
            .whereRef('p.record_id', '=', 'r.id')
            .orderBy('p.paid_on'),
        ).as('payment_rows'),
        // Two lists, one per side, each by its own index (credit_record_id leads the unique key).
        creditsOf(eb, 'invoice').as('credits_in'),
        creditsOf(eb, 'credit').as('credits_out'),
        jsonArrayFrom(
          eb
            .selectFrom('record_events as e')
            .select([
              sql<string>`e.id::text`.as('id'),
              'e.tenant_id',
              'e.record_id',
              'e.at',
              'e.actor',
              'e.kind',
              'e.from_state',
              'e.to_state',
              'e.detail',
            ])
            .whereRef('e.record_id', '=', 'r.id')
            .orderBy('e.id', 'desc')
            .limit(as<number>(slot.eventLimit)),
        ).as('event_rows'),
        eb
          .selectFrom('record_drift as d')
          .select(
            sql<StoredDrift>`jsonb_build_object('checkedAt', d.checked_at, 'differences', d.differences)`.as(
              'drift',
            ),
          )
          .whereRef('d.record_id', '=', 'r.id')
          .as('drift_row'),
      ])
      .where('r.tenant_id', '=', as<string>(slot.tenantId))
      // `= any(array)`: one statement text whatever the size of the type family.
      .where((eb) => eb('r.type', '=', eb.fn.any(eb.val(as<RecordType[]>(slot.types)))))
      .where('r.cw_id', '=', as<string>(slot.cwId))
  );
}

type RecordWithHistoryRow = Awaited<
  ReturnType<ReturnType<typeof buildRecordWithHistory>['executeTakeFirst']>
>;

/**
 * Built and compiled once: Kysely's builder and compiler cost more per call than the rest of the
 * read, and the same text lets a PostgreSQL server keep it as a prepared statement.
 */
let compiled: { sql: string; order: Slot[] } | undefined;
const statementName = 'ledgerpod_record_with_history_v4';

function recordWithHistoryQuery(db: Db, values: Record<Slot, unknown>): CompiledQuery<RecordWithHistoryRow> {
  if (!compiled) {
    const query = buildRecordWithHistory(db).compile();
    const order = query.parameters.map((p) => {
      const found = (Object.keys(slot) as Slot[]).find((key) => slot[key] === p);
      if (!found) throw new Error('record status query: a parameter is not a slot');
      return found;
    });
    prepareStatement(query.sql, statementName);
    compiled = { sql: query.sql, order };
  }
  return CompiledQuery.raw(
    compiled.sql,
    compiled.order.map((key) => values[key]),
  ) as CompiledQuery<RecordWithHistoryRow>;
}

/** One indexed query: the record, its payments and its latest events, scoped to the tenant. */
export async function findRecordWithHistory(
  db: Db,
  tenantId: string,
  type: RecordType,
  cwId: number,
  eventLimit = 20,
): Promise<RecordWithHistory | undefined> {
  const query = recordWithHistoryQuery(db, {
    tenantId,
    types: typeFamily(type),
    cwId: String(cwId),
    eventLimit,
  });
  const found = (await db.executeQuery(query)).rows[0];
  if (!found) return undefined;
  const { payment_rows, event_rows, credits_in, credits_out, drift_row, ...row } = found;
  return {
    row: row as RecordRow,
    payments: payment_rows as unknown as Selectable<PaymentsTable>[],
    events: event_rows as unknown as RecordEvent[],
    credits: z.array(creditRowSchema).parse([...credits_in, ...credits_out]),
    drift: (drift_row as StoredDrift | null) ?? null,
  };
}

export interface RecordListFilter {
  type?: RecordType;
  /** By queue (see queueOf): like the state, but a push refused as not closed is in not_closed. */
  state?: RecordState;
  companyId?: number;
  q?: string;
  cursor?: string;
  limit: number;
}

const encodeCursor = (row: RecordRow) =>
  Buffer.from(`${new Date(row.updated_at).toISOString()}|${row.id}`).toString('base64url');
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * The position a cursor of encodeCursor names, or undefined for any other text: a made-up cursor
 * would otherwise reach the query as an invalid date or uuid and fail there as a 500.
 */
export const decodeCursor = (cursor: string): { at: Date; id: string } | undefined => {
  if (!/^[\w-]+$/.test(cursor)) return undefined;
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || extra !== undefined || !uuidPattern.test(id)) return undefined;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) || date.toISOString() !== at ? undefined : { at: date, id };
};

/**
 * The workbench queue a record is in: its state, except that a push refused because the invoice is
 * not closed in ConnectWise (state `error`, code `not_closed`) is in the "Not closed" queue with the
 * records a refresh found not closed, not among the other failures. Counts, totals and the state
 * filter all use it, so a queue's count is the number of rows it lists.
 */
const queueOf = sql<RecordState>`case when state = 'error' and last_error->>'code' = 'not_closed' then 'not_closed' else state end`;

/** Records in `queue` (see queueOf), written so the (tenant_id, state) index still narrows it. */
function inQueue(eb: ExpressionBuilder<Database, 'records'>, queue: RecordState): Expression<SqlBool> {
  const code = sql<string>`coalesce(last_error->>'code', '')`;
  if (queue === 'not_closed')
    return eb.or([
      eb('state', '=', 'not_closed'),
      eb.and([eb('state', '=', 'error'), eb(code, '=', 'not_closed')]),
    ]);
  if (queue === 'error') return eb.and([eb('state', '=', 'error'), eb(code, '<>', 'not_closed')]);
  return eb('state', '=', queue);
}

/** A queue's money: the sum of its records' totals, one amount per currency (and precision). */
export interface QueueTotal {
  currency: string;
  amount: string;
}

/** The records the type, company and search filter keep, before any state or paging. */
function filtered(db: Db, tenantId: string, filter: Pick<RecordListFilter, 'type' | 'companyId' | 'q'>) {
  let base = db.selectFrom('records').where('tenant_id', '=', tenantId);
  if (filter.type) base = base.where('type', '=', filter.type);
  if (filter.companyId !== undefined) base = base.where('company_id', '=', String(filter.companyId));
  if (filter.q) {
    const pattern = likePattern(filter.q);
    base = base.where((eb) => eb.or([eb('number', 'ilike', pattern), eb('company_name', 'ilike', pattern)]));
  }
  return base;
}

/**
 * Each workbench queue's count and total amount (over the whole queue, per currency, and `all`)
 * under the type, company and search filter: one grouped, indexed query.
 */
export async function queueSummary(
  db: Db,
  tenantId: string,
  filter: Pick<RecordListFilter, 'type' | 'companyId' | 'q'>,
) {
  const groups = await filtered(db, tenantId, filter)
    .select([
      queueOf.as('queue'),
      'currency',
      'decimals',
      (eb) => eb.fn.countAll<string>().as('n'),
      sql<string>`coalesce(sum(total_minor), 0)::text`.as('total'),
    ])
    .groupBy([queueOf, 'currency', 'decimals'])
    .orderBy('currency')
    .execute();
  const counts: Partial<Record<RecordState, number>> = {};
  const totals: Partial<Record<RecordState | 'all', QueueTotal[]>> = {};
  type Sum = { queue: RecordState | 'all'; currency: string; decimals: number; minor: bigint };
  const sums = new Map<string, Sum>();
  const add = (queue: Sum['queue'], g: { currency: string; decimals: number; total: string }) => {
    const key = `${queue}|${g.currency}|${g.decimals}`;
    const sum = sums.get(key) ?? { queue, currency: g.currency, decimals: g.decimals, minor: 0n };
    sums.set(key, { ...sum, minor: sum.minor + BigInt(g.total) });
  };
  for (const g of groups) {
    counts[g.queue] = (counts[g.queue] ?? 0) + Number(g.n);
    add(g.queue, g);
    add('all', g);
  }
  for (const sum of sums.values()) {
    const list = totals[sum.queue] ?? [];
    totals[sum.queue] = list;
    list.push({ currency: sum.currency, amount: formatMinor(sum.minor, sum.decimals) });
  }
  return { counts, totals };
}

/**
 * A page of a tenant's records, newest change first (keyset paging), with the count per queue under
 * the same type, company and search filter. `state` filters by queue (queueOf), so each count is the
 * number of rows its state filter lists.
 */
export async function listRecords(db: Db, tenantId: string, filter: RecordListFilter) {
  let page = filtered(db, tenantId, filter).selectAll();
  const queue = filter.state;
  if (queue) page = page.where((eb) => inQueue(eb, queue));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) {
    page = page.where((eb) =>
      eb.or([
        eb('updated_at', '<', after.at),
        eb.and([eb('updated_at', '=', after.at), eb('id', '<', after.id)]),
      ]),
    );
  }
  const [rows, { counts }] = await Promise.all([
    page
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1)
      .execute(),
    queueSummary(db, tenantId, filter),
  ]);
  const more = rows.length > filter.limit;
  const shown = more ? rows.slice(0, filter.limit) : rows;
  return { rows: shown, counts, nextCursor: more ? encodeCursor(shown.at(-1)!) : null };
}

/** `%text%` for ILIKE, with the text's own wildcards taken literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

export interface EventFilter {
  record?: { type: RecordType; cwId: number };
  /** Part of a record's number, any case (the admin's audit log filter). */
  number?: string;
  /** Who: a member identifier or one of the product's own actors, exactly. */
  actor?: string;
  kind?: string;
  since?: Date;
  limit: number;
}

/** A tenant's audit trail, newest first, each event with the record it belongs to. */
export async function listEvents(db: Db, tenantId: string, filter: EventFilter) {
  let events = db
    .selectFrom('record_events as e')
    .leftJoin('records as r', 'r.id', 'e.record_id')
    .select([
      sql<string>`e.id::text`.as('id'),
      'e.at',
      'e.actor',
      'e.kind',
      'e.from_state',
      'e.to_state',
      'e.detail',
      'r.type',
      'r.cw_id',
      'r.number',
    ])
    .where('e.tenant_id', '=', tenantId);
  if (filter.record) {
    events = events
      .where('r.type', 'in', typeFamily(filter.record.type))
      .where('r.cw_id', '=', String(filter.record.cwId));
  }
  if (filter.number) events = events.where('r.number', 'ilike', likePattern(filter.number));
  if (filter.actor) events = events.where('e.actor', '=', filter.actor);
  if (filter.kind) events = events.where('e.kind', '=', filter.kind);
  if (filter.since) events = events.where('e.at', '>=', filter.since);
  return events.orderBy('e.id', 'desc').limit(filter.limit).execute();
}
