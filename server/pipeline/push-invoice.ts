import type { GlTransaction, Invoice } from '../connectwise/index.js';
import { parseGlEntryIds } from '../connectwise/index.js';
import type { LedgerConnection, RecordRow } from '../db/schema.js';
import { bookingOptionsFor } from '../ledgers/amount-precision.js';
import type { SalesOrBillDocument } from '../ledgers/ledger.js';
import { mappingFailure, PipelineError } from '../records/error-catalogue.js';
import { invoiceColumns, isClosed } from '../records/invoice-columns.js';
import type { Mappings } from '../records/mappings.js';
import { invoiceRecordType, recordKinds } from '../records/record-kinds.js';
import { invoicePosting } from './invoice-posting.js';
import { salesDocumentFromGl } from './map/invoices-and-credits.js';
import type { RoundingNote } from './map/rounding.js';
import { withCompanyDetails } from './party-details.js';
import { type PushContext, refuseAsHistory } from './push-context.js';
import {
  adoptOwnBatch,
  batchIdentifierFor,
  commitBatch,
  exportEventKinds,
  pushLedgerDocument,
  recordPushed,
} from './record-steps.js';

/** What stops CW's invoice from being pushed as it stands, before any export, in the order pushes meet them. */
export function invoiceProblems(invoice: Invoice, identifier: string, label: string): PipelineError[] {
  const problems: PipelineError[] = [];
  if (!isClosed(invoice)) problems.push(new PipelineError('not_closed', label));
  if (invoice.invoiceNumber.includes('|'))
    problems.push(new PipelineError('invalid_batch_character', `${label}: the number contains |`));
  if (identifier.length > 50)
    problems.push(new PipelineError('batch_identifier_too_long', `"${identifier}"`));
  return problems;
}

/** "Invoice INV-1" or "Credit memo CM-1": how errors and checks name the record. */
export const invoiceLabel = (invoice: Invoice) =>
  `${invoice.type === 'CreditMemo' ? 'Credit memo' : 'Invoice'} ${invoice.invoiceNumber}`;

/** A pushed invoice or credit memo, with CW's view of it as the push read it (before its batch). */
export interface PushedInvoice {
  record: RecordRow;
  invoice: Invoice;
}

/**
 * Pushes one invoice or credit memo: CW export -> validate and map -> ledger document -> the
 * record's own CW batch -> synced. Each step is persisted before the next, and each external write
 * is keyed or looked up first, so a retry after any crash or lost answer resumes without a duplicate.
 * CW's reads and previews go through the client's merged reads, so pushes running together share them.
 */
export async function pushInvoice(
  ctx: PushContext,
  start: RecordRow,
  /** CW's invoice as read moments ago by whoever asked for this push (a sync-on-close refresh). */
  justRead?: Invoice,
): Promise<PushedInvoice> {
  let record = start;
  const cwId = Number(record.cw_id);
  const invoice = justRead ?? (await ctx.cw.getInvoice(cwId));
  if (!invoice) throw new PipelineError('cw_record_not_found', `invoice ${cwId}`);
  const label = invoiceLabel(invoice);
  // The record shows what CW holds now, whatever happens next.
  record = await ctx.records.update(record, invoiceColumns(invoice, record));
  const identifier = batchIdentifierFor(ctx.batchPrefix, invoice.invoiceNumber);

  // Posted already, often by our own batch whose answer was lost. A record without a ledger document
  // has no batch of ours, and for it the export below is the unposted test (CW exports only what it
  // lists as unposted), so only CW's own hint is read: a first push costs no extra call.
  const posting = await invoicePosting(ctx.cw, invoice, record.ledger_id ? { ownBatch: identifier } : 'hint');
  if (posting.state === 'posted') {
    const adopted = await adoptOwnBatch(ctx, record, identifier, label, 'already_posted', posting.ownBatch);
    return { record: adopted, invoice };
  }
  const [refusal] = invoiceProblems(invoice, identifier, label);
  if (refusal) throw refusal;

  refuseAsHistory(ctx, record, label);
  // A push that reached the ledger before a crash resumes at the batch step.
  if (record.state !== 'pushed' || !record.ledger_id) {
    try {
      record = await exportAndPush(ctx, record, invoice, label);
    } catch (error) {
      // Started from another's read and CW no longer exports the invoice (reopened, batched, ...
      // meanwhile): judge it again from a read of our own, which names the reason.
      if (justRead && error instanceof PipelineError && error.stored.code === 'gl_entries_missing')
        return pushInvoice(ctx, record);
      throw error;
    }
  }

  // 3. The record's own CW batch, made only while CW still lists the invoice as unposted.
  record = await commitBatch(ctx, record, {
    identifier,
    label,
    postedError: 'already_posted',
    stillUnposted: async () => (await invoicePosting(ctx.cw, invoice, 'list')).state === 'unposted',
    flags: recordKinds[record.type].batchFlags,
  });
  return { record, invoice };
}

async function exportAndPush(
  ctx: PushContext,
  start: RecordRow,
  invoice: Invoice,
  label: string,
): Promise<RecordRow> {
  let record = start;
  const cwId = Number(record.cw_id);
  // 1. Export: a preview of this record's GL transaction; marks nothing in CW.
  const glExport = await ctx.cw.exportInvoice(cwId);
  const transaction = transactionOf(glExport, invoice);
  if (!transaction?.glEntryIds) throw new PipelineError('gl_entries_missing', label);
  // Read before this attempt's own export event: no export ever means no create was ever sent.
  const neverExported = !record.ledger_id && !(await ctx.records.hasEvent(record, exportEventKinds));
  record = await ctx.records.advance(record, exportedColumns(record, invoice, transaction, ctx.actor));

  // 2. Map and push to the ledger that books this location.
  const locationId = (invoice as { locationId?: number }).locationId ?? null;
  const route = await ctx.route(locationId);
  if (!route)
    throw new PipelineError('no_ledger_connection', `${label} (CW location ${locationId ?? 'none'})`);
  const mapped = mapDocument(transaction, route, invoice, ctx.roundingLimit, label);
  const { rounding } = mapped;
  const document = await withCompanyDetails(ctx.cw, mapped.document);
  const ref = await pushLedgerDocument(route.ledger, record, document, label, { neverExported });
  record = await recordPushed(ctx.records, record, route.connection, route.ledger, ref, ctx.actor, rounding);
  return record;
}

/** The invoice's own transaction in CW's GL export of it. */
export const transactionOf = (glExport: { transactions?: GlTransaction[] }, invoice: Invoice) =>
  (glExport.transactions ?? []).find((t) => t.documentNumber === invoice.invoiceNumber);

function exportedColumns(record: RecordRow, invoice: Invoice, transaction: GlTransaction, actor: string) {
  return {
    to: 'exported' as const,
    set: {
      ...invoiceColumns(invoice, record),
      type: invoiceRecordType(invoice.type),
      currency: transaction.currency?.currencyCode ?? invoice.currency?.currencyCode ?? record.currency,
      gl_entry_ids: [...glEntryIdsOf(transaction)],
    },
    actor,
    kind: 'exported',
    detail: { glEntryIds: transaction.glEntryIds },
  };
}

/** A transaction's GL entry ids: the header list plus each detail line's id. */
function glEntryIdsOf(transaction: GlTransaction): Set<number> {
  const ids = new Set(parseGlEntryIds(transaction.glEntryIds ?? ''));
  for (const line of transaction.detail ?? []) if (typeof line.id === 'number') ids.add(line.id);
  return ids;
}

/** CW's GL transaction as the ledger document the push creates, or the mapping failure that stops it. */
export function mapDocument(
  transaction: GlTransaction,
  { mappings, connection }: { mappings: Mappings; connection: LedgerConnection },
  invoice: Invoice,
  roundingLimit: string,
  label: string,
): { document: SalesOrBillDocument; rounding: RoundingNote | undefined } {
  const company = invoice.company;
  const currency = transaction.currency?.currencyCode;
  const result = salesDocumentFromGl(transaction, {
    mappings,
    roundingLimit,
    // QBO outside the US needs a code on every line, so lines CW does not tax need the exempt one.
    ...bookingOptionsFor(connection, currency),
    party: {
      kind: 'customer',
      cwId: String(company?.id ?? ''),
      accountNumber: (transaction.companyAccountNumber ?? company?.identifier) || undefined,
      name: company?.name ?? transaction.company?.name ?? '',
      email: undefined,
    },
  });
  if (!result.ok) throw mappingFailure(result.problems, connection.id);
  if (result.document.totalMinor === 0n) throw new PipelineError('zero_total', label);
  if (result.document.totalMinor < 0n) throw new PipelineError('negative_total', label);
  return { document: result.document, rounding: result.rounding };
}
