import type { DocumentPreview, PushCheck, Recheck } from '../../contract/push-check.js';
import type { Invoice } from '../connectwise/index.js';
import type { RecordRow, StoredError, Tenant } from '../db/schema.js';
import type { Ledger, SalesOrBillDocument } from '../ledgers/ledger.js';
import { PipelineError } from '../records/error-catalogue.js';
import { invoiceColumns, isClosed } from '../records/invoice-columns.js';
import type { RecordKey } from '../records/record-store.js';
import { storedErrorOf } from '../records/stored-error.js';
import { currencyDecimals, formatMinor } from '../shared/money.js';
import type { RecordJobDeps } from './deps.js';
import { invoicePosting } from './invoice-posting.js';
import { type PushContext, pushContextFor, refuseAsHistory } from './push-context.js';
import { invoiceLabel, invoiceProblems, mapDocument, transactionOf } from './push-invoice.js';
import { batchIdentifierFor } from './record-steps.js';
import { requestPush } from './requests.js';

// The check's answer is the API's (the pod shows it before ConnectWise saves): declared in the contract.
export type { PushCheck, Recheck } from '../../contract/push-check.js';

/**
 * Everything that would stop a push of this invoice or credit memo now, read from ConnectWise as it
 * stands (three reads: the invoice, CW's unposted list, and its GL preview, which marks nothing; a
 * fourth, our batch, for an invoice the list does not hold) and judged by the same
 * functions the push uses, without writing anywhere: every problem at once, where a push stops at
 * the first. A problem that is CW or a ledger being unreachable is thrown, not reported as the record's.
 */
export async function checkInvoicePush(
  ctx: PushContext,
  record: RecordRow | undefined,
  cwId: number,
): Promise<PushCheck> {
  const invoice = await ctx.cw.getInvoice(cwId);
  if (!invoice)
    return {
      posted: false,
      problems: [storedErrorOf(new PipelineError('cw_record_not_found', `invoice ${cwId}`))],
      document: null,
    };
  const identifier = batchIdentifierFor(ctx.batchPrefix, invoice.invoiceNumber);
  // Posted: CW's hint, or not listed as unposted and our own batch holds it (a lost batch answer).
  // CW batches closed records only, so an open one (checked on every save) costs no call for it.
  const closed = isClosed(invoice);
  const ask = closed ? { ownBatch: identifier } : 'hint';
  if ((await invoicePosting(ctx.cw, invoice, ask)).state === 'posted')
    return { posted: true, problems: [], document: null };
  const label = invoiceLabel(invoice);
  const problems = invoiceProblems(invoice, identifier, label)
    .filter((error) => error.stored.code !== 'not_closed')
    .map((error) => error.stored);
  const report = (error: unknown) => {
    const stored = storedErrorOf(error);
    if (stored.retryable) throw error;
    problems.push(stored);
  };

  // Judged by the date CW holds now, as the push will judge it.
  if (record) {
    try {
      refuseAsHistory(ctx, { ...record, ...invoiceColumns(invoice, record) } as RecordRow, label);
    } catch (error) {
      report(error);
    }
  }

  let document: DocumentPreview | null = null;
  const transaction = transactionOf(await ctx.cw.exportInvoice(cwId), invoice);
  const locationId = (invoice as { locationId?: number }).locationId ?? null;
  const route = await ctx.route(locationId);
  if (!route)
    report(new PipelineError('no_ledger_connection', `${label} (CW location ${locationId ?? 'none'})`));
  else if (!transaction?.glEntryIds) {
    // CW exports closed invoices only: for an open one the close itself is what is missing.
    if (closed) report(new PipelineError('gl_entries_missing', label));
  } else {
    try {
      const mapped = mapDocument(transaction, route, invoice, ctx.roundingLimit, label).document;
      await route.ledger.preflight(mapped);
      document = {
        ledger: route.connection.kind,
        connectionName: route.connection.name,
        type: mapped.type,
        number: mapped.number,
        party: mapped.party.name,
        currency: mapped.currency,
        total: formatMinor(mapped.totalMinor, mapped.decimals),
        tax: formatMinor(mapped.taxMinor, mapped.decimals),
        lines: mapped.lines.length,
      };
    } catch (error) {
      report(error);
    }
  }
  // Without a document to judge (not closed, so not exported; a mapping or a total that stops it; a
  // ledger refusal met before the number), the number alone is still judged as the ledger will.
  if (route && !document && !problems.some((p) => p.code === 'document_number_too_long')) {
    const refusal = await numberRefusal(route.ledger, invoice, transaction?.currency?.currencyCode);
    if (refusal) problems.push(refusal);
  }
  // Not closed comes last: on ConnectWise's Save it is often the very change being saved.
  if (!closed) problems.push(storedErrorOf(new PipelineError('not_closed', label)));
  return { posted: false, problems, document };
}

/**
 * The ledger's refusal of the invoice's number, from its own preflight of a document holding only
 * that number: no lines, no tax, nothing else it could refuse. Any other outcome (a pass, an outage)
 * says nothing about the number, so it is no problem of the record's.
 */
async function numberRefusal(
  ledger: Ledger,
  invoice: Invoice,
  exportedCurrency: string | undefined,
): Promise<StoredError | undefined> {
  const currency = exportedCurrency ?? invoice.currency?.currencyCode ?? 'USD';
  const numberOnly: SalesOrBillDocument = {
    type: invoice.type === 'CreditMemo' ? 'credit_memo' : 'invoice',
    number: invoice.invoiceNumber,
    date: String(invoice.date ?? '').slice(0, 10),
    dueDate: undefined,
    currency,
    decimals: currencyDecimals(currency),
    memo: undefined,
    party: {
      kind: 'customer',
      cwId: String(invoice.company?.id ?? ''),
      accountNumber: undefined,
      name: '',
      email: undefined,
    },
    lines: [],
    taxMinor: 0n,
    totalMinor: 0n,
    terms: undefined,
  };
  try {
    await ledger.preflight(numberOnly);
    return undefined;
  } catch (error) {
    const stored = storedErrorOf(error);
    return stored.code === 'document_number_too_long' ? stored : undefined;
  }
}

/**
 * Codes the check judges as a push would: a record failed with one of them and checked clean is
 * fixed. Any other failure (a ledger's own refusal, an outage) is judged only by a push, so a clean
 * check says nothing about it, and resuming on it could push and fail again on every pod load.
 */
const checkedCodes = new Set([
  'cw_record_not_found',
  'not_closed',
  'gl_entries_missing',
  'invalid_batch_character',
  'batch_identifier_too_long',
  'gl_account_unmapped',
  'tax_code_missing',
  'tax_code_unmapped',
  'tax_levels_unsupported',
  'ledger_tax_setup',
  'mappings_missing',
  'class_unmapped',
  'currency_missing',
  'out_of_balance',
  'zero_total',
  'negative_total',
  'document_number_too_long',
  'item_code_too_long',
  'no_ledger_connection',
  'before_onboarding_cutoff',
]);

/**
 * The check, and for a record that failed on something it now finds fixed, its push asked for again
 * where the tenant allows (a fixed onboarding failure is onboarded again by the push job, never
 * booked). Called when ConnectWise's screen loads or saves (the pod) and when a callback says the
 * record changed.
 */
export async function recheckRecord(
  deps: Parameters<typeof pushContextFor>[0] & Pick<RecordJobDeps, 'jobs'>,
  tenant: Tenant,
  key: RecordKey,
  actor: string,
): Promise<Recheck> {
  const ctx = await pushContextFor(deps, tenant, actor);
  const record = await deps.records.get(key);
  const check = await checkInvoicePush(ctx, record, key.cwId);
  const failedOn = record?.state === 'error' ? record.last_error?.code : undefined;
  const fixed =
    failedOn !== undefined && checkedCodes.has(failedOn) && !check.posted && check.problems.length === 0;
  if (!fixed || !record) return { check, fixed: false, syncing: false };
  const syncing = deps.tenants.settingsOf(tenant).syncWhenFixed;
  // Left in `error` (syncWhenFixed off), the record is found fixed on every load: noted once per failure.
  if (syncing || !(await fixNotedSinceFailure(deps, record)))
    await deps.records.note(record, actor, 'fixed_in_connectwise', { code: failedOn, syncing });
  if (syncing) await requestPush(deps, key, actor);
  return { check, fixed, syncing };
}

async function fixNotedSinceFailure(deps: Pick<RecordJobDeps, 'db'>, record: RecordRow): Promise<boolean> {
  const last = await deps.db
    .selectFrom('record_events')
    .select('kind')
    .where('record_id', '=', record.id)
    // The failure: into `error` from another state (notes made while failed carry error -> error).
    .where((eb) =>
      eb.or([
        eb('kind', '=', 'fixed_in_connectwise'),
        eb.and([eb('to_state', '=', 'error'), eb('from_state', '<>', 'error')]),
      ]),
    )
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last?.kind === 'fixed_in_connectwise';
}
