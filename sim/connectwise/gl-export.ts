import { formatMinor, sumMinor, toMinor } from '../../server/shared/money.js';
import { glTransactionOf, isUnposted, parseEntryIds } from './posting.js';
import type { ExpenseRecord, ProcurementLine, ProcurementRecord } from './seed-schema.js';
import type { ConnectWiseState, CwBehaviours, RecordKey } from './state.js';

/**
 * Builds CW's GLExport for a set of records. Sign convention, as for invoices: a header `total` is the
 * document's amount (positive), detail lines are signed by their GL side, debits positive and credits
 * negative. So an invoice's revenue lines are negative, while a bill's expense or inventory lines and
 * an adjustment that adds stock are positive; a refund or stock removed is negative.
 */
export function buildGlExport(state: ConnectWiseState, keys: RecordKey[]) {
  const transactions = [];
  const expenseRecords: ExpenseRecord[] = [];
  const purchaseTransactions = [];
  const adjustmentTransactions = [];
  const inventoryTransfers = [];
  const customers = new Map<number, unknown>();
  const vendors = new Map<string, unknown>();
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
      if (expense) expenseRecords.push(expense);
    } else {
      const record = state.procurement.get(key.id);
      if (!record) continue;
      if (record.procurementType === 'Purchase') {
        const purchase = purchaseTransaction(record, state.behaviours);
        purchaseTransactions.push(purchase);
        if (purchase.company) vendors.set(`vendor:${purchase.vendorNumber}`, vendorOf(record));
      } else if (record.procurementType === 'Adjustment')
        adjustmentTransactions.push(adjustment(record, state.behaviours));
      else inventoryTransfers.push(...transferLines(record));
    }
  }
  const reimbursable = expenseRecords.filter((e) => field<string>(e, 'classification') !== 'NonReimbursable');
  const expenseBills = groupBy(reimbursable, (e) => `${memberOf(e).id}:${currencyOf(e)?.currencyCode}`).map(
    expenseBill,
  );
  for (const bill of expenseBills) {
    vendors.set(`member:${bill.member.id}`, {
      member: bill.member,
      vendorNumber: bill.vendorNumber,
      accountNumber: bill.vendorNumber,
    });
  }
  return {
    exportSettings: {},
    customers: [...customers.values()],
    vendors: [...vendors.values()],
    transactions,
    // Paid by the company (card, account): a journal of expense debit and payment credit, no bill.
    expenses: expenseRecords.filter((e) => !reimbursable.includes(e)).map(companyPaidExpense),
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

/** Seeded records are loose: CW fields beyond the seed schema's are read through here. */
const field = <T>(record: object, name: string): T | undefined =>
  (record as Record<string, unknown>)[name] as T;
type Ref = { id: number; identifier?: string; name?: string };
type Currency = { currencyCode?: string; numberOfDecimals?: number };
const memberOf = (e: ExpenseRecord) => field<Ref>(e, 'member') ?? { id: 0, identifier: 'unknown' };
const currencyOf = (e: ExpenseRecord | ProcurementRecord) => field<Currency>(e, 'currency');
const dateOf = (e: ExpenseRecord) => field<string>(e, 'dateExpense') ?? field<string>(e, 'dateClosed') ?? '';
const decimalsOf = (record: ExpenseRecord | ProcurementRecord) => currencyOf(record)?.numberOfDecimals ?? 2;

function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

/**
 * A GL export customer in CW's GLExportCustomer shape (connectwise-rest ManageTypes; Zynk's real
 * export, test/conformance/connectwise/gl-export-invoices.zynk.xml): the company as a reference
 * `{id, identifier}`, its type and account number; the billing terms and tax fields only when the
 * company record has them. The product reads customers[] as opaque records (schemas.ts).
 */
function customerWire(company: Record<string, unknown>) {
  const terms = company.billingTerms as { id?: number; name?: string } | undefined;
  return {
    company: { id: company.id, identifier: company.identifier },
    companyType: (company.companyType as object | undefined) ?? { id: 1, name: 'Customer' },
    accountNumber: (company.accountNumber as string | undefined) ?? String(company.identifier ?? ''),
    ...(terms ? { billingTerms: terms, billingTermsXref: terms.name ?? '' } : {}),
    ...(typeof company.taxable === 'boolean' ? { taxable: company.taxable } : {}),
  };
}

/** A member's reimbursable expense entries as one bill payable to the member; one detail line per entry. */
function expenseBill(entries: ExpenseRecord[]) {
  const [first] = entries as [ExpenseRecord, ...ExpenseRecord[]];
  const member = memberOf(first);
  const decimals = decimalsOf(first);
  const total = Number(formatMinor(sumMinor(entries.map((e) => toMinor(e.total, decimals))), decimals));
  const latest = entries.map(dateOf).sort().at(-1) ?? '';
  return {
    id: first.id,
    documentDate: latest,
    documentType: 'EXPENSE',
    documentNumber: String(first.id),
    memo: `Expenses of ${member.name ?? member.identifier}`,
    glClass: '',
    apAccountNumber: field<string>(first, 'creditAccount') ?? '',
    member: { id: member.id, identifier: member.identifier, name: member.name },
    vendorNumber: member.identifier ?? String(member.id),
    currency: currencyOf(first),
    total,
    detail: entries.map((e) => ({
      // CW lists every GL entry id of the expense entry here: an array, unlike transactions' glEntryIds string.
      id: parseEntryIds(e.glEntryIds),
      documentDate: dateOf(e),
      glTypeId: field<string>(e, 'glType') ?? 'EE',
      memo: field<string>(e, 'chargeDescription') ?? '',
      company: field<Ref>(e, 'company'),
      accountNumber: field<string>(e, 'accountNumber') ?? '',
      expenseClass: { name: field<string>(e, 'classification') ?? 'Reimbursable' },
      currency: currencyOf(e),
      total: e.total,
      billable: (field<number>(e, 'billableAmount') ?? 0) !== 0,
      reimbursable: field<string>(e, 'classification') !== 'NonReimbursable',
      companyAdvance: false,
    })),
  };
}

function companyPaidExpense(e: ExpenseRecord) {
  const [debit, credit] = parseEntryIds(e.glEntryIds);
  const member = memberOf(e);
  const memo = field<string>(e, 'chargeDescription') ?? '';
  return {
    id: debit ?? e.id,
    documentDate: dateOf(e),
    documentType: 'EXPENSE',
    apAccountNumber: field<string>(e, 'creditAccount') ?? '',
    accountNumber: field<string>(e, 'accountNumber') ?? '',
    glTypeId: 'EE',
    memo,
    description: memo,
    member,
    vendorNumber: member.identifier,
    company: field<Ref>(e, 'company'),
    currency: currencyOf(e),
    total: e.total,
    offset: {
      id: credit ?? null,
      documentDate: dateOf(e),
      documentType: 'EXPENSE',
      accountNumber: field<string>(e, 'creditAccount') ?? '',
      glTypeId: 'EO',
      member,
      memo,
      description: memo,
      total: -e.total,
    },
  };
}

const linesOf = (record: ProcurementRecord): ProcurementLine[] =>
  field<ProcurementLine[]>(record, 'lines') ?? [
    // A record seeded without items: one line carrying the total, on its GL entry.
    {
      id: parseEntryIds(record.glEntryIds)[0] ?? 0,
      item: { identifier: 'ITEM' },
      description: record.description,
      quantity: record.total < 0 ? -1 : 1,
      unitCost: Math.abs(record.total),
      total: record.total,
      accountNumber: '',
      inventoryAccountNumber: '',
      costAccountNumber: '',
      taxable: false,
      unitOfMeasure: 'Each',
      role: 'item',
    },
  ];

function vendorOf(record: ProcurementRecord) {
  const vendor = field<Ref>(record, 'vendor');
  return {
    vendor,
    company: vendor,
    vendorNumber: field<string>(record, 'vendorAccountNumber') ?? vendor?.identifier ?? '',
    accountNumber: field<string>(record, 'vendorAccountNumber') ?? '',
    billingTerms: field<Ref>(record, 'billingTerms'),
    dueDays: 30,
  };
}

/**
 * A received packing slip billed by the vendor, in the shape of a real export (zynksoftware/Zynk-Workflow
 * _docs/ConnectWise-Connector/Exporting-GL-Batches-from-ConnectWise-REST-Interface.md@46db231e58c8):
 * a positive header `total`; each item line a credit, `quantity` and `total` negative, `cost` the
 * extended cost and `itemCost` the unit cost; freight as its own "PF" line (or, switched, only on the
 * header); purchase tax as `purchaseDetailTax` entries, signed like the lines (no published export shows
 * one: a guess, which the product's balance check would catch).
 */
function purchaseTransaction(record: ProcurementRecord, behaviours: CwBehaviours) {
  const vendor = field<Ref>(record, 'vendor');
  const vendorNumber = field<string>(record, 'vendorAccountNumber') ?? vendor?.identifier ?? '';
  const po = field<Ref>(record, 'purchaseOrder');
  const date = field<string>(record, 'purchaseDate') ?? '';
  const terms = field<Ref>(record, 'billingTerms');
  const currency = currencyOf(record);
  const decimals = decimalsOf(record);
  const poNumber = po?.name ?? String(record.id);
  const productId = field<string>(record, 'unpostedProductId') ?? String(record.id);
  const lines = linesOf(record);
  const credit = (value: number) => Number(formatMinor(-toMinor(value, decimals), decimals));
  const detailLine = (line: ProcurementLine, index: number) => ({
    id: line.id,
    documentDate: date,
    glClass: '',
    glTypeId: line.role === 'freight' ? 'PF' : 'RP',
    glItemId: line.item.identifier,
    salesCode: line.costAccountNumber,
    description: 'Purchase',
    cost: Math.abs(line.total),
    memo: line.description,
    taxNote: '',
    vendorNumber,
    accountNumber: line.accountNumber,
    costAccountNumber: line.costAccountNumber,
    inventoryAccountNumber: line.inventoryAccountNumber,
    vendorAccountNumber: vendorNumber,
    item: line.item,
    itemDescription: line.description,
    salesDescription: line.description,
    taxable: line.taxable,
    itemPrice: 0,
    itemCost: line.unitCost,
    unitOfMeasure: { name: line.unitOfMeasure },
    quantity: -line.quantity,
    total: credit(line.total),
    currency,
    serializedFlag: false,
    serialNumbers: '',
    dropShippedFlag: false,
    lineNumber: index + 1,
    taxCodeXref: '',
    taxRate: 0,
    taxAgencyXref: '',
  });
  const items = lines.filter(
    (l) => l.role === 'item' || (l.role === 'freight' && behaviours.freight === 'line'),
  );
  return {
    id:
      behaviours.purchaseExportId === 'descriptive'
        ? `PO #${poNumber}, Packing Slip: ${record.packingSlip ?? ''}`
        : productId,
    documentDate: date,
    documentNumber: poNumber,
    description: 'Purchase',
    memo: '',
    apAccountNumber: '2000',
    purchaseDate: date,
    company: vendor,
    purchaseClass: '',
    freightAmount: field<number>(record, 'freightCost') ?? 0,
    freightPackingSlip: record.packingSlip ?? '',
    packingSlip: record.packingSlip ?? '',
    dropshipFlag: false,
    currency,
    total: record.total,
    billingTerms: terms,
    billingTermsXref: terms?.name ?? '',
    dueDays: 30,
    vendorNumber,
    vendorAccountNumber: vendorNumber,
    vendorInvoiceDate: field<string>(record, 'vendorInvoiceDate') ?? date,
    vendorInvoiceNumber: field<string>(record, 'vendorInvoiceNumber') ?? '',
    // The purchase's tax code as CW's header carries it (ManageTypes GLExportPurchaseTransaction.taxCode).
    ...(field<Ref>(record, 'taxCode') ? { taxCode: field<Ref>(record, 'taxCode') } : {}),
    purchaseHeaderTaxableFlag: false,
    purchaseHeaderFreightTaxableFlag: false,
    taxLevels: [],
    purchaseDetail: items.map(detailLine),
    purchaseDetailTax: lines
      .filter((l) => l.role === 'tax')
      .map((line) => ({
        id: line.id,
        documentDate: date,
        accountNumber: line.accountNumber,
        glClass: '',
        cost: Math.abs(line.total),
        glTypeId: 'PT',
        memo: line.description,
        vendorNumber,
        vendorAccountNumber: vendorNumber,
        total: credit(line.total),
        currency,
      })),
  };
}

/** Stock counted up (positive lines) or down (negative), against the adjustment's offset account. */
function adjustment(record: ProcurementRecord, behaviours: CwBehaviours) {
  const lines = linesOf(record);
  return {
    id: field<string>(record, 'unpostedProductId') ?? String(record.id),
    documentType: 'ADJUSTMENT',
    documentDate: field<string>(record, 'purchaseDate') ?? '',
    glTypeID: 'IA',
    accountNumber: lines[0]?.accountNumber ?? '',
    memo: record.description,
    glClass: '',
    adjustmentDescription: record.description,
    adjustmentDetail: lines.map((line) => ({
      // Not in connectwise-rest's type (GLExportAdjustmentTransactionDetail has no id) and in no published
      // export: sent only under the 'present' switch.
      ...(behaviours.adjustmentLineIds === 'present' ? { id: line.id } : {}),
      glClass: '',
      description: line.description,
      memo: record.description,
      item: line.item,
      quantity: line.quantity,
      cost: line.unitCost,
      total: line.total,
      costAccountNumber: line.costAccountNumber,
      inventoryAccountNumber: line.inventoryAccountNumber,
      accountNumber: line.accountNumber,
      productAccountNumber: line.inventoryAccountNumber,
    })),
  };
}

/**
 * A transfer as CW's GLExport lists it: one `GLExportInventoryTransfer` per transferred item, with the
 * fields of connectwise-rest's ManageTypes (ConnectWise's own OpenAPI), `transferId` naming the
 * transfer and `offset` the entry out of the warehouse the stock left. No published export shows one,
 * so these are guesses, each easy to switch: the header `id` carries the item's GL entry id as a string
 * (the type has it a string, the offset's an int), `transferId` is the unposted procurement id, the
 * header is the receiving warehouse's debit (positive) and the offset its mirror credit (negative), as
 * a real company-paid expense and its offset are signed.
 */
function transferLines(record: ProcurementRecord) {
  const date = field<string>(record, 'purchaseDate') ?? '';
  const currency = currencyOf(record);
  return linesOf(record).map((line) => ({
    id: String(line.id),
    documentType: 'TRANSFER',
    documentDate: date,
    accountNumber: line.accountNumber,
    glClass: '',
    glTypeId: 'IT',
    description: record.description,
    salesCode: '',
    memo: record.description,
    costAccountNumber: line.costAccountNumber,
    inventoryAccountNumber: line.inventoryAccountNumber,
    transferId: record.id,
    item: line.item,
    glItemId: line.item.identifier,
    salesDescription: line.description,
    itemDescription: line.description,
    currency,
    itemPrice: 0,
    taxable: false,
    unitOfMeasure: { name: line.unitOfMeasure },
    quantity: line.quantity,
    cost: line.unitCost,
    total: line.total,
    serializedFlag: false,
    serialNumbers: '',
    transferFromLocationXref: line.fromLocationXref ?? '',
    transferToLocationXref: line.toLocationXref ?? '',
    locationXref: line.toLocationXref ?? '',
    offset: {
      id: line.offsetId ?? null,
      documentType: 'TRANSFER',
      documentDate: date,
      accountNumber: line.offsetAccountNumber ?? '',
      glClass: '',
      total: Number(formatMinor(-toMinor(line.total, decimalsOf(record)), decimalsOf(record))),
      memo: record.description,
      description: line.description,
      glTypeId: 'IO',
    },
  }));
}
