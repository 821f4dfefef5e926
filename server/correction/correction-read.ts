import type { RecordRow } from '../db/schema.js';
import type { Ledger, SalesOrBillDocument } from '../ledgers/ledger.js';
import { ledgerProviderOf } from '../ledgers/providers.js';
import type { RecordJobDeps } from '../pipeline/deps.js';
import { invoicePosting } from '../pipeline/invoice-posting.js';
import { pushContextFor } from '../pipeline/push-context.js';
import { invoiceLabel, mapDocument, transactionOf } from '../pipeline/push-invoice.js';
import { PipelineError } from '../records/error-catalogue.js';
import { invoiceColumns, isClosed } from '../records/invoice-columns.js';
import { AppError } from '../shared/errors.js';
import { toMinor } from '../shared/money.js';
import { type CorrectionPreview, previewCorrection } from './correction-preview.js';

export type CorrectionDeps = Pick<
  RecordJobDeps,
  'db' | 'records' | 'tenants' | 'connectWise' | 'connections' | 'ledgers' | 'logger' | 'jobs'
>;

/** A record a correction applies to: an invoice with a document in the books. */
export function correctable(record: RecordRow | undefined, what: string): RecordRow {
  if (!record || record.type !== 'invoice' || !record.ledger_id || !record.connection_id)
    throw new AppError(
      409,
      'not_correctable',
      `${what} has no document in the books that Ledgerpod created, so there is nothing to correct`,
      { hint: 'Sync the invoice first; a correction updates a document Ledgerpod already booked.' },
    );
  return record;
}

/**
 * Reads what the preview compares: CW's invoice and, where CW exports it, its GL transaction mapped
 * as a push maps it; the document in the books now (documentState); and, where the ledger refuses to
 * edit a paid document, the payments and credits on it. 2 or 3 CW calls (the invoice, its place in
 * CW's unposted list when closed, its GL preview when listed), 2 to 4 ledger calls.
 */
export async function readPreview(
  deps: CorrectionDeps,
  record: RecordRow,
): Promise<{ preview: CorrectionPreview; ledger: Ledger }> {
  const tenant = await deps.tenants.get(record.tenant_id);
  const connection = tenant && (await deps.connections.get(tenant.id, record.connection_id!));
  if (!tenant || !connection)
    throw new AppError(409, 'no_ledger_connection', `${record.number} has no ledger connection any more`, {
      hint: 'Connect the books again in the admin tab, then preview the correction.',
    });
  const ctx = await pushContextFor(deps, tenant, 'correction');
  const invoice = await ctx.cw.getInvoice(Number(record.cw_id));
  if (!invoice)
    throw new AppError(404, 'cw_record_not_found', `ConnectWise has no invoice ${record.cw_id} any more`, {
      hint: 'It was deleted in ConnectWise; void it in the books if it should not stand.',
    });
  const { decimals, currency } = invoiceColumns(invoice, record);
  const ledger = deps.ledgers.for(connection);
  // CW exports only what it lists as unposted: asked first (invoice-posting.ts), so a posted invoice
  // costs no export; a batch is ours when the record holds it, or CW's hint says so.
  const posting = await invoicePosting(ctx.cw, invoice, isClosed(invoice) ? 'list' : 'hint');
  const batched = Boolean(record.cw_batch_id || record.cw_batch_identifier || posting.state === 'posted');
  let after: SalesOrBillDocument | undefined;
  let afterMissing: string | undefined;
  const label = invoiceLabel(invoice);
  if (posting.state === 'unposted') {
    const transaction = transactionOf(await ctx.cw.exportInvoice(invoice.id), invoice);
    const route = await ctx.route((invoice as { locationId?: number }).locationId ?? null);
    if (transaction?.glEntryIds && route) {
      try {
        after = mapDocument(transaction, route, invoice, ctx.roundingLimit, label).document;
      } catch (error) {
        if (!(error instanceof PipelineError)) throw error;
        afterMissing = `${error.stored.message}. ${error.stored.hint}`;
      }
    }
  } else if (!isClosed(invoice)) {
    afterMissing = `${label} is open in ConnectWise; close it there, then preview the correction again.`;
  }
  const state = await ledger.documentState(
    'invoice',
    record.ledger_id!,
    record.ledger_number || record.number,
  );
  const paidSomething = state.payments.length > 0 || state.credits.length > 0;
  const settlements = ledger.correction
    ? paidSomething
      ? await ledger.correction.settlementsOf(record.ledger_id!)
      : []
    : undefined;
  const preview = previewCorrection({
    number: invoice.invoiceNumber,
    currency,
    decimals,
    books: ledgerProviderOf(connection.kind).shortLabel,
    batched,
    after,
    afterMissing,
    cwTotalMinor: toMinor(Math.abs(invoice.total ?? 0), decimals),
    cwTaxMinor: toMinor(Math.abs(invoice.salesTax ?? 0), decimals),
    ledger: state,
    settlements,
  });
  return { preview, ledger };
}
