import { z } from 'zod';

/**
 * Xero accounting wire shapes (PascalCase), validated at the boundary. Only the fields the product
 * reads are declared; everything else passes through untouched (looseObject).
 */
const money = z.number();

/**
 * What the product reads of an invoice, bill or credit note. Lines, SubTotal and TotalTax are
 * written, never read back: left undeclared, a surprise in them cannot refuse an answer.
 */
const documentFields = {
  Type: z.string(),
  Status: z.string(),
  CurrencyCode: z.string(),
  Total: money,
  UpdatedDateUTC: z.string().optional(),
};

export const invoiceWire = z.looseObject({
  ...documentFields,
  InvoiceID: z.string(),
  InvoiceNumber: z.string().optional(),
  AmountDue: money,
  AmountPaid: money.optional(),
  AmountCredited: money.optional(),
});
export type InvoiceWire = z.infer<typeof invoiceWire>;

export const creditNoteWire = z.looseObject({
  ...documentFields,
  CreditNoteID: z.string(),
  CreditNoteNumber: z.string().optional(),
  RemainingCredit: money.optional(),
});
export type CreditNoteWire = z.infer<typeof creditNoteWire>;

export const manualJournalWire = z.looseObject({
  ManualJournalID: z.string(),
  Narration: z.string(),
  Status: z.string().optional(),
  JournalLines: z.array(z.looseObject({ LineAmount: money, AccountCode: z.string().optional() })).optional(),
});
export type ManualJournalWire = z.infer<typeof manualJournalWire>;

export const paymentWire = z.looseObject({
  PaymentID: z.string(),
  Amount: money,
  Date: z.string(),
  Status: z.string().optional(),
  UpdatedDateUTC: z.string(),
  Invoice: z
    .looseObject({
      InvoiceID: z.string(),
      InvoiceNumber: z.string().optional(),
      CurrencyCode: z.string().optional(),
    })
    .optional(),
  CreditNote: z
    .looseObject({
      CreditNoteID: z.string(),
      CreditNoteNumber: z.string().optional(),
      CurrencyCode: z.string().optional(),
    })
    .optional(),
});
export type PaymentWire = z.infer<typeof paymentWire>;

export const contactWire = z.looseObject({
  ContactID: z.string(),
  Name: z.string().optional(),
  AccountNumber: z.string().optional(),
  ContactStatus: z.string().optional(),
});

export const accountWire = z.looseObject({
  Code: z.string().optional(),
  Name: z.string(),
  Type: z.string().optional(),
  Status: z.string().optional(),
});
export const taxRateWire = z.looseObject({
  TaxType: z.string(),
  Name: z.string(),
  EffectiveRate: z.number().optional(),
  DisplayTaxRate: z.number().optional(),
  Status: z.string().optional(),
});
export const trackingCategoryWire = z.looseObject({
  TrackingCategoryID: z.string(),
  Name: z.string(),
  Status: z.string().optional(),
  Options: z
    .array(z.looseObject({ TrackingOptionID: z.string(), Name: z.string(), Status: z.string().optional() }))
    .default([]),
});
export const itemWire = z.looseObject({
  Code: z.string(),
  Name: z.string().optional(),
  Description: z.string().optional(),
});
export const allocationWire = z.looseObject({ AllocationID: z.string().optional(), Amount: money });

/** GET /Organisation: only what the product reads. */
export const organisationWire = z.looseObject({
  OrganisationID: z.string().optional(),
  BaseCurrency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code'),
  /** "Shown if set" (xero_accounting.yaml): `/Date(ms+0000)/`. Read as dates in books-lock terms. */
  PeriodLockDate: z.string().optional(),
  EndOfYearLockDate: z.string().optional(),
});

/** `{Invoices:[...]}` and friends: the envelope every accounting endpoint answers with. */
export const envelope = <K extends string, T extends z.ZodType>(key: K, item: T) =>
  z.looseObject({ [key]: z.array(item) } as { [P in K]: z.ZodArray<T> });

/** `/Date(1552262400000+0000)/` to an ISO timestamp; ISO text passes through. */
export function fromMsDate(value: string): string {
  const match = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value);
  if (match) return new Date(Number(match[1])).toISOString();
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new RangeError(`not a Xero date: ${value}`);
  return new Date(parsed).toISOString();
}
