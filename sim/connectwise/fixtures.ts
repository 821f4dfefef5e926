import { formatMinor, sumMinor, toMinor } from '../../server/money.js';
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
  currency?: { currencyCode: string; numberOfDecimals?: number };
  date?: string;
  dueDate?: string;
  closed?: boolean;
  /** Without GL entries a closed invoice never shows as unposted (missing GL mapping). */
  withGl?: boolean;
}

let nextInvoiceId = 7000;
let nextEntryId = 500_000;

/** An invoice plus the GL transaction CW creates when it is closed. */
export function buildInvoiceWithGl(input: InvoiceInput) {
  const id = input.id ?? ++nextInvoiceId;
  const company = input.company ?? acme;
  const currency = { id: 1, currencyCode: 'USD', numberOfDecimals: 2, symbol: '$', ...input.currency };
  const decimals = currency.numberOfDecimals;
  const credit = input.type === 'CreditMemo';
  const sign = credit ? -1n : 1n;
  const date = input.date ?? '2024-03-15T00:00:00Z';
  const taxCode = input.taxCode ?? { id: 11, name: input.taxRate ? 'State' : 'Exempt' };

  const lines = input.lines.map((line) => ({ ...line, amount: lineAmount(line, decimals) }));
  const subtotal = sumMinor(lines.map((l) => l.amount));
  const taxable = sumMinor(lines.filter((l) => l.taxable !== false).map((l) => l.amount));
  const tax = input.taxRate ? percentOf(taxable, input.taxRate) : 0n;
  const total = subtotal + tax;
  const money = (minor: bigint) => Number(formatMinor(minor, decimals));

  const headerEntry = ++nextEntryId;
  // Revenue and tax lines are credits on an invoice: negative quantity and total. A credit memo flips all signs.
  const detail = lines.map((line) => ({
    id: ++nextEntryId,
    glTypeId: 'RP',
    documentType: credit ? 'CREDIT MEMO' : 'INVOICE',
    accountNumber: line.accountNumber ?? '4000',
    description: line.description,
    memo: line.description,
    quantity: credit ? line.quantity : -line.quantity,
    itemPrice: line.unitPrice,
    total: money(-sign * line.amount),
    taxableFlag: line.taxable !== false,
    taxCodeXref: taxCode.name,
    item: line.itemIdentifier ? { identifier: line.itemIdentifier } : undefined,
  }));
  if (tax !== 0n) {
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
    status: closed ? { id: 2, name: 'Closed', isClosed: true } : { id: 1, name: 'New', isClosed: false },
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

/** An expense report entry CW would put in the Accounting Interface. */
export function buildExpense(input: { id?: number; total: number; member?: string; date?: string }) {
  const id = input.id ?? ++nextInvoiceId;
  return {
    id,
    company: acme,
    accountNumber: '6100',
    member: { id: defaultMember.id, identifier: input.member ?? defaultMember.identifier },
    dateExpense: input.date ?? '2024-03-10T00:00:00Z',
    classification: 'Reimbursable',
    total: input.total,
    glEntryIds: String(++nextEntryId),
  };
}

/** A procurement record: a purchase (packing slip), an inventory adjustment or a transfer. */
export function buildProcurement(input: {
  id?: number;
  procurementType: 'Purchase' | 'Adjustment' | 'Transfer';
  total: number;
  description?: string;
  packingSlip?: string;
}) {
  const id = input.id ?? ++nextInvoiceId;
  return {
    id,
    procurementType: input.procurementType,
    description: input.description ?? `${input.procurementType} ${id}`,
    packingSlip: input.packingSlip,
    purchaseDate: '2024-03-12T00:00:00Z',
    total: input.total,
    glEntryIds: String(++nextEntryId),
  };
}

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
