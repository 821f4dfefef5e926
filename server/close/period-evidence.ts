import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { LedgerKind, RecordState, RecordType, StoredDifference } from '../db/schema.js';
import { formatMinor } from '../shared/money.js';

/**
 * The auditors' evidence of a period (issue 16 item 5): every ConnectWise record dated in it that
 * Ledgerpod knows, each once, with its ledger document, its CW batch, the amounts in both systems,
 * the last drift check's differences and its audit trail. Read in pages by a keyset on
 * (record_date, type, cw_id), so a period of any size is listed whole and none twice.
 */
export interface EvidenceRow {
  type: RecordType;
  cwId: number;
  number: string;
  date: string;
  company: string;
  state: RecordState;
  currency: string;
  cwTotal: string;
  /** Null where the tax was never read from the invoice itself (migration 0027). */
  cwTax: string | null;
  ledgerKind: LedgerKind | null;
  ledgerId: string | null;
  ledgerNumber: string | null;
  ledgerTotal: string | null;
  ledgerBalance: string | null;
  cwBatchId: number | null;
  cwBatchIdentifier: string | null;
  /** "none (checked ...)", "not checked", or each difference's code and cause. */
  differences: string;
  /** The audit trail, oldest first: "when who kind from→to" joined by "; ". */
  auditTrail: string;
}

export interface EvidenceEvent {
  at: Date | string;
  actor: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
}

/** The audit trail as one cell: each event's minute (UTC), who, what, and the state it moved. Pure. */
export function auditTrailText(events: EvidenceEvent[]): string {
  return events
    .map((e) => {
      const at = new Date(e.at).toISOString().slice(0, 16).replace('T', ' ');
      const moved =
        e.from_state !== e.to_state && e.to_state ? ` ${e.from_state ?? 'new'}→${e.to_state}` : '';
      return `${at}Z ${e.actor} ${e.kind}${moved}`;
    })
    .join('; ');
}

/** The drift check's finding as one cell. Pure. */
export function differencesText(
  drift: { checked_at: Date | string; differences: StoredDifference[] } | undefined,
) {
  if (!drift) return 'not checked';
  if (drift.differences.length === 0)
    return `none (checked ${new Date(drift.checked_at).toISOString().slice(0, 10)})`;
  return drift.differences.map((d) => `${d.code}: ${d.cause}`).join('; ');
}

/** Records read per page; exported so a test lists more than one page. */
export const evidencePageSize = 500;

const asDate = (day: string) => sql<Date>`${day}::date`;
const dayOf = (value: Date | string | null) =>
  value === null ? '' : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);

/** Every record of the period, a page at a time, ordered by date, type and CW id. */
export async function* periodEvidence(
  db: Db,
  tenantId: string,
  period: { from: string; to: string },
  pageSize = evidencePageSize,
): AsyncGenerator<EvidenceRow[]> {
  let after: { date: string; type: RecordType; cwId: string } | undefined;
  for (;;) {
    let query = db
      .selectFrom('records as r')
      .leftJoin('record_drift as d', 'd.record_id', 'r.id')
      .select([
        'r.id',
        'r.type',
        'r.cw_id',
        'r.number',
        'r.record_date',
        'r.company_name',
        'r.state',
        'r.currency',
        'r.decimals',
        'r.total_minor',
        'r.tax_minor',
        'r.ledger_kind',
        'r.ledger_id',
        'r.ledger_number',
        'r.ledger_total_minor',
        'r.ledger_balance_minor',
        'r.cw_batch_id',
        'r.cw_batch_identifier',
        'd.checked_at',
        'd.differences',
      ])
      .where('r.tenant_id', '=', tenantId)
      .where('r.record_date', '>=', asDate(period.from))
      .where('r.record_date', '<=', asDate(period.to));
    if (after) {
      const { date, type, cwId } = after;
      query = query.where(
        sql<boolean>`(r.record_date, r.type, r.cw_id) > (${date}::date, ${type}::text, ${cwId}::bigint)`,
      );
    }
    const rows = await query
      .orderBy('r.record_date')
      .orderBy('r.type')
      .orderBy('r.cw_id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    const events = await db
      .selectFrom('record_events')
      .select(['record_id', 'at', 'actor', 'kind', 'from_state', 'to_state'])
      .where('tenant_id', '=', tenantId)
      .where(
        'record_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('record_id')
      .orderBy('id')
      .execute();
    const trails = new Map<string, EvidenceEvent[]>();
    for (const event of events) {
      const list = trails.get(event.record_id!) ?? [];
      list.push(event);
      trails.set(event.record_id!, list);
    }
    yield rows.map((r) => {
      const money = (minor: string | null) =>
        minor === null ? null : formatMinor(BigInt(minor), r.decimals);
      return {
        type: r.type,
        cwId: Number(r.cw_id),
        number: r.number,
        date: dayOf(r.record_date),
        company: r.company_name,
        state: r.state,
        currency: r.currency,
        cwTotal: formatMinor(BigInt(r.total_minor), r.decimals),
        cwTax: money(r.tax_minor),
        ledgerKind: r.ledger_kind,
        ledgerId: r.ledger_id,
        ledgerNumber: r.ledger_number,
        ledgerTotal: money(r.ledger_total_minor),
        ledgerBalance: money(r.ledger_balance_minor),
        cwBatchId: r.cw_batch_id === null ? null : Number(r.cw_batch_id),
        cwBatchIdentifier: r.cw_batch_identifier,
        differences: differencesText(
          r.checked_at === null ? undefined : { checked_at: r.checked_at, differences: r.differences ?? [] },
        ),
        auditTrail: auditTrailText(trails.get(r.id) ?? []),
      };
    });
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { date: dayOf(last.record_date), type: last.type, cwId: String(last.cw_id) };
  }
}
