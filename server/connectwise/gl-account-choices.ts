import type { GlAccount } from './schemas.js';

export interface GlAccountChoice {
  /** What the GL export names the account by (a detail line's `accountNumber`). */
  key: string;
  name: string;
}

/**
 * The GL accounts a mapping screen offers, one per account number. CW's `GLAccount` (connectwise-rest
 * ManageTypes) has no `accountNumber` or `description`: an entry maps a GL type and a mapped record
 * (a work role, a product type, a tax code...) to account segments. Guess, kept here alone
 * (docs/conformance.md): the account number the GL export names is the entry's first segment, as
 * in a single-segment chart of accounts (multi-segment charts split account and class segments by
 * the GL caption setup, which the product does not read). Several entries share a number; the
 * choice names the records that map to it.
 */
export function glAccountChoices(accounts: readonly GlAccount[]): GlAccountChoice[] {
  const byKey = new Map<string, string[]>();
  for (const account of accounts) {
    const key = account.segment1?.trim() || String(account.id);
    const names = byKey.get(key) ?? [];
    const name = account.mappedRecord?.name ?? account.mappedType?.name;
    if (name && !names.includes(name)) names.push(name);
    byKey.set(key, names);
  }
  return [...byKey].map(([key, names]) => ({
    key,
    name: names.length > 0 ? `${key} ${names.join(', ')}` : key,
  }));
}
