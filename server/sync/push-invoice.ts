import type { ConnectWiseClient, GlTransaction, Invoice } from '../connectwise/index.js';
import { parseGlEntryIds } from '../connectwise/index.js';
import type { LedgerConnection, RecordRow } from '../db/schema.js';
import type { Ledger, SalesOrBillDocument } from '../ledgers/ledger.js';
import { mappingFailure, PipelineError } from './error-catalogue.js';
import { salesDocumentFromGl } from './gl-to-document.js';
import { invoiceColumns } from './invoice-columns.js';
import type { Mappings } from './mappings.js';
import {
  adoptOwnBatch,
  batchIdentifierFor,
  commitBatch,
  exportEventKinds,
  pushLedgerDocument,
  recordPushed,
} from './record-steps.js';
import type { RecordStore } from './record-store.js';

/** What one push of an invoice or credit memo needs, already resolved for its tenant. */
export interface InvoicePushContext {
  records: RecordStore;
  cw: ConnectWiseClient;
  batchPrefix: string;
  roundingLimit: string;
  actor: string;
  /** The ledger connection that books this record's CW location, with its ledger and mappings. */
  route(
    locationId: number | null,
  ): Promise<{ connection: LedgerConnection; ledger: Ledger; mappings: Mappings } | undefined>;
}

const isClosed = (invoice: Invoice) => {
  const status = invoice.status as { isClosed?: boolean; name?: string } | undefined;
  return status?.isClosed ?? /closed/i.test(status?.name ?? '');
};

/** A pushed invoice or credit memo, with CW's view of it read just before its batch was made. */
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
  ctx: InvoicePushContext,
  start: RecordRow,
  /** CW's invoice as read moments ago by whoever asked for this push (a sync-on-close refresh). */
  justRead?: Invoice,
): Promise<PushedInvoice> {
  let record = start;
  const cwId = Number(record.cw_id);
  const invoice = justRead ?? (await ctx.cw.getInvoice(cwId));
  if (!invoice) throw new PipelineError('cw_record_not_found', `invoice ${cwId}`);
  const label = `${invoice.type === 'CreditMemo' ? 'Credit memo' : 'Invoice'} ${invoice.invoiceNumber}`;
  // The record shows what CW holds now, whatever happens next.
  record = await ctx.records.update(record, invoiceColumns(invoice, record));
  const identifier = batchIdentifierFor(ctx.batchPrefix, invoice.invoiceNumber);

  if (invoice.glBatch)
    return { record: await adoptOwnBatch(ctx, record, identifier, label, 'already_posted'), invoice };
  if (!isClosed(invoice)) {
    throw new PipelineError('not_closed', label);
  }
  if (invoice.invoiceNumber.includes('|'))
    throw new PipelineError('invalid_batch_character', `${label}: the number contains |`);
  if (identifier.length > 50) throw new PipelineError('batch_identifier_too_long', `"${identifier}"`);

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

  // 3. The record's own CW batch.
  let latest = invoice;
  record = await commitBatch(ctx, record, {
    identifier,
    label,
    postedError: 'already_posted',
    stillUnposted: async () => {
      latest = (await ctx.cw.getInvoice(cwId)) ?? latest;
      return !latest.glBatch;
    },
    flags: { exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false },
  });
  return { record, invoice: latest };
}

async function exportAndPush(
  ctx: InvoicePushContext,
  start: RecordRow,
  invoice: Invoice,
  label: string,
): Promise<RecordRow> {
  let record = start;
  const cwId = Number(record.cw_id);
  // 1. Export: a preview of this record's GL transaction; marks nothing in CW.
  const glExport = await ctx.cw.exportInvoice(cwId);
  const transaction = (glExport.transactions ?? []).find((t) => t.documentNumber === invoice.invoiceNumber);
  if (!transaction?.glEntryIds) throw new PipelineError('gl_entries_missing', label);
  // Read before this attempt's own export event: no export ever means no create was ever sent.
  const neverExported = !record.ledger_id && !(await ctx.records.hasEvent(record, exportEventKinds));
  record = await ctx.records.advance(record, exportedColumns(record, invoice, transaction, ctx.actor));

  // 2. Map and push to the ledger that books this location.
  const locationId = (invoice as { locationId?: number }).locationId ?? null;
  const route = await ctx.route(locationId);
  if (!route)
    throw new PipelineError('no_ledger_connection', `${label} (CW location ${locationId ?? 'none'})`);
  const document = mapDocument(transaction, route, invoice, ctx.roundingLimit, label);
  const ref = await pushLedgerDocument(route.ledger, record, document, label, { neverExported });
  record = await recordPushed(ctx.records, record, route.connection, route.ledger, ref, ctx.actor);
  return record;
}

function exportedColumns(record: RecordRow, invoice: Invoice, transaction: GlTransaction, actor: string) {
  return {
    to: 'exported' as const,
    set: {
      ...invoiceColumns(invoice, record),
      type: invoice.type === 'CreditMemo' ? ('credit_memo' as const) : ('invoice' as const),
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

function mapDocument(
  transaction: GlTransaction,
  { mappings, connection }: { mappings: Mappings; connection: LedgerConnection },
  invoice: Invoice,
  roundingLimit: string,
  label: string,
): SalesOrBillDocument {
  const company = invoice.company;
  const result = salesDocumentFromGl(transaction, {
    mappings,
    roundingLimit,
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
  return result.document;
}
