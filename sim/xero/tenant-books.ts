import { type LockDates, noLocks } from './lock-dates.js';

/** A Xero entity as it travels on the wire: PascalCase keys, JSON values. */
export type Wire = Record<string, unknown>;

/** One Xero organisation's books, all in wire format so responses are the stored objects. */
export interface TenantBooks {
  tenantId: string;
  name: string;
  createdMs: number;
  baseCurrency: string;
  lockDates: LockDates;
  Invoices: Wire[];
  CreditNotes: Wire[];
  Payments: Wire[];
  Contacts: Wire[];
  ManualJournals: Wire[];
  Accounts: Wire[];
  TaxRates: Wire[];
  TrackingCategories: Wire[];
  Items: Wire[];
}

export function emptyBooks(
  tenantId: string,
  name: string,
  createdMs: number,
  baseCurrency = 'USD',
): TenantBooks {
  return {
    tenantId,
    name,
    createdMs,
    baseCurrency,
    lockDates: noLocks(),
    Invoices: [],
    CreditNotes: [],
    Payments: [],
    Contacts: [],
    ManualJournals: [],
    Accounts: [],
    TaxRates: [],
    TrackingCategories: [],
    Items: [],
  };
}

export const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

export const obj = (value: unknown): Wire =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : {};

export const arr = (value: unknown): Wire[] => (Array.isArray(value) ? value.map(obj) : []);

export const sameText = (a: unknown, b: unknown): boolean =>
  str(a)?.toLowerCase() !== undefined && str(a)?.toLowerCase() === str(b)?.toLowerCase();
