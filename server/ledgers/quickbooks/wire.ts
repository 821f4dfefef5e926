import { z } from 'zod';

/**
 * What we read from QBO, validated at the boundary. Loose objects: QBO adds fields with each
 * minor version, and we only depend on these. Amounts stay number | string until money.ts parses them.
 */
const amount = z.union([z.number(), z.string()]);
export const refSchema = z.looseObject({ value: z.string(), name: z.string().optional() });
const metaData = z.looseObject({ CreateTime: z.string().optional(), LastUpdatedTime: z.string().optional() });

export const linkedTxnSchema = z.looseObject({ TxnId: z.string(), TxnType: z.string() });

export const documentSchema = z.looseObject({
  Id: z.string(),
  SyncToken: z.string(),
  DocNumber: z.string().optional(),
  TxnDate: z.string().optional(),
  TotalAmt: amount.optional(),
  Balance: amount.optional(),
  CurrencyRef: refSchema.optional(),
  PrivateNote: z.string().optional(),
  CustomerRef: refSchema.optional(),
  MetaData: metaData.optional(),
  /** Read for journals only (their total is their debit lines). */
  Line: z
    .array(
      z.looseObject({
        Amount: amount.optional(),
        JournalEntryLineDetail: z.looseObject({ PostingType: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type QboDocument = z.infer<typeof documentSchema>;

export const partySchema = z.looseObject({
  Id: z.string(),
  /** Required on an update; a stale one is refused with 5010 (domain.md §4). */
  SyncToken: z.string().optional(),
  DisplayName: z.string(),
  AcctNum: z.string().optional(),
  Notes: z.string().optional(),
  Active: z.boolean().optional(),
});

export const paymentSchema = z.looseObject({
  Id: z.string(),
  TotalAmt: amount.optional(),
  TxnDate: z.string().optional(),
  PrivateNote: z.string().optional(),
  CurrencyRef: refSchema.optional(),
  MetaData: metaData.optional(),
  Line: z
    .array(z.looseObject({ Amount: amount.optional(), LinkedTxn: z.array(linkedTxnSchema).optional() }))
    .optional(),
});
type QboPayment = z.infer<typeof paymentSchema>;

export const deletedSchema = z.looseObject({
  Id: z.string(),
  status: z.literal('Deleted'),
  MetaData: metaData.optional(),
});

export const optionSchema = z.looseObject({
  Id: z.string(),
  Name: z.string().optional(),
  FullyQualifiedName: z.string().optional(),
  Active: z.boolean().optional(),
  AccountType: z.string().optional(),
  Type: z.string().optional(),
  Description: z.string().optional(),
  DueDays: z.number().int().optional(),
});

/** node-quickbooks resolves find* with the whole body: `{QueryResponse: {Invoice: [...]}}`. */
export const queryResponseSchema = z.looseObject({
  QueryResponse: z.record(z.string(), z.unknown()),
});

export const cdcResponseSchema = z.looseObject({
  CDCResponse: z.array(
    z.looseObject({ QueryResponse: z.array(z.record(z.string(), z.unknown())).optional() }),
  ),
});

/** A TaxCode: the rates it charges on sales (TaxRateDetail per rate). */
const taxRateList = z
  .looseObject({
    TaxRateDetail: z.array(z.looseObject({ TaxRateRef: z.looseObject({ value: z.string() }) })).optional(),
  })
  .optional();
/** A TaxCode: its sales rates (invoices) and purchase rates (bills), Finance.xsd TaxCode. */
export const taxCodeSchema = z.looseObject({
  Id: z.string(),
  SalesTaxRateList: taxRateList,
  PurchaseTaxRateList: taxRateList,
});

/** A TaxRate: RateValue is the percent ("20", "7.25"). */
export const taxRateSchema = z.looseObject({
  Id: z.string(),
  RateValue: z.union([z.number(), z.string()]).optional(),
});
