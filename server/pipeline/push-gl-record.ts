import type { GlExport, UnpostedProcurement } from '../connectwise/index.js';
import type { RecordRow } from '../db/schema.js';
import { PipelineError } from '../records/error-catalogue.js';
import { glRecordColumns, type UnpostedGlRecord } from '../records/gl-record-columns.js';
import {
  type GlRecordType,
  glRecordKind,
  glRecordLabel,
  glRecordNumber,
  listedAsType,
} from '../records/record-kinds.js';
import { withCompanyDetails } from './party-details.js';
import { type PushContext, refuseAsHistory } from './push-context.js';
import { type MapInput, type Mapped, mapGlRecordPart } from './record-mappers.js';
import {
  adoptOwnBatch,
  batchIdentifierFor,
  commitBatch,
  pushLedgerDocument,
  recordPushed,
} from './record-steps.js';

/**
 * Pushes one expense, purchase, inventory adjustment or inventory transfer: CW export of that one record -> validate and
 * map -> ledger bill or journal -> the record's own CW batch -> synced. The same steps and the same
 * resumability as invoices (push-invoice.ts): each step persisted, each write keyed or looked up first.
 */
export async function pushGlRecord(ctx: PushContext, start: RecordRow): Promise<RecordRow> {
  let record = start;
  const type = record.type as GlRecordType;
  const kind = glRecordKind(type);
  const cwId = Number(record.cw_id);
  const label = glRecordLabel(type, cwId);
  const number = glRecordNumber(type, cwId);
  const identifier = batchIdentifierFor(ctx.batchPrefix, number);
  const unposted = (await ctx.cw.getUnposted(kind.unposted, cwId)) as UnpostedGlRecord | null;

  if (!unposted) return adoptOwnBatch(ctx, record, identifier, label, 'not_unposted');
  const procurementType = (unposted as UnpostedProcurement).procurementType;
  if (!listedAsType(type, procurementType))
    throw new PipelineError(
      'cw_record_not_found',
      `${label} (ConnectWise holds a ${procurementType!.toLowerCase()} under this id)`,
    );
  if (kind.quoteInDescriptionRefused && ((unposted as UnpostedProcurement).description ?? '').includes("'"))
    throw new PipelineError('invalid_batch_character', `${label}: its description contains '`);
  if (identifier.length > 50) throw new PipelineError('batch_identifier_too_long', `"${identifier}"`);
  record = await ctx.records.update(record, glRecordColumns(unposted, record, number));
  refuseAsHistory(ctx, record, label);

  if (record.state !== 'pushed' || !record.ledger_id) {
    record = await exportAndPush(ctx, record, unposted, identifier, label, number);
  }

  // The record's own CW batch.
  return commitBatch(ctx, record, {
    identifier,
    label,
    postedError: 'not_unposted',
    stillUnposted: async () => Boolean(await ctx.cw.getUnposted(kind.unposted, cwId)),
    flags: kind.batchFlags,
  });
}

async function exportAndPush(
  ctx: PushContext,
  start: RecordRow,
  unposted: UnpostedGlRecord,
  identifier: string,
  label: string,
  number: string,
): Promise<RecordRow> {
  let record = start;
  const type = record.type as GlRecordType;
  const cwId = Number(record.cw_id);
  // 1. Export: a preview of this one record's GL entries; marks nothing in CW.
  const productId = (unposted as UnpostedProcurement).unpostedProductId ?? String(cwId);
  // How its kind is previewed (records/record-kinds.ts preview): an expense alone, a product in an
  // export shared with the products pushed at the same time.
  const glExport =
    glRecordKind(type).preview === 'expense_export'
      ? await ctx.cw.exportGl({
          batchIdentifier: identifier,
          thruDate: new Date().toISOString(),
          exportInvoicesFlag: false,
          exportExpensesFlag: true,
          includedExpenseIds: [cwId],
          exportProductsFlag: false,
        })
      : await ctx.cw.exportProduct(productId);

  // 2. Route, then map (pure) with that connection's mappings.
  const locationId = record.cw_location_id;
  const route = await ctx.route(locationId);
  if (!route)
    throw new PipelineError('no_ledger_connection', `${label} (CW location ${locationId ?? 'none'})`);
  const mapped = mapRecord(
    type,
    glExport,
    unposted,
    route,
    number,
    productId,
    cwId,
    label,
    ctx.roundingLimit,
  );
  if (mapped.glEntryIds.length === 0) throw new PipelineError('gl_entries_missing', label);
  record = await ctx.records.advance(record, {
    to: 'exported',
    set: {
      gl_entry_ids: mapped.glEntryIds,
      currency: mapped.document.currency,
      decimals: mapped.document.decimals,
    },
    actor: ctx.actor,
    kind: 'exported',
    detail: { glEntryIds: mapped.glEntryIds, documentType: mapped.document.type },
  });

  // 3. The ledger document, once.
  const document = await withCompanyDetails(ctx.cw, mapped.document);
  const ref = await pushLedgerDocument(route.ledger, record, document, label);
  return recordPushed(ctx.records, record, route.connection, route.ledger, ref, ctx.actor, mapped.rounding);
}

/** The one record's part of the export, as a ledger document and the GL entry ids its batch names. */
export function mapRecord(
  type: GlRecordType,
  glExport: GlExport,
  unposted: UnpostedGlRecord,
  /** The connection the record routes to, with its mappings. */
  { mappings, connection }: Pick<MapInput, 'mappings' | 'connection'>,
  number: string,
  productId: string,
  cwId: number,
  label: string,
  /** The tenant's rounding limit: bills get the same allowance as invoices. */
  roundingLimit?: string,
): Mapped {
  const kind = glRecordKind(type);
  const procurement = kind.unposted === 'procurement' ? (unposted as UnpostedProcurement) : undefined;
  const part = kind.findPart(glExport, { cwId, productId, unposted: procurement });
  if (!part) throw new PipelineError(kind.partMissing.push, label);
  const currency = (unposted as { currency?: MapInput['currency'] }).currency;
  return mapGlRecordPart(type, part, {
    mappings,
    connection,
    number,
    currency,
    description: procurement?.description,
    roundingLimit,
  });
}
