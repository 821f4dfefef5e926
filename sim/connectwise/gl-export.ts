import { glTransactionOf, isUnposted, parseEntryIds } from './posting.js';
import type { ExpenseRecord, ProcurementRecord } from './seed-schema.js';
import type { ConnectWiseState, RecordKey } from './state.js';

/**
 * Builds CW's GLExport for a set of records. Invoice transactions are served exactly as seeded (the
 * fixtures already use CW's sign convention: revenue and tax lines as credits, i.e. negative).
 */
export function buildGlExport(state: ConnectWiseState, keys: RecordKey[]) {
  const transactions = [];
  const expenseBills = [];
  const purchaseTransactions = [];
  const adjustmentTransactions = [];
  const inventoryTransfers = [];
  const customers = new Map<number, unknown>();
  for (const key of keys) {
    if (key.kind === 'invoice') {
      const invoice = state.invoices.get(key.id);
      const gl = invoice && glTransactionOf(state, invoice);
      if (!invoice || !gl) continue;
      transactions.push({ ...gl, id: gl.id ?? invoice.id, company: gl.company ?? invoice.company });
      const company = state.companies.get(invoice.company.id) ?? invoice.company;
      customers.set(invoice.company.id, customerWire(company as Record<string, unknown>));
    } else if (key.kind === 'expense') {
      const expense = state.expenses.get(key.id);
      if (expense) expenseBills.push(expenseBill(expense));
    } else {
      const record = state.procurement.get(key.id);
      if (!record) continue;
      if (record.procurementType === 'Purchase') purchaseTransactions.push(purchaseTransaction(record));
      else if (record.procurementType === 'Adjustment') adjustmentTransactions.push(adjustment(record));
      else
        inventoryTransfers.push({
          id: String(record.id),
          description: record.description,
          total: record.total,
        });
    }
  }
  return {
    exportSettings: {},
    customers: [...customers.values()],
    vendors: [],
    transactions,
    expenses: [],
    expenseBills,
    purchaseTransactions,
    adjustmentTransactions,
    inventoryTransfers,
  };
}

export interface ExportRequest {
  thruDate?: string;
  exportInvoicesFlag?: boolean | null;
  includedInvoiceIds?: (number | null)[];
  exportExpensesFlag?: boolean | null;
  includedExpenseIds?: (number | null)[];
  exportProductsFlag?: boolean | null;
  includedProductIds?: string[];
}

/** Which unposted records a preview export covers: the included ids, or every unposted one of a flagged kind. */
export function exportKeys(state: ConnectWiseState, request: ExportRequest): RecordKey[] {
  const keys: RecordKey[] = [];
  const pick = (kind: RecordKey['kind'], ids: number[], flag: boolean | null | undefined, all: number[]) => {
    const chosen = ids.length > 0 ? ids : flag ? all : [];
    for (const id of chosen) if (isUnposted(state, { kind, id })) keys.push({ kind, id });
  };
  const thru = request.thruDate ? new Date(request.thruDate).getTime() : Number.POSITIVE_INFINITY;
  const invoiceIds = [...state.invoices.values()]
    .filter((i) => new Date(i.date).getTime() <= thru)
    .map((i) => i.id);
  pick('invoice', numbers(request.includedInvoiceIds), request.exportInvoicesFlag, invoiceIds);
  pick('expense', numbers(request.includedExpenseIds), request.exportExpensesFlag, [
    ...state.expenses.keys(),
  ]);
  const productIds = (request.includedProductIds ?? []).map((id) => {
    const match = [...state.procurement.values()].find((p) => (p.unpostedProductId ?? String(p.id)) === id);
    return match?.id ?? Number.NaN;
  });
  pick('procurement', productIds, request.exportProductsFlag, [...state.procurement.keys()]);
  return keys;
}

const numbers = (ids: (number | null)[] | undefined) => (ids ?? []).filter((id): id is number => id !== null);

function customerWire(company: Record<string, unknown>) {
  return { id: company.id, companyIdentifier: company.identifier, companyName: company.name };
}

function expenseBill(expense: ExpenseRecord) {
  const ids = parseEntryIds(expense.glEntryIds);
  return {
    id: expense.id,
    documentDate: expense.dateExpense ?? expense.dateClosed,
    documentType: 'EXPENSE',
    documentNumber: String(expense.id),
    member: expense.member,
    currency: expense.currency,
    total: expense.total,
    detail: [{ id: ids, glTypeId: 'EE', accountNumber: expense.accountNumber, total: expense.total }],
  };
}

function purchaseTransaction(record: ProcurementRecord) {
  return {
    id: String(record.id),
    documentDate: record.purchaseDate,
    documentNumber: (record.purchaseOrder as { name?: string } | undefined)?.name ?? String(record.id),
    description: record.description,
    packingSlip: record.packingSlip ?? '',
    company: record.vendor,
    vendorInvoiceNumber: record.vendorInvoiceNumber,
    currency: record.currency,
    total: record.total,
    purchaseDetail: [],
  };
}

function adjustment(record: ProcurementRecord) {
  return {
    id: String(record.id),
    documentType: 'ADJUSTMENT',
    documentDate: record.purchaseDate,
    glTypeID: 'IA',
    adjustmentDescription: record.description,
    adjustmentDetail: [{ description: record.description, total: record.total }],
  };
}
