import type { GlTransactionRecord, InvoiceRecord } from './seed-schema.js';
import type { ConnectWiseState, RecordKey, RecordKind } from './state.js';

/**
 * Which records are unposted and which GL entries belong to them. A record is unposted when it was
 * closed (which created its GL entries) and no batch has posted it yet.
 */

export const parseEntryIds = (text: string): number[] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number);

/**
 * Closed as CW decides it: the invoice's billing status has `closedFlag` (connectwise-rest
 * ManageTypes `BillingStatus`), whatever the status is called.
 */
export function isInvoiceClosed(state: ConnectWiseState, invoice: InvoiceRecord): boolean {
  const status = billingStatusOf(state, invoice.status);
  // A seed may name a status its billing status table lacks, which CW itself cannot have: the seed's
  // isClosed hint decides then (seed-schema.ts), or a status named "Closed".
  if (!status) return invoice.status.isClosed ?? invoice.status.name.toLowerCase() === 'closed';
  return status.closedFlag;
}

/** The billing status an invoice's status reference names: by id, or by name when it has no id. */
export function billingStatusOf(state: ConnectWiseState, wanted: { id?: unknown; name?: unknown }) {
  return state.billingStatuses.find((s) =>
    wanted.id !== undefined
      ? s.id === wanted.id
      : String(wanted.name ?? '').toLowerCase() === s.name.toLowerCase(),
  );
}

export function glTransactionOf(
  state: ConnectWiseState,
  invoice: InvoiceRecord,
): GlTransactionRecord | undefined {
  return state.glTransactions.get(invoice.invoiceNumber);
}

/** Every GL entry id of a record: the header's comma-separated list plus its detail line ids. */
export function entryIdsOf(state: ConnectWiseState, key: RecordKey): number[] {
  if (key.kind === 'invoice') {
    const invoice = state.invoices.get(key.id);
    const gl = invoice && glTransactionOf(state, invoice);
    if (!gl) return [];
    return [...new Set([...parseEntryIds(gl.glEntryIds), ...gl.detail.map((d) => d.id)])];
  }
  if (key.kind === 'expense') {
    const expense = state.expenses.get(key.id);
    return expense ? parseEntryIds(expense.glEntryIds) : [];
  }
  const record = state.procurement.get(key.id);
  if (!record) return [];
  // Freight shown only on the header (the 'header-only' switch) has no GL entry of its own.
  const headerFreight = new Set(
    state.behaviours.freight === 'header-only'
      ? (record.lines ?? []).filter((l) => l.role === 'freight').map((l) => l.id)
      : [],
  );
  return parseEntryIds(record.glEntryIds).filter((id) => !headerFreight.has(id));
}

export function batchOf(state: ConnectWiseState, key: RecordKey): { id: number; name: string } | undefined {
  if (key.kind === 'invoice') return state.invoices.get(key.id)?.glBatch;
  if (key.kind === 'expense') return state.expenses.get(key.id)?.glBatch;
  return state.procurement.get(key.id)?.glBatch;
}

export function isUnposted(state: ConnectWiseState, key: RecordKey): boolean {
  if (key.kind === 'invoice') {
    const invoice = state.invoices.get(key.id);
    if (!invoice || !isInvoiceClosed(state, invoice)) return false;
  }
  return entryIdsOf(state, key).length > 0 && !batchOf(state, key);
}

export function allKeys(state: ConnectWiseState, kind: RecordKind): RecordKey[] {
  const source =
    kind === 'invoice' ? state.invoices : kind === 'expense' ? state.expenses : state.procurement;
  return [...source.keys()].map((id) => ({ kind, id }));
}

export const unpostedKeys = (state: ConnectWiseState, kind: RecordKind): RecordKey[] =>
  allKeys(state, kind).filter((key) => isUnposted(state, key));

/** Maps every GL entry id to the record owning it. */
export function entryIndex(state: ConnectWiseState): Map<number, RecordKey> {
  const index = new Map<number, RecordKey>();
  for (const kind of ['invoice', 'expense', 'procurement'] as const) {
    for (const key of allKeys(state, kind)) for (const id of entryIdsOf(state, key)) index.set(id, key);
  }
  return index;
}

export function setBatch(
  state: ConnectWiseState,
  key: RecordKey,
  batch: { id: number; name: string } | undefined,
) {
  const record =
    key.kind === 'invoice'
      ? state.invoices.get(key.id)
      : key.kind === 'expense'
        ? state.expenses.get(key.id)
        : state.procurement.get(key.id);
  if (!record) return;
  if (batch) record.glBatch = batch;
  else delete record.glBatch;
}
