import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { arr, emptyBooks, type TenantBooks, type Wire } from './tenant-books.js';
import { msDate } from './wire-format.js';

const entity = z.looseObject({});
const tenantSeed = z.object({
  name: z.string().min(1),
  baseCurrency: z.string().length(3).default('USD'),
  /** A realistic chart of accounts, tax rates, a tracking category and a few items. */
  defaults: z.boolean().default(false),
  Contacts: z.array(entity.extend({ Name: z.string().min(1) })).default([]),
  Accounts: z
    .array(entity.extend({ Code: z.string().min(1), Name: z.string(), Type: z.string() }))
    .default([]),
  TaxRates: z
    .array(entity.extend({ TaxType: z.string().min(1), Name: z.string(), EffectiveRate: z.number() }))
    .default([]),
  TrackingCategories: z
    .array(entity.extend({ Name: z.string(), Options: z.array(entity.extend({ Name: z.string() })) }))
    .default([]),
  Items: z.array(entity.extend({ Code: z.string().min(1).max(30) })).default([]),
});

export const seedSchema = z.object({
  defaults: z.boolean().default(false),
  tenants: z.record(z.string().min(1), tenantSeed),
});
type XeroSeed = z.input<typeof seedSchema>;

const defaultAccounts = [
  ['090', 'Business Bank Account', 'BANK'],
  ['200', 'Sales', 'REVENUE'],
  ['260', 'Other Revenue', 'REVENUE'],
  ['270', 'Interest Income', 'REVENUE'],
  ['310', 'Cost of Goods Sold', 'DIRECTCOSTS'],
  ['400', 'Advertising', 'EXPENSE'],
  ['429', 'General Expenses', 'EXPENSE'],
  ['453', 'Office Expenses', 'EXPENSE'],
  ['477', 'Wages and Salaries', 'EXPENSE'],
  ['610', 'Accounts Receivable', 'CURRENT'],
  ['630', 'Inventory', 'INVENTORY'],
  ['800', 'Accounts Payable', 'CURRLIAB'],
  ['820', 'Sales Tax', 'CURRLIAB'],
] as const;

const defaultTaxRates = [
  ['OUTPUT', 'Tax on Sales', 10],
  ['INPUT', 'Tax on Purchases', 10],
  ['EXEMPTOUTPUT', 'Tax Exempt Sales', 0],
  ['EXEMPTEXPENSES', 'Tax Exempt Expenses', 0],
  ['NONE', 'No Tax', 0],
] as const;

function defaults(): Pick<TenantBooks, 'Accounts' | 'TaxRates' | 'TrackingCategories' | 'Items'> {
  return {
    Accounts: defaultAccounts.map(([Code, Name, Type]) => ({
      Code,
      Name,
      Type,
      ...(Type === 'BANK' ? { BankAccountNumber: '1234567890', EnablePaymentsToAccount: true } : {}),
      TaxType: Type === 'REVENUE' ? 'OUTPUT' : Type === 'EXPENSE' ? 'INPUT' : 'NONE',
    })),
    TaxRates: defaultTaxRates.map(([TaxType, Name, EffectiveRate]) => ({ TaxType, Name, EffectiveRate })),
    TrackingCategories: [{ Name: 'Region', Options: [{ Name: 'North' }, { Name: 'South' }] }],
    Items: [
      { Code: 'LABOR', Name: 'Labor', Description: 'Professional services' },
      { Code: 'AGREEMENT', Name: 'Managed services agreement' },
    ],
  };
}

/** Seed data in wire format, with the ids, statuses and timestamps Xero would have given it. */
export function seedBooks(body: unknown, now: number): TenantBooks[] {
  const seed = seedSchema.parse(body);
  return Object.entries(seed.tenants).map(([tenantId, t]) => {
    const books = emptyBooks(tenantId, t.name, now, t.baseCurrency);
    const base = seed.defaults || t.defaults ? defaults() : undefined;
    const stamp = (w: Wire) => ({ UpdatedDateUTC: msDate(now), ...w });
    books.Contacts = t.Contacts.map((c) => stamp({ ContactID: randomUUID(), ContactStatus: 'ACTIVE', ...c }));
    books.Accounts = [...(base?.Accounts ?? []), ...t.Accounts].map((a) =>
      stamp({ AccountID: randomUUID(), Status: 'ACTIVE', ...a }),
    );
    books.TaxRates = [...(base?.TaxRates ?? []), ...t.TaxRates].map((r) => ({
      Status: 'ACTIVE',
      DisplayTaxRate: r.EffectiveRate,
      CanApplyToRevenue: true,
      ...r,
    }));
    books.TrackingCategories = [...(base?.TrackingCategories ?? []), ...t.TrackingCategories].map((c) => ({
      TrackingCategoryID: randomUUID(),
      Status: 'ACTIVE',
      ...c,
      Options: arr(c.Options).map((o) => ({ TrackingOptionID: randomUUID(), Status: 'ACTIVE', ...o })),
    }));
    books.Items = [...(base?.Items ?? []), ...t.Items].map((i) => stamp({ ItemID: randomUUID(), ...i }));
    return books;
  });
}
