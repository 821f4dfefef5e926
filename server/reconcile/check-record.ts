import type { Invoice } from '../connectwise/index.js';
import type { RecordRow } from '../db/schema.js';
import type { LedgerDocumentState } from '../ledgers/ledger.js';
import { ledgerProviderOf } from '../ledgers/providers.js';
import { cwCreditApplicationsIn } from '../pipeline/credit-application.js';
import type { RecordJobDeps } from '../pipeline/deps.js';
import { invoiceColumns } from '../records/invoice-columns.js';
import { ledgerColumns, paidState } from '../records/ledger-amounts.js';
import { bookedStateList, bookedStates } from '../records/record-states.js';
import { rescaleMinor, toMinor } from '../shared/money.js';
import { type CwSide, compareRecord, type Difference, type LedgerSide } from './drift.js';
import { clearDrift, storeDrift } from './drift-store.js';

export type DriftDeps = Pick<
  RecordJobDeps,
  'db' | 'records' | 'tenants' | 'connectWise' | 'connections' | 'ledgers' | 'logger'
>;

/** What one check read and found; `ledgerState` is kept for a fix that acts on it (fix-difference.ts). */
export interface DriftCheck {
  record: RecordRow;
  differences: Difference[];
  invoice: Invoice;
  ledgerState: LedgerDocumentState;
  cwRows: Awaited<ReturnType<ReturnType<DriftDeps['connectWise']['for']>['listInvoicePayments']>>;
}

/** Whether a record is one the drift check compares: an invoice or credit memo we synced. */
export const isCheckable = (record: RecordRow) =>
  (record.type === 'invoice' || record.type === 'credit_memo') &&
  bookedStates.has(record.state) &&
  Boolean(record.ledger_id && record.connection_id);

/**
 * Reads the record in ConnectWise (the invoice, and its payments when it shows any) and in the books
 * (Ledger.documentState: QBO 1 to 3 reads, Xero 2), compares them (drift.ts) and stores the finding.
 * A record that is no longer synced (reversed, say) has its finding cleared. Undefined when there
 * was nothing to compare.
 */
export async function checkRecord(deps: DriftDeps, record: RecordRow): Promise<DriftCheck | undefined> {
  if (!isCheckable(record)) {
    await clearDrift(deps.db, record.id);
    return undefined;
  }
  const tenant = await deps.tenants.get(record.tenant_id);
  const connection = tenant && (await deps.connections.get(tenant.id, record.connection_id!));
  if (!tenant || !connection || connection.status !== 'active') return undefined;
  const cw = deps.connectWise.for(tenant);
  const invoice = await cw.getInvoice(Number(record.cw_id));
  if (!invoice) return undefined;
  const type = record.type as 'invoice' | 'credit_memo';
  const cwColumns = invoiceColumns(invoice, record);
  const { decimals, currency } = cwColumns;
  // CW's payments are listed only where its invoice says there are any: one call saved per record.
  // A credit memo's list holds the invoices it was applied to (credit-application.ts).
  const cwRows = invoice.payments || invoice.credits ? await cw.listInvoicePayments(invoice.id) : [];
  const readStartedAt = new Date();
  const ledgerState = await deps.ledgers
    .for(connection)
    .documentState(type, record.ledger_id!, record.ledger_number || record.number);
  // What both sides just said is the record's too (the pod's amounts), as a refresh would store it:
  // a pod showing ConnectWise's old total beside a difference naming the new one reads as a
  // contradiction. Never over a newer read, nor over a record a push or reversal moved on meanwhile.
  if (ledgerState.document)
    await deps.records.storeLedgerRead(record, readStartedAt, {
      to: paidState(ledgerState.document.totalMinor, ledgerState.document.balanceMinor),
      set: { ...cwColumns, ...ledgerColumns(ledgerState.document, decimals) },
      actor: 'drift-check',
      kind: 'balance_changed',
      fromStates: bookedStateList,
    });

  const cwSide = await cwSideOf(deps, record, invoice, cwRows, decimals);
  const ledgerSide = ledgerSideOf(ledgerProviderOf(connection.kind).shortLabel, ledgerState, decimals);
  const written = await deps.db
    .selectFrom('payments')
    .select(['ledger_payment_id', 'state', 'cw_payment_id'])
    .where('record_id', '=', record.id)
    .execute();
  const differences = compareRecord({
    kind: type,
    currency,
    decimals,
    cw: cwSide,
    ledger: ledgerSide,
    written: written.map((w) => ({
      ledgerPaymentId: w.ledger_payment_id,
      state: w.state,
      cwPaymentId: w.cw_payment_id === null ? null : Number(w.cw_payment_id),
    })),
    bookedDifferenceMinor: record.rounding ? toMinor(record.rounding.difference, decimals) : 0n,
    bookedTotalMinor: await bookedTotalOf(deps, record),
    ourCredits: await ourCreditNumbers(
      deps,
      record,
      cwSide.credits.map((c) => c.number),
    ),
  });
  await storeDrift(deps.db, record, {
    differences,
    cwBalanceMinor: cwSide.balanceMinor,
    ledgerBalanceMinor: ledgerSide.document?.balanceMinor,
  });
  return { record, differences, invoice, ledgerState, cwRows };
}

async function cwSideOf(
  deps: DriftDeps,
  record: RecordRow,
  invoice: Invoice,
  rows: DriftCheck['cwRows'],
  decimals: number,
): Promise<CwSide> {
  const minor = (value: number | null | undefined) => toMinor(Math.abs(value ?? 0), decimals);
  const applications = cwCreditApplicationsIn(invoice, rows);
  const creditRows = new Set(applications.map((a) => a.cwPaymentId));
  const side = {
    number: invoice.invoiceNumber,
    totalMinor: minor(invoice.total),
    taxMinor: minor(invoice.salesTax),
    balanceMinor: minor(invoice.balance),
    status: invoice.status?.name ?? '',
  };
  // Each application as the other document's number (the payment row names it, else our record of
  // it, else its CW id), amount and date: what a credit memo was applied to, or an invoice's credits.
  const isCredit = record.type === 'credit_memo';
  const named = [];
  for (const application of applications) {
    const row = rows.find((r) => r.id === application.cwPaymentId) as
      | { invoice?: { identifier?: string }; creditMemo?: { identifier?: string } }
      | undefined;
    const other = isCredit
      ? { type: 'invoice' as const, cwId: application.invoiceCwId, shown: row?.invoice?.identifier }
      : { type: 'credit_memo' as const, cwId: application.creditCwId, shown: row?.creditMemo?.identifier };
    const number =
      other.shown ??
      (await deps.records.get({ tenantId: record.tenant_id, type: other.type, cwId: other.cwId }))?.number ??
      String(other.cwId);
    named.push({ number, amountMinor: toMinor(application.amount, decimals), date: application.date ?? '' });
  }
  if (isCredit) return { ...side, payments: [], credits: [], appliedTo: named };
  return {
    ...side,
    payments: rows
      .filter((r) => !creditRows.has(r.id) && !(r as { creditMemo?: unknown }).creditMemo)
      .map((r) => ({ cwPaymentId: r.id, amountMinor: minor(r.amount), date: r.paymentDate ?? '' })),
    credits: named,
    appliedTo: [],
  };
}

/** The books' side in ConnectWise's precision (Xero keeps 2 decimals in every currency). */
function ledgerSideOf(name: string, state: LedgerDocumentState, decimals: number): LedgerSide {
  const at = (minor: bigint, from: number) => rescaleMinor(minor, from, decimals);
  const doc = state.document;
  return {
    name,
    document: doc && {
      number: doc.number,
      totalMinor: at(doc.totalMinor, doc.decimals),
      taxMinor: at(doc.taxMinor, doc.decimals),
      balanceMinor: at(doc.balanceMinor, doc.decimals),
      status: doc.status,
    },
    payments: state.payments.map((p) => ({
      id: p.id,
      amountMinor: at(p.amountMinor, p.decimals),
      date: p.date,
    })),
    credits: state.credits.map((c) => ({
      number: c.creditNumber ?? c.creditId,
      amountMinor: at(c.amountMinor, c.decimals),
      date: c.date,
    })),
    appliedTo: state.appliedTo?.map((a) => ({
      number: a.invoiceNumber ?? a.invoiceId,
      amountMinor: at(a.amountMinor, a.decimals),
      date: a.date,
    })),
    sameNumber: state.sameNumber.map((r) => ({ number: r.number, totalMinor: at(r.totalMinor, r.decimals) })),
  };
}

/** Of the credit memo numbers CW applied, those Ledgerpod pushed to this record's books (upper case). */
async function ourCreditNumbers(deps: DriftDeps, record: RecordRow, numbers: string[]): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const rows = await deps.db
    .selectFrom('records')
    .select('number')
    .where('tenant_id', '=', record.tenant_id)
    .where('type', '=', 'credit_memo')
    .where('connection_id', '=', record.connection_id)
    .where('ledger_id', 'is not', null)
    .where('number', 'in', numbers)
    .execute();
  return new Set(rows.map((r) => r.number.toUpperCase()));
}

/** What the books answered when Ledgerpod last wrote the record's document (record-steps.ts recordPushed). */
async function bookedTotalOf(deps: DriftDeps, record: RecordRow): Promise<bigint | undefined> {
  const written = await deps.db
    .selectFrom('record_events')
    .select('detail')
    .where('record_id', '=', record.id)
    .where('kind', '=', 'ledger_document')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const booked = written?.detail.bookedTotalMinor;
  return typeof booked === 'string' && /^-?\d+$/.test(booked) ? BigInt(booked) : undefined;
}
