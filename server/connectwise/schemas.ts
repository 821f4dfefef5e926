import { z } from 'zod';

/**
 * Zod schemas for every ConnectWise response the product reads: a tolerant reader (issue 12). Objects
 * are loose (unknown fields kept) and only the fields the product uses are declared, each with the
 * type ConnectWise's own types give it (connectwise-rest ManageTypes), so a field the product does
 * not use never refuses a record, and a used one of another type fails as cw_bad_response naming the
 * field (transport.ts validate). test/conformance/cw-tolerant-reader.test.ts holds every declared
 * field to a reader in server/ or pod-ui/, and runs corpus files with extra and odd fields.
 */

const money = z.number();
const id = z.number().int();
const ref = z
  .object({ id: id.nullish(), identifier: z.string().optional(), name: z.string().optional() })
  .loose();
const currency = z
  .object({
    id: id.nullish(),
    currencyCode: z.string().optional(),
    numberOfDecimals: z.number().int().optional(),
  })
  .loose();
const invoiceType = z.enum([
  'Agreement',
  'CreditMemo',
  'DownPayment',
  'Miscellaneous',
  'Progress',
  'Standard',
]);

export const companyInfoSchema = z
  .object({
    CompanyName: z.string(),
    Codebase: z.string().regex(/^[\w.-]+\/$/),
  })
  .loose();

export const memberSchema = z
  .object({
    id,
    identifier: z.string(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    primaryEmail: z.string().optional(),
    officeEmail: z.string().optional(),
    inactiveFlag: z.boolean().nullish(),
    securityRole: z.object({ id: id.nullish(), name: z.string().optional() }).loose().optional(),
  })
  .loose();

/**
 * `Company` (ManageTypes): the address fields and the invoice email are what a ledger party shows
 * of it (server/pipeline/party-details.ts).
 */
export const companySchema = z
  .object({
    id,
    identifier: z.string(),
    name: z.string(),
    addressLine1: z.string().nullish(),
    addressLine2: z.string().nullish(),
    city: z.string().nullish(),
    state: z.string().nullish(),
    zip: z.string().nullish(),
    country: z.object({ name: z.string().optional() }).loose().nullish(),
    invoiceToEmailAddress: z.string().nullish(),
  })
  .loose();

export const invoiceSchema = z
  .object({
    id,
    invoiceNumber: z.string(),
    type: invoiceType.nullable(),
    // CW sends a BillingStatusReference {id, name}; `closedFlag` is the product's own addition, from
    // the tenant's billing status table (client.ts withClosedFlag), which is what says closed.
    status: z
      .object({ id: id.nullish(), name: z.string().optional(), closedFlag: z.boolean().nullish() })
      .loose()
      .optional(),
    company: ref.optional(),
    date: z.string().optional(),
    dueDate: z.string().optional(),
    currency: currency.optional(),
    subtotal: money.nullish(),
    total: money.nullish(),
    salesTax: money.nullish(),
    payments: money.nullish(),
    credits: money.nullish(),
    balance: money.nullish(),
    // Not in connectwise-rest's Invoice type nor in the real sample; our notes say CW sends it once
    // batched. Only a hint (server/pipeline/invoice-posting.ts), so a shape other than this is ignored,
    // never a refusal of the invoice.
    glBatch: z.object({ id, name: z.string().optional() }).loose().nullish().catch(undefined),
  })
  .loose();

/** The answer to a create: its id is all the product keeps. */
export const createdSchema = z.object({ id }).loose();

export const paymentSchema = z
  .object({
    id,
    type: z.string().optional(),
    invoice: ref.optional(),
    amount: money.nullish(),
    paymentDate: z.string().optional(),
  })
  .loose();

export const unpostedInvoiceSchema = z
  .object({
    id,
    invoiceNumber: z.string(),
    invoiceType: invoiceType.nullish(),
    invoiceDate: z.string().optional(),
    dueDate: z.string().optional(),
    company: ref.optional(),
    accountNumber: z.string().optional(),
    currency: currency.optional(),
    total: money.nullish(),
    taxCode: ref.optional(),
    locationId: id.nullish(),
    dateClosed: z.string().optional(),
  })
  .loose();

export const unpostedExpenseSchema = z
  .object({
    id,
    total: money.nullish(),
    dateExpense: z.string().optional(),
    member: ref.optional(),
    company: ref.optional(),
    accountNumber: z.string().optional(),
    chargeDescription: z.string().optional(),
    classification: z.string().nullish(),
  })
  .loose();

export const unpostedProcurementSchema = z
  .object({
    id,
    procurementType: z.enum(['Purchase', 'Adjustment', 'Transfer']).nullish(),
    description: z.string().optional(),
    unpostedProductId: z.string().optional(),
    total: money.nullish(),
    // What a purchase's part of a GL export shares with it (see findPurchasePart): the PO, the vendor
    // and the vendor's invoice number, all in ConnectWise's own UnpostedProcurement type.
    purchaseOrder: ref.optional(),
    vendor: ref.optional(),
    vendorInvoiceNumber: z.string().optional(),
    purchaseDate: z.string().optional(),
    currency: currency.optional(),
  })
  .loose();

export const glDetailSchema = z
  .object({
    id: id.nullish(),
    glTypeId: z.string().optional(),
    accountNumber: z.string().optional(),
    description: z.string().optional(),
    memo: z.string().optional(),
    quantity: z.number().nullish(),
    itemPrice: money.nullish(),
    total: money.nullish(),
    taxCodeXref: z.string().optional(),
    taxRate: z.number().nullish(),
    taxRatePercent: z.number().nullish(),
    // CW taxes a line per tax level (up to 5; ManageTypes GLExportTransactionDetail): taxableFlag is
    // level 1, taxable2Flag..taxable5Flag the others, and taxLevels states the same per level.
    taxableFlag: z.boolean().nullish(),
    taxable2Flag: z.boolean().nullish(),
    taxable3Flag: z.boolean().nullish(),
    taxable4Flag: z.boolean().nullish(),
    taxable5Flag: z.boolean().nullish(),
    taxLevels: z
      .array(z.object({ taxableFlag: z.boolean().optional(), taxLevel: z.number().int().optional() }).loose())
      .optional(),
  })
  .loose();

/** CW's tax of a transaction per level (ManageTypes GLExportTransactionTaxLevel). */
export const glTaxLevelSchema = z
  .object({
    taxAmount: money.nullish(),
    taxableAmount: money.nullish(),
    taxCodeXref: z.string().optional(),
    taxLevel: z.number().int().optional(),
  })
  .loose();

export const glTransactionSchema = z
  .object({
    id: id.nullish(),
    glTypeId: z.string().optional(),
    documentNumber: z.string(),
    documentType: z.string().optional(),
    documentDate: z.string().optional(),
    dueDate: z.string().optional(),
    company: ref.optional(),
    companyAccountNumber: z.string().optional(),
    accountNumber: z.string().optional(),
    currency: currency.optional(),
    total: money.nullish(),
    salesTax: money.nullish(),
    taxCode: ref.optional(),
    // ConnectWise sends glEntryIds as one comma-separated string; parse with parseGlEntryIds.
    glEntryIds: z.string().optional(),
    taxLevels: z.array(glTaxLevelSchema).optional(),
    detail: z.array(glDetailSchema).optional(),
  })
  .loose();

const looseRecord = z.object({}).loose();

/*
 * Expenses, purchases and inventory adjustments in a GLExport. Sign convention as for invoices: a header
 * total is the document's amount; detail lines are signed by GL side, debits positive, credits negative
 * (expense and inventory lines of a bill are positive; stock removed by an adjustment is negative).
 */

export const glExportExpenseBillDetailSchema = z
  .object({
    // An array here, unlike the comma-separated glEntryIds string of a transaction: the expense entry's GL entry ids.
    id: z.array(id).optional(),
    documentDate: z.string().optional(),
    glTypeId: z.string().optional(),
    memo: z.string().optional(),
    company: ref.optional(),
    accountNumber: z.string().optional(),
    currency: currency.optional(),
    total: money.nullish(),
    reimbursable: z.boolean().nullish(),
  })
  .loose();

export const glExportExpenseBillSchema = z
  .object({
    id: id.nullish(),
    documentDate: z.string().optional(),
    documentType: z.string().optional(),
    documentNumber: z.string().optional(),
    memo: z.string().optional(),
    apAccountNumber: z.string().optional(),
    member: ref.optional(),
    vendorNumber: z.string().optional(),
    currency: currency.optional(),
    total: money.nullish(),
    detail: z.array(glExportExpenseBillDetailSchema).optional(),
  })
  .loose();

const itemRef = z.object({ id: id.nullish(), identifier: z.string().optional() }).loose();

/*
 * A purchase's detail and tax lines. Signs as on an invoice (real GLExports in the Zynk-Workflow
 * ConnectWise connector docs, zynksoftware/Zynk-Workflow _docs/ConnectWise-Connector/
 * Exporting-GL-Batches-from-ConnectWise-REST-Interface.md@46db231e58c8): the header `total` is
 * positive while each item line comes as a credit, `quantity` -50 and `total` -12.5; `cost` (12.5) is
 * the line's extended cost and `itemCost` (0.25) the unit cost. Freight may come as its own line
 * (`glTypeId` "PF"), and purchase tax as GL entries of its own in `purchaseDetailTax`.
 */
export const glExportPurchaseDetailSchema = z
  .object({
    /** The line's GL entry id. */
    id: id.nullish(),
    glTypeId: z.string().optional(),
    description: z.string().optional(),
    memo: z.string().optional(),
    accountNumber: z.string().optional(),
    item: itemRef.optional(),
    itemDescription: z.string().optional(),
    /** The extended cost of the line (quantity x unit cost), unsigned. */
    cost: money.nullish(),
    /** The unit cost. */
    itemCost: money.nullish(),
    quantity: z.number().nullish(),
    total: money.nullish(),
    /** Whether CW charged purchase tax on the line, and under which code (ManageTypes). */
    taxable: z.boolean().nullish(),
    taxCodeXref: z.string().optional(),
  })
  .loose();

/** A purchase tax GL entry (`GLExportPurchaseTransactionDetailTax`): its own id, account and amount. */
export const glExportPurchaseDetailTaxSchema = z
  .object({
    id: id.nullish(),
    glTypeId: z.string().optional(),
    accountNumber: z.string().optional(),
    memo: z.string().optional(),
    total: money.nullish(),
    taxCode: ref.optional(),
  })
  .loose();

/*
 * Only the fields the product reads are declared (a tolerant reader): anything else CW sends, of any
 * type, is kept and never refuses a record.
 */
export const glExportPurchaseTransactionSchema = z
  .object({
    // A string here, unlike a transaction's numeric id, and not the unposted product id: a real export
    // shows "PO #COMPANYBPO, Packing Slip: COMPANYBPO" (Zynk-Workflow docs, above). findPurchasePart
    // matches a purchase by the keys it shares with the unposted procurement instead.
    id: z.string().optional(),
    documentDate: z.string().optional(),
    documentNumber: z.string().optional(),
    purchaseDate: z.string().optional(),
    /** The vendor. */
    company: ref.optional(),
    freightAmount: money.nullish(),
    packingSlip: z.string().optional(),
    currency: currency.optional(),
    total: money.nullish(),
    billingTermsXref: z.string().optional(),
    dueDays: z.number().int().nullish(),
    vendorNumber: z.string().optional(),
    vendorAccountNumber: z.string().optional(),
    vendorInvoiceDate: z.string().optional(),
    vendorInvoiceNumber: z.string().optional(),
    /** The purchase's tax code, and whether its freight is taxed (ManageTypes GLExportPurchaseTransaction). */
    taxCode: ref.optional(),
    purchaseHeaderFreightTaxableFlag: z.boolean().nullish(),
    purchaseDetail: z.array(glExportPurchaseDetailSchema).optional(),
    purchaseDetailTax: z.array(glExportPurchaseDetailTaxSchema).optional(),
  })
  .loose();

export const glExportAdjustmentDetailSchema = z
  .object({
    description: z.string().optional(),
    memo: z.string().optional(),
    item: itemRef.optional(),
    /** Units added (positive) or removed (negative). */
    quantity: z.number().int().nullish(),
    total: money.nullish(),
    cost: money.nullish(),
    inventoryAccountNumber: z.string().optional(),
    accountNumber: z.string().optional(),
    productAccountNumber: z.string().optional(),
  })
  .loose();

export const glExportAdjustmentTransactionSchema = z
  .object({
    id: z.string().optional(),
    documentType: z.string().optional(),
    documentDate: z.string().optional(),
    accountNumber: z.string().optional(),
    memo: z.string().optional(),
    adjustmentDescription: z.string().optional(),
    adjustmentDetail: z.array(glExportAdjustmentDetailSchema).optional(),
  })
  .loose();

/*
 * One transferred item of an inventory transfer (`GLExportInventoryTransfer` in connectwise-rest's
 * ManageTypes, ConnectWise's own OpenAPI): the transfer's GL entry, with its `offset` entry (its own
 * numeric `id`, account and total) on the other side; only the fields read are declared (a tolerant
 * reader). `transferId` names the transfer, so a transfer of several items comes as several of these. No published export shows one: which side the header
 * `accountNumber`/`inventoryAccountNumber` stands for and the offset's sign are read as for expenses
 * (`GLExportExpense` and its offset, a real export): a guess, which the journal's balance check catches.
 */
export const glExportInventoryTransferOffsetSchema = z
  .object({
    id: id.nullish(),
    accountNumber: z.string().optional(),
    total: money.nullish(),
  })
  .loose();

export const glExportInventoryTransferSchema = z
  .object({
    // A string, as for adjustments; the transfer's GL entry id when it is numeric (adjustments-and-transfers.ts).
    id: z.string().optional(),
    documentDate: z.string().optional(),
    accountNumber: z.string().optional(),
    inventoryAccountNumber: z.string().optional(),
    description: z.string().optional(),
    memo: z.string().optional(),
    transferId: id.nullish(),
    item: itemRef.optional(),
    itemDescription: z.string().optional(),
    currency: currency.optional(),
    total: money.nullish(),
    offset: glExportInventoryTransferOffsetSchema.nullish(),
  })
  .loose();

export const glExportSchema = z
  .object({
    customers: z.array(looseRecord).optional(),
    vendors: z.array(looseRecord).optional(),
    transactions: z.array(glTransactionSchema).optional(),
    expenseBills: z.array(glExportExpenseBillSchema).optional(),
    purchaseTransactions: z.array(glExportPurchaseTransactionSchema).optional(),
    adjustmentTransactions: z.array(glExportAdjustmentTransactionSchema).optional(),
    inventoryTransfers: z.array(glExportInventoryTransferSchema).optional(),
  })
  .loose();

export const accountingBatchSchema = z
  .object({
    id,
    batchIdentifier: z.string(),
    exportInvoicesFlag: z.boolean().nullish(),
    exportExpensesFlag: z.boolean().nullish(),
    exportProductsFlag: z.boolean().nullish(),
  })
  .loose();

/**
 * `GLAccount` as CW's types have it: no account number or description of its own, but a GL type, the
 * record it maps (`mappedType`/`mappedRecord`) and account segments (gl-account-choices.ts).
 */
export const glAccountSchema = z
  .object({
    id,
    segment1: z.string().optional(),
    mappedType: z.object({ name: z.string().optional() }).loose().nullish(),
    mappedRecord: z.object({ name: z.string().optional() }).loose().nullish(),
  })
  .loose();

export const taxCodeSchema = z
  .object({ id, identifier: z.string(), description: z.string().optional() })
  .loose();

/** `BillingTerm`: the GL export names an invoice's terms by `termsXref` (its billingTermsXref). */
export const billingTermSchema = z
  .object({
    id,
    name: z.string(),
    termsXref: z.string().optional(),
  })
  .loose();

/**
 * `BillingStatus` (GET /finance/billingStatuses, connectwise-rest ManageTypes): the tenant's own
 * invoice statuses. `closedFlag` is CW's documented word on whether an invoice in the status is
 * closed; MSPs name statuses freely ("Paid", "Done"), so the name says nothing.
 */
export const billingStatusSchema = z
  .object({
    id,
    name: z.string().optional(),
    closedFlag: z.boolean().nullish(),
    inactiveFlag: z.boolean().nullish(),
  })
  .loose();

/** `SecurityRole`: a member's `securityRole.name` is what the tenant's role map keys on. */
export const securityRoleSchema = z
  .object({
    id,
    name: z.string(),
    inactiveFlag: z.boolean().nullish(),
  })
  .loose();

/** A CW location (`/system/locations`): what a ledger connection's routing names. */
export const locationSchema = z
  .object({
    id,
    name: z.string(),
  })
  .loose();

export const callbackEntrySchema = z
  .object({
    id,
    description: z.string().optional(),
    url: z.string(),
    objectId: id.nullish(),
    type: z.string().optional(),
    level: z.string().optional(),
    inactiveFlag: z.boolean().nullish(),
  })
  .loose();

export const hostedScreenSchema = z.object({ id, screenId: z.string(), name: z.string() }).loose();

export const hostedSetupSchema = z
  .object({
    id,
    screenId: id.nullable(),
    description: z.string(),
    url: z.string(),
    type: z.enum(['Tab', 'Pod', 'ToolbarButton']).nullable(),
    origin: z.string().optional(),
    podHeight: z.number().int().nullish(),
    clientId: z.string().optional(),
    disabledFlag: z.boolean().nullish(),
    locationIds: z.array(id).optional(),
  })
  .loose();

export const countSchema = z.object({ count: z.number().int() });
export const signingKeySchema = z.object({ signing_key: z.string().min(1) }).loose();

export type CompanyInfo = z.infer<typeof companyInfoSchema>;
export type Member = z.infer<typeof memberSchema>;
export type Company = z.infer<typeof companySchema>;
export type Invoice = z.infer<typeof invoiceSchema>;
export type Payment = z.infer<typeof paymentSchema>;
export type UnpostedInvoice = z.infer<typeof unpostedInvoiceSchema>;
export type UnpostedExpense = z.infer<typeof unpostedExpenseSchema>;
export type UnpostedProcurement = z.infer<typeof unpostedProcurementSchema>;
export type GlTransaction = z.infer<typeof glTransactionSchema>;
export type GlExport = z.infer<typeof glExportSchema>;
export type GlExportExpenseBill = z.infer<typeof glExportExpenseBillSchema>;
export type GlExportPurchaseTransaction = z.infer<typeof glExportPurchaseTransactionSchema>;
export type GlExportAdjustmentTransaction = z.infer<typeof glExportAdjustmentTransactionSchema>;
export type GlExportInventoryTransfer = z.infer<typeof glExportInventoryTransferSchema>;
export type AccountingBatch = z.infer<typeof accountingBatchSchema>;
export type GlAccount = z.infer<typeof glAccountSchema>;
export type TaxCode = z.infer<typeof taxCodeSchema>;
export type BillingTerm = z.infer<typeof billingTermSchema>;
export type BillingStatus = z.infer<typeof billingStatusSchema>;
export type SecurityRole = z.infer<typeof securityRoleSchema>;
export type Location = z.infer<typeof locationSchema>;
export type CallbackEntry = z.infer<typeof callbackEntrySchema>;
export type HostedScreen = z.infer<typeof hostedScreenSchema>;
export type HostedSetup = z.infer<typeof hostedSetupSchema>;
