import { sql } from 'kysely';
import type { ConnectWiseClient, Invoice } from '../connectwise/index.js';
import type { RecordRow, Tenant } from '../db/schema.js';
import { ledgerColumns, paidState } from '../records/ledger-amounts.js';
import { bookedStates } from '../records/record-states.js';
import { storedErrorOf } from '../records/stored-error.js';
import { toMinor } from '../shared/money.js';
import type { RecordJobDeps } from './deps.js';

/**
 * Credit memo application: when a CW credit memo that Ledgerpod pushed is applied to a CW invoice
 * that Ledgerpod pushed to the same ledger connection, the same application is made in the ledger
 * (QBO: a zero-amount Payment linking both; Xero: an allocation), exactly once.
 *
 * How CW shows it: the invoice's `credits` grows by the applied amount and the application is listed
 * among the invoice's payments (GET /finance/invoices/{id}/payments) as a row whose `type` names a
 * credit memo and which carries `creditMemo {id, identifier}`; the credit memo's own payments list
 * shows the same row (its `invoice` is the invoice credited). See sim/connectwise routes/invoices.ts.
 *
 * Exactly once: one row per (credit memo record, invoice record) in credit_applications, claimed by a
 * single worker (pending -> applying -> applied), the ledger write keyed by the row's id.
 */

export interface CwCreditApplication {
  creditCwId: number;
  invoiceCwId: number;
  amount: number;
  date: string | undefined;
  cwPaymentId: number;
}

/** A claim older than this was left by a worker that died mid-call: the keyed write is repeated. */
const staleClaimSeconds = 120;

const isCreditMemo = (invoice: Invoice) => invoice.type === 'CreditMemo';

/** The credit applications CW shows on this invoice or credit memo (none when it shows no credits). */
export async function cwCreditApplications(
  cw: ConnectWiseClient,
  invoice: Invoice,
): Promise<CwCreditApplication[]> {
  if (!invoice.credits) return [];
  return cwCreditApplicationsIn(invoice, await cw.listInvoicePayments(invoice.id));
}

/** The credit applications among an invoice's (or credit memo's) payment rows, already read. */
export function cwCreditApplicationsIn(
  invoice: Invoice,
  rows: Awaited<ReturnType<ConnectWiseClient['listInvoicePayments']>>,
): CwCreditApplication[] {
  const found: CwCreditApplication[] = [];
  for (const row of rows) {
    const creditMemo = (row as { creditMemo?: { id?: number } }).creditMemo;
    if (!creditMemo?.id || !/credit/i.test(row.type ?? 'credit')) continue;
    const invoiceId = isCreditMemo(invoice) ? row.invoice?.id : invoice.id;
    if (!invoiceId || (isCreditMemo(invoice) && creditMemo.id !== invoice.id)) continue;
    found.push({
      creditCwId: creditMemo.id,
      invoiceCwId: invoiceId,
      amount: Math.abs(row.amount ?? 0),
      date: row.paymentDate?.slice(0, 10),
      cwPaymentId: row.id,
    });
  }
  return found;
}

export type CreditApplicationDeps = Pick<
  RecordJobDeps,
  'db' | 'records' | 'connectWise' | 'connections' | 'ledgers' | 'logger'
>;

/**
 * Reads CW's view of this invoice or credit memo and makes each credit application it shows in the
 * ledger, once. Called from a record's refresh and after a credit memo push. A retryable failure is
 * thrown (after being stored) so the job is retried; anything else is recorded on both records.
 */
export async function applyCreditsShownInConnectWise(
  deps: CreditApplicationDeps,
  tenant: Tenant,
  invoice: Invoice,
  actor: string,
): Promise<void> {
  const cw = deps.connectWise.for(tenant);
  const applications = await cwCreditApplications(cw, invoice);
  let retry: unknown;
  for (const application of applications) {
    try {
      await applyCredit(deps, tenant, application, actor);
    } catch (error) {
      retry ??= error;
    }
  }
  if (retry) throw retry;
}

/** Makes one CW credit application in the ledger, unless it is made already or cannot be yet. */
export async function applyCredit(
  deps: CreditApplicationDeps,
  tenant: Tenant,
  application: CwCreditApplication,
  actor: string,
): Promise<'applied' | 'already' | 'waiting' | 'failed'> {
  const credit = await deps.records.get({
    tenantId: tenant.id,
    type: 'credit_memo',
    cwId: application.creditCwId,
  });
  const invoice = await deps.records.get({
    tenantId: tenant.id,
    type: 'invoice',
    cwId: application.invoiceCwId,
  });
  // Both must be in the same ledger, pushed by us; until then a later refresh or push brings us back.
  if (!credit || !invoice || credit.type !== 'credit_memo' || invoice.type !== 'invoice') return 'waiting';
  if (!credit.ledger_id || !invoice.ledger_id || !credit.connection_id) return 'waiting';
  if (credit.connection_id !== invoice.connection_id) return 'waiting';
  if (!bookedStates.has(credit.state) || !bookedStates.has(invoice.state)) return 'waiting';

  const amountMinor = toMinor(application.amount, invoice.decimals);
  if (amountMinor <= 0n) return 'waiting';
  await deps.db
    .insertInto('credit_applications')
    .values({
      tenant_id: tenant.id,
      connection_id: credit.connection_id,
      credit_record_id: credit.id,
      invoice_record_id: invoice.id,
      cw_payment_id: application.cwPaymentId,
      amount_minor: String(amountMinor),
      currency: invoice.currency,
      applied_on: application.date ?? new Date().toISOString().slice(0, 10),
    })
    .onConflict((oc) => oc.columns(['credit_record_id', 'invoice_record_id']).doNothing())
    .execute();

  // One worker at a time: claim the row (or take over a claim left by a dead worker).
  const claimed = await deps.db
    .updateTable('credit_applications')
    .set({ state: 'applying', claimed_at: new Date(), updated_at: new Date() })
    .where('credit_record_id', '=', credit.id)
    .where('invoice_record_id', '=', invoice.id)
    .where((eb) =>
      eb.or([
        eb('state', '=', 'pending'),
        eb.and([
          eb('state', '=', 'applying'),
          eb('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${staleClaimSeconds})`),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return 'already';

  const idempotencyKey = `lp-credit-${claimed.id}`;
  const detail = {
    creditMemo: credit.number,
    invoice: invoice.number,
    amountMinor: claimed.amount_minor,
    currency: claimed.currency,
    idempotencyKey,
    cwPaymentId: application.cwPaymentId,
  };
  const connection = await deps.connections.get(tenant.id, credit.connection_id);
  if (!connection || connection.status === 'disconnected') {
    await release(deps, claimed.id, 'pending', null);
    return 'waiting';
  }
  const ledger = deps.ledgers.for(connection);
  try {
    const made = await ledger.applyCredit({
      creditId: credit.ledger_id,
      invoiceId: invoice.ledger_id,
      amountMinor: BigInt(claimed.amount_minor),
      currency: claimed.currency,
      decimals: invoice.decimals,
      date: new Date(claimed.applied_on).toISOString().slice(0, 10),
      idempotencyKey,
    });
    await deps.db
      .updateTable('credit_applications')
      .set({ state: 'applied', ledger_application_id: made.id, last_error: null, updated_at: new Date() })
      .where('id', '=', claimed.id)
      .execute();
    for (const row of [credit, invoice])
      await deps.records.note(row, actor, 'credit_applied', { ...detail, ledgerApplicationId: made.id });
    await refreshBalances(deps, ledger, [credit, invoice], actor);
    return 'applied';
  } catch (error) {
    const stored = storedErrorOf(error);
    await release(deps, claimed.id, stored.retryable ? 'pending' : 'error', stored);
    for (const row of [credit, invoice])
      await deps.records.note(row, actor, 'credit_application_failed', { ...detail, error: stored });
    deps.logger.info(
      { tenantId: tenant.id, credit: credit.number, invoice: invoice.number, code: stored.code },
      'credit application failed',
    );
    if (stored.retryable) throw error;
    return 'failed';
  }
}

async function release(
  deps: CreditApplicationDeps,
  id: string,
  state: 'pending' | 'error',
  error: ReturnType<typeof storedErrorOf> | null,
) {
  await deps.db
    .updateTable('credit_applications')
    .set({
      state,
      last_error: error === null ? null : JSON.stringify(error),
      claimed_at: null,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/** Both documents' balances from the ledger, and the paid state that follows (as a refresh would). */
async function refreshBalances(
  deps: CreditApplicationDeps,
  ledger: ReturnType<CreditApplicationDeps['ledgers']['for']>,
  rows: RecordRow[],
  actor: string,
) {
  for (const row of rows) {
    try {
      const latest = (await deps.records.get({
        tenantId: row.tenant_id,
        type: row.type,
        cwId: Number(row.cw_id),
      }))!;
      const readStartedAt = new Date();
      const ref = await ledger.get(row.type === 'credit_memo' ? 'credit_memo' : 'invoice', row.ledger_id!);
      const state = bookedStates.has(latest.state)
        ? paidState(ref.totalMinor, ref.balanceMinor)
        : latest.state;
      await deps.records.storeLedgerRead(latest, readStartedAt, {
        to: state,
        set: ledgerColumns(ref, latest.decimals),
        actor,
        kind: 'credit_balance',
        fromStates: [latest.state],
      });
    } catch (error) {
      // The application stands; the next refresh reads the balances again.
      deps.logger.info(
        { recordId: row.id, error: storedErrorOf(error).message },
        'balance after credit not read',
      );
    }
  }
}

/**
 * After a credit memo push, with CW's view of the credit memo the push read just before its batch
 * (credits applied after that read reach the ledger with the next refresh). The record is synced
 * whatever happens here, so a failure is recorded on the records (and retried by the next refresh),
 * never turned into a push error.
 */
export async function applyCreditsAfterPush(
  deps: CreditApplicationDeps,
  tenant: Tenant,
  record: RecordRow,
  creditMemo: Invoice,
  actor: string,
): Promise<void> {
  try {
    await applyCreditsShownInConnectWise(deps, tenant, creditMemo, actor);
  } catch (error) {
    deps.logger.info(
      { recordId: record.id, error: storedErrorOf(error).message },
      'credit application deferred',
    );
  }
}
