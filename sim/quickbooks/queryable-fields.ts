import { QboFault } from './qbo-fault.js';
import type { Condition } from './query-language.js';

/**
 * Properties QBO refuses in a WHERE clause, per entity. Only those with a published refusal are
 * listed (a property absent here is answered, which may be kinder than QBO):
 * - Customer.AcctNum: intuit/QuickBooks-V3-DotNET-SDK#163 (2020-12, "QueryValidationError:
 *   property 'AcctNum' is not queryable"; Intuit's reply: only properties marked filterable are).
 * - Vendor: ruckus/quickbooks-ruby#403 (2017-10) lists the non-filterable Vendor properties from
 *   Intuit's Vendor reference, among them AcctNum and PrimaryEmailAddr (the refusal it quotes).
 * - Account.AcctNum: the same .NET thread ("the same error" for Vendor and Account).
 */
const notQueryable: Record<string, readonly string[]> = {
  Customer: ['AcctNum'],
  Vendor: [
    'SyncToken',
    'Title',
    'PrimaryPhone',
    'AlternatePhone',
    'Mobile',
    'Fax',
    'PrimaryEmailAddr',
    'WebAddr',
    'BillAddr',
    'OtherContactInfo',
    'TaxIdentifier',
    'TermRef',
    'Balance',
    'AcctNum',
    'Vendor1099',
    'CurrencyRef',
    'TaxReportingBasis',
    'APAccountRef',
  ],
  Account: ['AcctNum'],
};

/**
 * The refusal QBO sends for such a query: HTTP 400, a ValidationFault with code 4001, message
 * "Invalid query" (the raw response quoted in ruckus/quickbooks-ruby#403).
 */
export function checkQueryable(entity: string, where: readonly Condition[]): void {
  const refused = notQueryable[entity] ?? [];
  for (const condition of where) {
    const root = condition.field.split('.')[0]!;
    const hit = refused.find((name) => name.toLowerCase() === root.toLowerCase());
    if (hit)
      throw new QboFault('4001', 'Invalid query', `QueryValidationError: property '${hit}' is not queryable`);
  }
}
