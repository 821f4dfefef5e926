import { z } from 'zod';

/**
 * CW setup tables the product reads for its editors (billing terms, security roles) and the
 * billing statuses that decide whether an invoice is closed. Seeded in CW's wire shape
 * (connectwise-rest `BillingTerm`, `SecurityRole`, `BillingStatus`); loose, so any extra CW field
 * given is served back.
 */

export const billingTermSeed = z
  .object({
    id: z.number().int(),
    name: z.string().min(1).max(50),
    defaultFlag: z.boolean().default(false),
    dueDays: z.number().int().nullable().default(null),
    termsXref: z.string().max(50).optional(),
  })
  .loose();

export const securityRoleSeed = z
  .object({
    id: z.number().int(),
    name: z.string().min(1).max(30),
    adminFlag: z.boolean().default(false),
    // Always present, so `inactiveFlag=false` conditions match as they do in CW.
    inactiveFlag: z.boolean().default(false),
  })
  .loose();

export const billingStatusSeed = z
  .object({
    id: z.number().int(),
    name: z.string().min(1).max(30),
    sortOrder: z.number().int().default(0),
    defaultFlag: z.boolean().default(false),
    closedFlag: z.boolean().default(false),
    sentFlag: z.boolean().default(false),
    inactiveFlag: z.boolean().default(false),
  })
  .loose();

/** CW's `Location` (system/locations): the places records come from, `locationId` on an invoice. */
export const locationSeed = z
  .object({
    id: z.number().int(),
    name: z.string().min(1).max(50),
    ownerLevelId: z.number().int().nullable().default(1),
  })
  .loose();

export type BillingTerm = z.infer<typeof billingTermSeed>;
export type Location = z.infer<typeof locationSeed>;
export type SecurityRole = z.infer<typeof securityRoleSeed>;
export type BillingStatus = z.infer<typeof billingStatusSeed>;

/** What a fresh CW instance ships with, give or take; `termsXref` is what the GL export names. */
export const defaultBillingTerms = (): BillingTerm[] =>
  [
    { id: 1, name: 'Net 30', defaultFlag: true, dueDays: 30, termsXref: 'Net 30' },
    { id: 2, name: 'Net 15', dueDays: 15, termsXref: 'Net 15' },
    { id: 3, name: 'Due on receipt', dueDays: 0, termsXref: 'Due on receipt' },
    { id: 4, name: 'Net 60', dueDays: 60, termsXref: 'Net 60' },
  ].map((t) => billingTermSeed.parse(t));

/** Ids 63-65 are the roles the fixtures' and the demo's members carry. */
export const defaultSecurityRoles = (): SecurityRole[] =>
  [
    { id: 63, name: 'Admin', adminFlag: true },
    { id: 64, name: 'Finance' },
    { id: 65, name: 'Technician' },
    { id: 66, name: 'Sales' },
    { id: 67, name: 'Dispatch' },
    { id: 68, name: 'Contractor (old)', inactiveFlag: true },
  ].map((r) => securityRoleSeed.parse(r));

/** Id 1 is the location the invoice fixtures carry. */
export const defaultLocations = (): Location[] =>
  [
    { id: 1, name: 'Tampa HQ' },
    { id: 2, name: 'Orlando' },
    { id: 3, name: 'Remote services' },
  ].map((l) => locationSeed.parse(l));

/** Ids 1 and 2 are the statuses the invoice fixtures use (New, Closed). */
export const defaultBillingStatuses = (): BillingStatus[] =>
  [
    { id: 1, name: 'New', sortOrder: 1, defaultFlag: true },
    { id: 3, name: 'Sent', sortOrder: 2, sentFlag: true },
    { id: 2, name: 'Closed', sortOrder: 3, closedFlag: true },
  ].map((s) => billingStatusSeed.parse(s));

/** CW stamps list items with `_info`; the simulator adds it on the way out. */
export const withInfo = <T extends object>(record: T) => ({
  ...record,
  _info: { lastUpdated: '2025-01-01T00:00:00Z', updatedBy: 'admin1' },
});
