import { currencyDecimals, formatMinor, sumMinor, toMinor } from '../../server/shared/money.js';
import type { Seed } from './seed-schema.js';

/**
 * Builders for seed data in CW's wire format with the numbers right: exact totals, GL entry ids, and
 * CW's sign convention (an invoice's revenue and tax lines are credits, i.e. negative, while the
 * transaction total is positive; a credit memo is the mirror image).
 */

export const testApiMember = {
  companyId: 'ledgerpod',
  publicKey: 'pub-key',
  privateKey: 'priv-key',
} as const;
export const testClientId = '2a1f9c1e-6a8e-4d0f-9a55-0c1f7f5d2b11';

export type CompanyRef = { id: number; identifier: string; name: string };
export const acme: CompanyRef = { id: 250, identifier: 'AcmeCorp', name: 'Acme Corporation' };

export interface LineInput {
  description: string;
  quantity: number;
  unitPrice: number;
  accountNumber?: string;
  taxable?: boolean;
  itemIdentifier?: string;
  /** With a multi-level tax code: the levels CW taxed the line at (default: all, or none if untaxable). */
  taxedAtLevels?: number[];
}

export interface InvoiceInput {
  id?: number;
  number: string;
  company?: CompanyRef;
  lines: LineInput[];
  type?: 'Standard' | 'CreditMemo' | 'Agreement' | 'Miscellaneous' | 'Progress' | 'DownPayment';
  /** Percent, e.g. 8.25. */
  taxRate?: number;
  taxCode?: { id: number; name: string };
  /**
   * A multi-level tax code (CW allows five levels, e.g. GST at 1 and PST at 2): each level's rate.
   * Replaces taxRate; the export then has one ST line per level ("Level 2 Sales Tax"), each line's
   * taxableFlag / taxable2Flag..taxable5Flag, and the transaction's taxLevels, as a real one does.
   */
  taxLevels?: { level: number; percent: number }[];
  currency?: { currencyCode: string; numberOfDecimals?: number };
  date?: string;
  dueDate?: string;
  closed?: boolean;
  /** Without GL entries a closed invoice never shows as unposted (missing GL mapping). */
  withGl?: boolean;
}

/** One GL detail line of a built invoice, in CW's GLExportTransactionDetail shape. */
type GlDetailEntry = {
  id: number;
  glTypeId: string;
  documentType: string;
  accountNumber: string;
  description: string;
  memo: string;
  quantity: number;
  itemPrice: number;
  total: number;
  taxableFlag: boolean;
  taxable2Flag?: boolean;
  taxable3Flag?: boolean;
  taxable4Flag?: boolean;
  taxable5Flag?: boolean;
  taxCodeXref: string;
  taxRatePercent?: number;
  item: { identifier: string } | undefined;
};

let nextInvoiceId = 7000;
let nextEntryId = 500_000;

/** An invoice plus the GL transaction CW creates when it is closed. */
export function buildInvoiceWithGl(input: InvoiceInput) {
  const id = input.id ?? ++nextInvoiceId;
  const company = input.company ?? acme;
  // CW's numberOfDecimals is a per-currency setting; unless a test says otherwise it is ISO 4217's.
  const code = input.currency?.currencyCode ?? 'USD';
  const currency = {
    id: 1,
    currencyCode: code,
    numberOfDecimals: currencyDecimals(code),
    symbol: code === 'USD' ? '$' : code,
    ...input.currency,
  };
  const decimals = currency.numberOfDecimals;
  const credit = input.type === 'CreditMemo';
  const sign = credit ? -1n : 1n;
  const date = input.date ?? '2024-03-15T00:00:00Z';
  const taxCode = input.taxCode ?? { id: 11, name: input.taxRate ? 'State' : 'Exempt' };

  const lines = input.lines.map((line) => ({ ...line, amount: lineAmount(line, decimals) }));
  const subtotal = sumMinor(lines.map((l) => l.amount));
  const taxable = sumMinor(lines.filter((l) => l.taxable !== false).map((l) => l.amount));
  const levels = input.taxLevels ?? [];
  const taxedAt = (line: LineInput, level: number) =>
    line.taxedAtLevels ? line.taxedAtLevels.includes(level) : line.taxable !== false;
  const levelTaxes = levels.map((l) => {
    const base = sumMinor(lines.filter((line) => taxedAt(line, l.level)).map((line) => line.amount));
    return { ...l, base, tax: percentOf(base, l.percent) };
  });
  const tax =
    levels.length > 0
      ? sumMinor(levelTaxes.map((l) => l.tax))
      : input.taxRate
        ? percentOf(taxable, input.taxRate)
        : 0n;
  const total = subtotal + tax;
  const money = (minor: bigint) => Number(formatMinor(minor, decimals));

  const headerEntry = ++nextEntryId;
  // Revenue and tax lines are credits on an invoice: negative quantity and total. A credit memo flips all signs.
  const detail: GlDetailEntry[] = lines.map((line) => ({
    id: ++nextEntryId,
    glTypeId: 'RP',
    documentType: credit ? 'CREDIT MEMO' : 'INVOICE',
    accountNumber: line.accountNumber ?? '4000',
    description: line.description,
    memo: line.description,
    quantity: credit ? line.quantity : -line.quantity,
    itemPrice: line.unitPrice,
    total: money(-sign * line.amount),
    taxableFlag: levels.length > 0 ? taxedAt(line, 1) : line.taxable !== false,
    ...(levels.length > 0
      ? Object.fromEntries(
          [2, 3, 4, 5].map((level) => [
            `taxable${level}Flag`,
            levels.some((l) => l.level === level) && taxedAt(line, level),
          ]),
        )
      : {}),
    taxCodeXref: taxCode.name,
    item: line.itemIdentifier ? { identifier: line.itemIdentifier } : undefined,
  }));
  for (const level of levelTaxes) {
    if (level.tax === 0n) continue;
    detail.push({
      id: ++nextEntryId,
      glTypeId: 'ST',
      documentType: credit ? 'CREDIT MEMO' : 'INVOICE',
      accountNumber: '2200',
      description: `Level ${level.level} Sales Tax`,
      memo: 'Sales Tax',
      quantity: 0,
      itemPrice: 0,
      total: money(-sign * level.tax),
      taxableFlag: false,
      taxCodeXref: taxCode.name,
      item: undefined,
      taxRatePercent: level.percent,
    });
  }
  if (tax !== 0n && levels.length === 0) {
    detail.push({
      id: ++nextEntryId,
      glTypeId: 'ST',
      documentType: credit ? 'CREDIT MEMO' : 'INVOICE',
      accountNumber: '2200',
      description: `Sales tax ${input.taxRate}%`,
      memo: 'Sales tax',
      quantity: credit ? 1 : -1,
      itemPrice: money(tax),
      total: money(-sign * tax),
      taxableFlag: false,
      taxCodeXref: taxCode.name,
      item: undefined,
    });
  }
  const closed = input.closed ?? true;
  const invoice = {
    id,
    invoiceNumber: input.number,
    type: input.type ?? 'Standard',
    // Ids of the default billing statuses (setup-tables.ts), whose closedFlag decides.
    status: closed ? { id: 2, name: 'Closed' } : { id: 1, name: 'New' },
    company,
    billToCompany: company,
    date,
    dueDate: input.dueDate ?? date,
    ...(closed ? { dateClosed: date } : {}),
    currency,
    taxCode,
    subtotal: money(sign * subtotal),
    salesTax: money(sign * tax),
    total: money(sign * total),
    payments: 0,
    credits: 0,
    balance: money(sign * total),
  };
  const glTransaction = {
    id,
    glTypeId: 'AR',
    documentNumber: input.number,
    documentType: credit ? 'CREDIT MEMO' : 'INVOICE',
    documentDate: date,
    dueDate: input.dueDate ?? date,
    company,
    companyAccountNumber: company.identifier,
    billingTerms: { id: 1, name: 'Net 30' },
    billingTermsXref: 'Net 30',
    accountNumber: '1200',
    currency,
    total: money(sign * total),
    salesTax: money(sign * tax),
    taxCode,
    glEntryIds: [headerEntry, ...detail.map((d) => d.id)].join(','),
    ...(levels.length > 0
      ? {
          taxLevels: levelTaxes.map((l) => ({
            taxLevel: l.level,
            taxCodeXref: taxCode.name,
            taxAmount: money(sign * l.tax),
            taxableAmount: money(sign * l.base),
          })),
        }
      : {}),
    detail,
  };
  return { invoice, glTransaction, entryIds: [headerEntry, ...detail.map((d) => d.id)] };
}

export type BuiltInvoice = ReturnType<typeof buildInvoiceWithGl>;

/** A complete seed: API member, companies and members, and the built invoices with their GL transactions. */
export function seedWith(built: BuiltInvoice[], extra: Partial<Seed> = {}): Seed {
  const companies = new Map<number, CompanyRef>([[acme.id, acme]]);
  for (const b of built) companies.set(b.invoice.company.id, b.invoice.company);
  return {
    apiMembers: [testApiMember],
    companies: [...companies.values()],
    members: [defaultMember],
    ...extra,
    invoices: [...built.map((b) => b.invoice), ...(extra.invoices ?? [])],
    glTransactions: [
      ...built.filter((b) => b.glTransaction.detail.length > 0).map((b) => b.glTransaction),
      ...(extra.glTransactions ?? []),
    ],
  };
}

export const defaultMember = {
  id: 178,
  identifier: 'jdoe',
  firstName: 'Jane',
  lastName: 'Doe',
  primaryEmail: 'jane.doe@example.com',
  securityRole: { id: 63, name: 'Admin' },
};

export type MemberRef = { id: number; identifier: string; name?: string };
export const techData: CompanyRef = { id: 300, identifier: 'TechData', name: 'Tech Data Corporation' };

/** GL accounts the fixtures post to, like a typical MSP's CW GL mappings. */
export const glAccounts = {
  accountsPayable: '2000',
  employeeReimbursements: '2100',
  inventory: '1400',
  costOfGoods: '5000',
  inventoryAdjustments: '5100',
  /** The inventory account of a second warehouse, the other end of a transfer. */
  warehouseInventory: '1410',
  expenses: '6100',
  freight: '5200',
  purchaseTax: '1500',
} as const;

const usd = { id: 1, currencyCode: 'USD', numberOfDecimals: 2, symbol: '$' };
const cents = (value: number) => toMinor(value, 2);
const dollars = (minor: bigint) => Number(formatMinor(minor, 2));

/**
 * One expense entry as CW's Accounting Interface lists it (an UnpostedExpense). Closing the expense
 * report created two GL entries: the expense account debit and the reimbursement (or company card)
 * credit. A negative amount is a refund.
 */
export function buildExpense(input: {
  id?: number;
  /** Kept for older callers: the same as `amount`. */
  total?: number;
  amount?: number;
  member?: string | MemberRef;
  date?: string;
  type?: string;
  description?: string;
  accountNumber?: string;
  classification?: 'Reimbursable' | 'NonReimbursable' | 'Personal';
  billable?: boolean;
  company?: CompanyRef;
}) {
  const id = input.id ?? ++nextInvoiceId;
  const amount = cents(input.amount ?? input.total ?? 0);
  const member =
    typeof input.member === 'object'
      ? input.member
      : {
          id: defaultMember.id,
          identifier: input.member ?? defaultMember.identifier,
          name: `${defaultMember.firstName} ${defaultMember.lastName}`,
        };
  const classification = input.classification ?? 'Reimbursable';
  const type = input.type ?? 'Meals';
  const entries = [++nextEntryId, ++nextEntryId];
  return {
    id,
    locationId: 1,
    departmentId: 1,
    company: input.company ?? acme,
    accountNumber: input.accountNumber ?? glAccounts.expenses,
    creditAccount:
      classification === 'Reimbursable' ? glAccounts.employeeReimbursements : glAccounts.accountsPayable,
    expenseDetailId: id,
    expenseType: { id: 1, name: type },
    classification,
    glType: 'EE',
    member,
    dateExpense: input.date ?? '2024-03-10T00:00:00Z',
    chargeDescription: input.description ?? `${type} for ${(input.company ?? acme).name}`,
    currency: usd,
    total: dollars(amount),
    billableAmount: input.billable ? dollars(amount) : 0,
    nonBillableAmount: input.billable ? 0 : dollars(amount),
    dateClosed: input.date ?? '2024-03-10T00:00:00Z',
    glEntryIds: entries.join(','),
  };
}

type BuiltExpense = ReturnType<typeof buildExpense>;

export interface ProcurementLineInput {
  item: string;
  description?: string;
  /** Whole units; an adjustment may remove stock with a negative quantity. */
  quantity: number;
  unitCost: number;
  accountNumber?: string;
  taxable?: boolean;
}

/**
 * A procurement record: a purchase (one packing slip received against a PO, billed by the vendor), an
 * inventory adjustment (stock counted up or down) or a transfer. Every item line carries the GL entry
 * it created. Without `lines` a single line makes up `total`.
 */
export function buildProcurement(input: {
  id?: number;
  procurementType: 'Purchase' | 'Adjustment' | 'Transfer';
  total?: number;
  description?: string;
  packingSlip?: string;
  lines?: ProcurementLineInput[];
  vendor?: CompanyRef;
  vendorInvoiceNumber?: string;
  purchaseOrder?: string;
  freight?: number;
  /** Purchase tax the vendor charged: a GL entry of its own (`purchaseDetailTax`). */
  tax?: number;
  /** The purchase's tax code (the export's header `taxCode`). */
  taxCode?: { id: number; name: string };
  date?: string;
  /** Transfers: the warehouses' inventory accounts, stock moving from the first to the second. */
  transfer?: { fromAccount?: string; toAccount?: string };
}) {
  const id = input.id ?? ++nextInvoiceId;
  const date = input.date ?? '2024-03-12T00:00:00Z';
  const adjustment = input.procurementType === 'Adjustment';
  const transfer = input.procurementType === 'Transfer';
  const from = input.transfer?.fromAccount ?? glAccounts.inventory;
  const to = input.transfer?.toAccount ?? glAccounts.warehouseInventory;
  const given = input.lines ?? [
    {
      item: adjustment ? 'ADJ-ITEM' : 'HW-ITEM',
      description: input.description ?? `${input.procurementType} ${id}`,
      quantity: (input.total ?? 0) < 0 ? -1 : 1,
      unitCost: Math.abs(input.total ?? 0),
    },
  ];
  const lines = given.map((line, index) => {
    const total = BigInt(line.quantity) * cents(line.unitCost);
    return {
      id: ++nextEntryId,
      item: { id: 900 + index, identifier: line.item },
      description: line.description ?? line.item,
      quantity: line.quantity,
      unitCost: line.unitCost,
      total: dollars(total),
      accountNumber:
        line.accountNumber ??
        (adjustment ? glAccounts.inventoryAdjustments : transfer ? to : glAccounts.inventory),
      inventoryAccountNumber: transfer ? to : glAccounts.inventory,
      costAccountNumber: glAccounts.costOfGoods,
      taxable: line.taxable ?? false,
      unitOfMeasure: 'Each',
      minor: total,
      // A transferred item is two GL entries: into the receiving warehouse, and the offset out of the other.
      ...(transfer
        ? {
            offsetId: ++nextEntryId,
            offsetAccountNumber: from,
            fromLocationXref: 'MAIN',
            toLocationXref: 'WH2',
          }
        : {}),
    };
  });
  const freight = adjustment || transfer ? 0n : cents(input.freight ?? 0);
  const tax = adjustment || transfer ? 0n : cents(input.tax ?? 0);
  // Freight and tax are GL entries of their own, each with an id a batch must name.
  const extra = (role: 'freight' | 'tax', minor: bigint, accountNumber: string) => ({
    id: ++nextEntryId,
    item: { identifier: role === 'freight' ? 'FREIGHT' : 'TAX' },
    description: role === 'freight' ? 'Freight' : 'Purchase tax',
    quantity: 1,
    unitCost: dollars(minor),
    total: dollars(minor),
    accountNumber,
    inventoryAccountNumber: '',
    costAccountNumber: '',
    taxable: false,
    unitOfMeasure: 'Each',
    role,
    minor,
  });
  const all = [
    ...lines.map((l) => ({ ...l, role: 'item' as const })),
    ...(freight !== 0n ? [extra('freight', freight, glAccounts.freight)] : []),
    ...(tax !== 0n ? [extra('tax', tax, glAccounts.purchaseTax)] : []),
  ];
  const total = sumMinor(all.map((l) => l.minor));
  const base = {
    id,
    procurementType: input.procurementType,
    description: input.description ?? `${input.procurementType} ${id}`,
    packingSlip: input.packingSlip,
    purchaseDate: date,
    locationId: 1,
    departmentId: 1,
    currency: usd,
    total: dollars(total),
    dateClosed: date,
    // Every GL entry (items, freight, tax) shows in the export with its id, so a batch can name them all.
    glEntryIds: all.flatMap((l) => ('offsetId' in l && l.offsetId ? [l.id, l.offsetId] : [l.id])).join(','),
    lines: all.map(({ minor: _minor, ...line }) => line),
  };
  if (input.procurementType !== 'Purchase') return base;
  const vendor = input.vendor ?? techData;
  return {
    ...base,
    // CW's PurchaseOrderReference is {id, name} (ManageTypes): the PO number is its name.
    purchaseOrder: { id: id + 10_000, name: input.purchaseOrder ?? `PO-${id}` },
    billingTerms: { id: 1, name: 'Net 30' },
    ...(input.taxCode ? { taxCode: { ...input.taxCode, identifier: input.taxCode.name } } : {}),
    vendor,
    vendorAccountNumber: vendor.identifier,
    vendorInvoiceNumber: input.vendorInvoiceNumber ?? `VI-${id}`,
    vendorInvoiceDate: date,
    freightCost: dollars(freight),
    taxTotal: dollars(tax),
  };
}

type BuiltProcurement = ReturnType<typeof buildProcurement>;

function lineAmount(line: LineInput, decimals: number): bigint {
  // quantity may be fractional (hours); multiply exact decimals and round half away from zero.
  const quantity = toMinor(line.quantity, 4);
  const product = quantity * toMinor(line.unitPrice, decimals);
  return divideRounded(product, 10_000n);
}

function percentOf(amount: bigint, rate: number): bigint {
  return divideRounded(amount * toMinor(rate, 4), 1_000_000n);
}

function divideRounded(value: bigint, divisor: bigint): bigint {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return negative ? -rounded : rounded;
}
