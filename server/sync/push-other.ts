import type {
  ConnectWiseClient,
  GlExport,
  UnpostedExpense,
  UnpostedProcurement,
} from '../connectwise/index.js';
import type { RecordRow, RecordType } from '../db/schema.js';
import type { LedgerDocument } from '../ledgers/ledger.js';
import { toMinor } from '../money.js';
import { PipelineError } from './error-catalogue.js';
import {
  companyExpenseJournalFromGl,
  companyPaidEntryIds,
  companyPaidExpenseSchema,
  expenseBillFromGl,
  type OtherResult,
  purchaseBillFromGl,
} from './gl-to-bill.js';
import { adjustmentEntryIds, adjustmentJournalFromGl } from './gl-to-journal.js';
import type { Mappings } from './mappings.js';
import type { InvoicePushContext } from './push-invoice.js';
import {
  adoptOwnBatch,
  batchIdentifierFor,
  commitBatch,
  pushLedgerDocument,
  recordPushed,
} from './record-steps.js';

/** The record types that are not invoices: expenses, procurement purchases, inventory adjustments. */
export type OtherRecordType = Extract<RecordType, 'expense' | 'procurement' | 'adjustment'>;

export const isOtherRecordType = (type: RecordType): type is OtherRecordType =>
  type === 'expense' || type === 'procurement' || type === 'adjustment';

/**
 * The number a record goes by: its batch is `{prefix}{number}` and (except for a purchase with a
 * vendor invoice number) its ledger document carries it. CW gives expenses and adjustments no number
 * of their own, and several receipts can share a PO, so the CW id makes it unique.
 */
export const otherRecordNumber = (type: OtherRecordType, cwId: number) =>
  `${{ expense: 'EXP', procurement: 'PUR', adjustment: 'ADJ' }[type]}-${cwId}`;

const labelOf = (type: OtherRecordType, cwId: number) =>
  `${{ expense: 'Expense', procurement: 'Purchase', adjustment: 'Inventory adjustment' }[type]} ${cwId}`;

type Unposted = UnpostedExpense | UnpostedProcurement;

interface Mapped {
  document: LedgerDocument;
  glEntryIds: number[];
}

/**
 * Pushes one expense, purchase or inventory adjustment: CW export of that one record -> validate and
 * map -> ledger bill or journal -> the record's own CW batch -> synced. The same steps and the same
 * resumability as invoices (push-invoice.ts): each step persisted, each write keyed or looked up first.
 */
export async function pushOtherRecord(ctx: InvoicePushContext, start: RecordRow): Promise<RecordRow> {
  let record = start;
  const type = record.type as OtherRecordType;
  const cwId = Number(record.cw_id);
  const label = labelOf(type, cwId);
  const number = otherRecordNumber(type, cwId);
  const identifier = batchIdentifierFor(ctx.batchPrefix, number);
  const kind = type === 'expense' ? 'expenses' : 'procurement';
  const unposted = (await ctx.cw.getUnposted(kind, cwId)) as Unposted | null;

  if (!unposted) return adoptOwnBatch(ctx, record, identifier, label, 'not_unposted');
  if (type !== 'expense') {
    const procurementType = (unposted as UnpostedProcurement).procurementType;
    const wanted = type === 'procurement' ? 'Purchase' : 'Adjustment';
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
  record = await ctx.records.update(record, columnsOf(unposted, record, number));

  if (record.state !== 'pushed' || !record.ledger_id) {
    record = await exportAndPush(ctx, record, unposted, identifier, label, number);
  }

  // The record's own CW batch.
  return commitBatch(ctx, record, {
    identifier,
    label,
    postedError: 'not_unposted',
    stillUnposted: async () => Boolean(await ctx.cw.getUnposted(kind, cwId)),
    flags: {
      exportInvoicesFlag: false,
      exportExpensesFlag: type === 'expense',
      exportProductsFlag: type !== 'expense',
    },
  });
}

function columnsOf(unposted: Unposted, record: RecordRow, number: string) {
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
  ctx: InvoicePushContext,
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
  const glExport = await ctx.cw.exportGl({
    batchIdentifier: identifier,
    thruDate: new Date().toISOString(),
    exportInvoicesFlag: false,
    ...(type === 'expense'
      ? { exportExpensesFlag: true, includedExpenseIds: [cwId], exportProductsFlag: false }
      : { exportExpensesFlag: false, exportProductsFlag: true, includedProductIds: [productId] }),
  });

  // 2. Route, then map (pure) with that connection's mappings.
  const locationId = record.cw_location_id;
  const route = await ctx.route(locationId);
  if (!route)
    throw new PipelineError('no_ledger_connection', `${label} (CW location ${locationId ?? 'none'})`);
  const mapped = mapRecord(type, glExport, unposted, route.mappings, number, productId, cwId, label);
  if (mapped.glEntryIds.length === 0) throw new PipelineError('gl_entries_missing', label);
  record = await ctx.records.transition(record, {
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
  const ref = await pushLedgerDocument(route.ledger, record, mapped.document, label);
  return recordPushed(ctx.records, record, route.connection, route.ledger, ref, ctx.actor);
}

function unwrap<D extends LedgerDocument>(result: OtherResult<D>): D {
  if (result.ok) return result.document;
  const [first] = result.problems;
  throw new PipelineError(first!.code, result.problems.map((p) => p.detail).join('; '));
}

/** The one record's part of the export, as a ledger document and the GL entry ids its batch names. */
export function mapRecord(
  type: OtherRecordType,
  glExport: GlExport,
  unposted: Unposted,
  mappings: Mappings,
  number: string,
  productId: string,
  cwId: number,
  label: string,
): Mapped {
  if (type === 'expense') {
    // CW decides: a reimbursable expense is owed to the member (an expense bill); a company-paid one
    // is not owed to anybody (in `expenses[]`, a debit and its offset credit): a journal.
    const bills = glExport.expenseBills ?? [];
    const bill = bills.find((b) => b.id === cwId) ?? (bills.length === 1 ? bills[0] : undefined);
    if (bill) {
      return {
        document: unwrap(expenseBillFromGl(bill, { mappings, number })),
        glEntryIds: [...new Set((bill.detail ?? []).flatMap((d) => d.id ?? []))],
      };
    }
    const paid = ((glExport as { expenses?: unknown[] }).expenses ?? []).map((e) =>
      companyPaidExpenseSchema.parse(e),
    );
    const expense = paid.length === 1 ? paid[0] : undefined;
    if (!expense) throw new PipelineError('gl_entries_missing', label);
    return {
      document: unwrap(companyExpenseJournalFromGl(expense, { mappings, number })),
      glEntryIds: companyPaidEntryIds(expense),
    };
  }
  const currency = (unposted as { currency?: { currencyCode?: string; numberOfDecimals?: number } }).currency;
  if (type === 'procurement') {
    const purchase = (glExport.purchaseTransactions ?? []).find((p) => p.id === productId);
    if (!purchase) throw new PipelineError('gl_entries_missing', label);
    const document = unwrap(
      purchaseBillFromGl(purchase, {
        mappings,
        number: purchase.vendorInvoiceNumber || number,
        fallbackCurrency: currency?.currencyCode,
      }),
    );
    return {
      document,
      glEntryIds: (purchase.purchaseDetail ?? []).flatMap((d) => (typeof d.id === 'number' ? [d.id] : [])),
    };
  }
  const adjustment = (glExport.adjustmentTransactions ?? []).find((a) => a.id === productId);
  if (!adjustment) throw new PipelineError('gl_entries_missing', label);
  const document = unwrap(
    adjustmentJournalFromGl(adjustment, {
      mappings,
      number,
      currency: currency?.currencyCode ?? 'USD',
      decimals: currency?.numberOfDecimals ?? 2,
      description: (unposted as UnpostedProcurement).description ?? adjustment.adjustmentDescription ?? '',
    }),
  );
  return { document, glEntryIds: adjustmentEntryIds(adjustment) };
}

export type { ConnectWiseClient };
