import type {
  ConnectWiseClient,
  GlExport,
  UnpostedExpense,
  UnpostedProcurement,
} from '../connectwise/index.js';
import type { LedgerConnection, RecordRow } from '../db/schema.js';
import { bookingOptionsFor } from '../ledgers/amount-precision.js';
import type { LedgerDocument, SalesOrBillDocument } from '../ledgers/ledger.js';
import { batchFlagsFor, procurementTypeOf, unpostedKindOf } from '../records/cw-record-kind.js';
import { mappingFailure, PipelineError } from '../records/error-catalogue.js';
import type { Mappings } from '../records/mappings.js';
import { toMinor } from '../shared/money.js';
import {
  findOtherRecordPart,
  type OtherRecordType,
  otherRecordLabel,
  otherRecordNumber,
} from './gl-record-export.js';
import { adjustmentJournalFromGl, transferJournalFromGl } from './map/adjustments-and-transfers.js';
import {
  companyExpenseJournalFromGl,
  expenseBillFromGl,
  purchaseBillFromGl,
} from './map/expenses-and-purchases.js';
import type { OtherResult } from './map/mapping-result.js';
import type { RoundingNote } from './map/rounding.js';
import { withCompanyDetails } from './party-details.js';
import { type PushContext, refuseAsHistory } from './push-context.js';
import {
  adoptOwnBatch,
  batchIdentifierFor,
  commitBatch,
  pushLedgerDocument,
  recordPushed,
} from './record-steps.js';

export type Unposted = UnpostedExpense | UnpostedProcurement;

interface Mapped {
  document: LedgerDocument;
  glEntryIds: number[];
  /** A bill's or journal's rounding, said on the record as an invoice's is. */
  rounding?: RoundingNote;
}

/**
 * Pushes one expense, purchase, inventory adjustment or inventory transfer: CW export of that one record -> validate and
 * map -> ledger bill or journal -> the record's own CW batch -> synced. The same steps and the same
 * resumability as invoices (push-invoice.ts): each step persisted, each write keyed or looked up first.
 */
export async function pushOtherRecord(ctx: PushContext, start: RecordRow): Promise<RecordRow> {
  let record = start;
  const type = record.type as OtherRecordType;
  const cwId = Number(record.cw_id);
  const label = otherRecordLabel(type, cwId);
  const number = otherRecordNumber(type, cwId);
  const identifier = batchIdentifierFor(ctx.batchPrefix, number);
  const kind = unpostedKindOf[type];
  const unposted = (await ctx.cw.getUnposted(kind, cwId)) as Unposted | null;

  if (!unposted) return adoptOwnBatch(ctx, record, identifier, label, 'not_unposted');
  if (type !== 'expense') {
    const procurementType = (unposted as UnpostedProcurement).procurementType;
    const wanted = procurementTypeOf[type];
    if (procurementType && procurementType !== wanted)
      throw new PipelineError(
        'cw_record_not_found',
        `${label} (ConnectWise holds a ${procurementType.toLowerCase()} under this id)`,
      );
    const description = (unposted as UnpostedProcurement).description ?? '';
    if (type === 'adjustment' && description.includes("'"))
      throw new PipelineError('invalid_batch_character', `${label}: its description contains '`);
  }
  if (identifier.length > 50) throw new PipelineError('batch_identifier_too_long', `"${identifier}"`);
  record = await ctx.records.update(record, otherRecordColumns(unposted, record, number));
  refuseAsHistory(ctx, record, label);

  if (record.state !== 'pushed' || !record.ledger_id) {
    record = await exportAndPush(ctx, record, unposted, identifier, label, number);
  }

  // The record's own CW batch.
  return commitBatch(ctx, record, {
    identifier,
    label,
    postedError: 'not_unposted',
    stillUnposted: async () => Boolean(await ctx.cw.getUnposted(kind, cwId)),
    flags: batchFlagsFor(type),
  });
}

/** The record's columns as CW's unposted list shows it: what the status read answers from. */
export function otherRecordColumns(unposted: Unposted, record: RecordRow, number: string) {
  const loose = unposted as Record<string, unknown>;
  const currency = loose.currency as { currencyCode?: string; numberOfDecimals?: number } | undefined;
  const decimals = currency?.numberOfDecimals ?? record.decimals;
  const company = (loose.company ?? loose.vendor) as { id?: number; name?: string } | undefined;
  const date = (loose.dateExpense ?? loose.purchaseDate ?? loose.dateClosed) as string | undefined;
  const total = toMinor(Math.abs(unposted.total ?? 0), decimals);
  return {
    number,
    record_date: date?.slice(0, 10) || null,
    company_id: company?.id == null ? null : String(company.id),
    company_name: company?.name ?? '',
    cw_location_id: typeof loose.locationId === 'number' ? loose.locationId : null,
    currency: currency?.currencyCode ?? record.currency,
    decimals,
    total_minor: String(total),
    balance_minor: String(total),
    refreshed_at: new Date(),
  };
}

async function exportAndPush(
  ctx: PushContext,
  start: RecordRow,
  unposted: Unposted,
  identifier: string,
  label: string,
  number: string,
): Promise<RecordRow> {
  let record = start;
  const type = record.type as OtherRecordType;
  const cwId = Number(record.cw_id);
  // 1. Export: a preview of this one record's GL entries; marks nothing in CW.
  const productId = (unposted as UnpostedProcurement).unpostedProductId ?? String(cwId);
  // An expense is previewed alone (CW's export does not say which expense a part belongs to); a
  // product's preview is shared with the products pushed at the same time.
  const glExport =
    type === 'expense'
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

function unwrap<D extends LedgerDocument>(result: OtherResult<D>, connectionId: string): D {
  if (result.ok) return result.document;
  throw mappingFailure(result.problems, connectionId);
}

/** A bill with its rounding note, if it has one. */
function unwrapBill(
  result: OtherResult<SalesOrBillDocument>,
  connectionId: string,
  glEntryIds: number[],
): Mapped {
  const document = unwrap(result, connectionId);
  return { document, glEntryIds, ...(result.ok && result.rounding ? { rounding: result.rounding } : {}) };
}

/** The one record's part of the export, as a ledger document and the GL entry ids its batch names. */
export function mapRecord(
  type: OtherRecordType,
  glExport: GlExport,
  unposted: Unposted,
  /** The connection the record routes to, with its mappings. */
  {
    mappings,
    connection,
  }: {
    mappings: Mappings;
    /** Its kind and tax setup decide how bills are coded and rounded (bookingOptionsFor). */
    connection: Pick<LedgerConnection, 'id'> & Partial<Pick<LedgerConnection, 'kind' | 'tax_setup'>>;
  },
  number: string,
  productId: string,
  cwId: number,
  label: string,
  /** The tenant's rounding limit: bills get the same allowance as invoices. */
  roundingLimit?: string,
): Mapped {
  const part = findOtherRecordPart(type, glExport, {
    cwId,
    productId,
    unposted: type === 'expense' ? undefined : (unposted as UnpostedProcurement),
  });
  if (!part)
    throw new PipelineError(
      type === 'procurement'
        ? 'purchase_not_in_export'
        : type === 'adjustment'
          ? 'adjustment_entries_unknown'
          : type === 'transfer'
            ? 'transfer_not_in_export'
            : 'gl_entries_missing',
      label,
    );
  const currency = (unposted as { currency?: { currencyCode?: string; numberOfDecimals?: number } }).currency;
  const { glEntryIds } = part;
  const billCurrency =
    (part.shape === 'expense_bill'
      ? part.bill.currency
      : part.shape === 'purchase'
        ? part.purchase.currency
        : undefined
    )?.currencyCode ?? currency?.currencyCode;
  const booking = bookingOptionsFor(connection, billCurrency);
  // A journal's figures finer than the currency are booked at the books' precision, and said.
  const journalCurrency =
    part.shape === 'company_paid'
      ? part.expense.currency?.currencyCode
      : part.shape === 'transfer'
        ? (currency?.currencyCode ?? part.lines[0]?.currency?.currencyCode)
        : currency?.currencyCode;
  const { ledgerDecimals } = bookingOptionsFor(connection, journalCurrency);
  const journal = (result: OtherResult<LedgerDocument>): Mapped => ({
    document: unwrap(result, connection.id),
    glEntryIds,
    ...(result.ok && result.rounding ? { rounding: result.rounding } : {}),
  });
  switch (part.shape) {
    case 'expense_bill':
      return unwrapBill(
        expenseBillFromGl(part.bill, { mappings, number, roundingLimit, ...booking }),
        connection.id,
        glEntryIds,
      );
    case 'company_paid':
      return journal(companyExpenseJournalFromGl(part.expense, { mappings, number, ledgerDecimals }));
    case 'purchase':
      return unwrapBill(
        purchaseBillFromGl(part.purchase, {
          mappings,
          number: part.purchase.vendorInvoiceNumber || number,
          fallbackCurrency: currency?.currencyCode,
          roundingLimit,
          ...booking,
        }),
        connection.id,
        glEntryIds,
      );
    case 'adjustment':
      return journal(
        adjustmentJournalFromGl(part.adjustment, {
          mappings,
          number,
          currency: currency?.currencyCode ?? 'USD',
          decimals: currency?.numberOfDecimals ?? 2,
          description:
            (unposted as UnpostedProcurement).description ?? part.adjustment.adjustmentDescription ?? '',
          ledgerDecimals,
        }),
      );
    case 'transfer':
      return journal(
        transferJournalFromGl(part.lines, {
          mappings,
          number,
          currency: currency?.currencyCode ?? part.lines[0]?.currency?.currencyCode ?? 'USD',
          decimals: currency?.numberOfDecimals ?? part.lines[0]?.currency?.numberOfDecimals ?? 2,
          description: (unposted as UnpostedProcurement).description ?? '',
          ledgerDecimals,
        }),
      );
  }
}

export type { ConnectWiseClient };
