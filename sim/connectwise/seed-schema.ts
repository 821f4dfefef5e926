import { z } from 'zod';
import { billingStatusSeed, billingTermSeed, locationSeed, securityRoleSeed } from './setup-tables.js';

/**
 * Seed data in CW's own wire format. Objects are loose: any extra CW field given is kept and served back,
 * so tests can seed exactly what a real instance would return.
 */
const ref = z
  .object({ id: z.number().int(), identifier: z.string().optional(), name: z.string().optional() })
  .loose();
const amount = z.number();

export const companySeed = z
  .object({ id: z.number().int(), identifier: z.string(), name: z.string() })
  .loose();

export const memberSeed = z
  .object({
    id: z.number().int(),
    identifier: z.string(),
    firstName: z.string().default(''),
    lastName: z.string().default(''),
    primaryEmail: z.string().optional(),
    officeEmail: z.string().optional(),
    securityRole: z.object({ id: z.number().int(), name: z.string() }).optional(),
    inactiveFlag: z.boolean().default(false),
  })
  .loose();

export const apiMemberSeed = z.object({
  companyId: z.string().min(1),
  publicKey: z.string().min(1),
  privateKey: z.string().min(1),
});

export const invoiceSeed = z
  .object({
    id: z.number().int(),
    invoiceNumber: z.string().min(1),
    type: z.enum(['Agreement', 'CreditMemo', 'DownPayment', 'Miscellaneous', 'Progress', 'Standard']),
    // isClosed is a seed-only hint for a status the seed's billing status table lacks; otherwise the
    // table's closedFlag decides, as in CW (posting.ts isInvoiceClosed).
    status: z
      .object({ id: z.number().int().optional(), name: z.string(), isClosed: z.boolean().optional() })
      .loose(),
    company: ref,
    date: z.string(),
    total: amount,
    subtotal: amount.optional(),
    salesTax: amount.default(0),
    payments: amount.default(0),
    credits: amount.default(0),
    balance: amount.optional(),
    glBatch: z.object({ id: z.number().int(), name: z.string() }).optional(),
  })
  .loose();

const glDetail = z
  .object({
    id: z.number().int(),
    glTypeId: z.string(),
    accountNumber: z.string().optional(),
    quantity: amount.optional(),
    total: amount,
  })
  .loose();

export const glTransactionSeed = z
  .object({
    id: z.number().int().optional(),
    glTypeId: z.string().default('AR'),
    documentNumber: z.string(),
    documentType: z.string().default('INVOICE'),
    total: amount,
    // ConnectWise sends glEntryIds as one comma-separated string.
    glEntryIds: z.string().regex(/^\d+(,\d+)*$/),
    detail: z.array(glDetail).default([]),
  })
  .loose();

export const expenseSeed = z
  .object({
    id: z.number().int(),
    total: amount,
    glEntryIds: z.string().regex(/^\d+(,\d+)*$/),
    glBatch: z.object({ id: z.number().int(), name: z.string() }).optional(),
  })
  .loose();

/**
 * One received or adjusted item of a procurement record, with the GL entry it created. CW's
 * UnpostedProcurement does not show items; only the GL export does.
 */
export const procurementLineSeed = z.object({
  id: z.number().int(),
  item: z.object({ id: z.number().int().optional(), identifier: z.string() }),
  description: z.string(),
  /** Purchases: units received; adjustments: units added (positive) or removed (negative). */
  quantity: z.number().int(),
  unitCost: amount,
  total: amount,
  /** The account debited (purchases) or the adjustment's offset account. */
  accountNumber: z.string(),
  inventoryAccountNumber: z.string(),
  costAccountNumber: z.string(),
  taxable: z.boolean().default(false),
  unitOfMeasure: z.string().default('Each'),
  /** An item received, the PO's freight (a "PF" GL entry) or purchase tax (a `purchaseDetailTax` entry). */
  role: z.enum(['item', 'freight', 'tax']).default('item'),
  /**
   * Transfers: the item's offset GL entry (`GLExportInventoryTransferOffset` has an id of its own),
   * on the account of the warehouse the stock left, and the two warehouses' location xrefs.
   */
  offsetId: z.number().int().optional(),
  offsetAccountNumber: z.string().optional(),
  fromLocationXref: z.string().optional(),
  toLocationXref: z.string().optional(),
});

/**
 * `lines` is simulator bookkeeping, not part of UnpostedProcurement: it is kept non-enumerable so
 * the Accounting Interface views (which spread the record) never put it on the wire.
 */
const hideLines = <T extends { lines?: unknown }>(record: T): T => {
  const { lines } = record;
  delete record.lines;
  if (lines !== undefined) Object.defineProperty(record, 'lines', { value: lines, enumerable: false });
  return record;
};

export const procurementSeed = z
  .object({
    id: z.number().int(),
    procurementType: z.enum(['Purchase', 'Adjustment', 'Transfer']),
    description: z.string().default(''),
    packingSlip: z.string().optional(),
    total: amount,
    glEntryIds: z.string().regex(/^\d+(,\d+)*$/),
    glBatch: z.object({ id: z.number().int(), name: z.string() }).optional(),
    lines: z.array(procurementLineSeed).optional(),
  })
  .loose()
  .transform(hideLines);

export const hostedScreenSeed = z.object({ id: z.number().int(), screenId: z.string(), name: z.string() });

export const seedSchema = z.object({
  companyName: z.string().optional(),
  companies: z.array(companySeed).default([]),
  members: z.array(memberSeed).default([]),
  apiMembers: z.array(apiMemberSeed).default([]),
  invoices: z.array(invoiceSeed).default([]),
  glTransactions: z.array(glTransactionSeed).default([]),
  expenses: z.array(expenseSeed).default([]),
  procurement: z.array(procurementSeed).default([]),
  glAccounts: z.array(z.object({ id: z.number().int() }).loose()).default([]),
  taxCodes: z.array(z.object({ id: z.number().int(), identifier: z.string() }).loose()).default([]),
  hostedScreens: z.array(hostedScreenSeed).optional(),
  // Setup tables: given, they replace the defaults a fresh simulator starts with.
  billingTerms: z.array(billingTermSeed).optional(),
  securityRoles: z.array(securityRoleSeed).optional(),
  locations: z.array(locationSeed).optional(),
  billingStatuses: z.array(billingStatusSeed).optional(),
});

export type Seed = z.input<typeof seedSchema>;
export type CompanySeed = z.infer<typeof companySeed>;
export type MemberSeed = z.infer<typeof memberSeed>;
export type InvoiceRecord = z.infer<typeof invoiceSeed> & { dateClosed?: string };
export type GlTransactionRecord = z.infer<typeof glTransactionSeed>;
export type ExpenseRecord = z.infer<typeof expenseSeed>;
export type ProcurementRecord = z.infer<typeof procurementSeed>;
export type ProcurementLine = z.infer<typeof procurementLineSeed>;
export type HostedScreen = z.infer<typeof hostedScreenSeed>;
