import { amountMinor, amountNumber, currencyDecimals, extendedMinor } from './amounts.js';
import { faults } from './qbo-fault.js';
import type { Entity, EntityName, Realm } from './realm-store.js';
import { companyTaxKind, computeTax, type TaxLineInput, type TaxRateInfo } from './tax-rules.js';

/** QBO refuses longer DocNumbers with a 6000 rather than cutting them. */
export const maxDocNumberLength = 21;

type Line = Record<string, unknown> & { Amount?: unknown; DetailType?: string };
type Ref = { value?: string } | undefined;

const refValue = (ref: unknown): string | undefined => (ref as Ref)?.value;

/** A reference must name an existing, active entity of the given kind; QBO answers 6000 otherwise. */
export function requireRef(realm: Realm, kind: EntityName, ref: unknown, element: string, optional = false) {
  const id = refValue(ref);
  if (id === undefined) {
    if (optional) return undefined;
    throw faults.requiredParam(element);
  }
  // US companies address sales tax by the pseudo codes TAX / NON.
  if (kind === 'TaxCode' && (id === 'TAX' || id === 'NON')) return undefined;
  const found = realm.find(kind, id);
  if (!found || found.Active === false) throw faults.invalidReference(element, id);
  return found;
}

export const decimalsOf = (entity: Record<string, unknown>) => currencyDecimals(refValue(entity.CurrencyRef));

function checkDocNumber(realm: Realm, name: EntityName, entity: Entity, unique: boolean) {
  const number = entity.DocNumber;
  if (number === undefined) return;
  if (typeof number !== 'string' || number.length > maxDocNumberLength)
    throw faults.validation(
      `String length is either shorter or longer than supported by specification. Min:0 Max:${maxDocNumberLength} supported. Supplied length:${String(number).length}`,
      'DocNumber',
    );
  if (!unique) return;
  const clash = realm.all(name).find((other) => other.Id !== entity.Id && other.DocNumber === number);
  if (clash) {
    const fault = faults.duplicateNumber(number);
    throw Object.assign(fault, { detail: `${fault.detail}${clash.Id}` });
  }
}

function linesOf(entity: Entity): Line[] {
  if (!Array.isArray(entity.Line) || entity.Line.length === 0) throw faults.requiredParam('Line');
  return entity.Line as Line[];
}

/** Invoice and CreditMemo: lines checked, totals and tax computed server-side as QBO does. */
function salesRules(realm: Realm, name: EntityName, entity: Entity) {
  requireRef(realm, 'Customer', entity.CustomerRef, 'CustomerRef');
  checkDocNumber(realm, name, entity, true);
  const decimals = decimalsOf(entity);
  let subtotal = 0n;
  const taxLines: TaxLineInput[] = [];
  let lineNum = 0;
  for (const line of linesOf(entity)) {
    if (line.DetailType === 'SubTotalLineDetail') continue;
    if (line.DetailType !== 'SalesItemLineDetail')
      throw faults.validation(
        `Unsupported line DetailType ${line.DetailType ?? '(none)'}`,
        'Line.DetailType',
      );
    const detail = (line.SalesItemLineDetail ?? {}) as Record<string, unknown>;
    requireRef(realm, 'Item', detail.ItemRef, 'ItemRef', true);
    requireRef(realm, 'Class', detail.ClassRef, 'ClassRef', true);
    requireRef(realm, 'TaxCode', detail.TaxCodeRef, 'TaxCodeRef', true);
    if (line.Amount === undefined) throw faults.requiredParam('Line.Amount');
    const amount = amountMinor(line.Amount, decimals);
    if (detail.Qty !== undefined && detail.UnitPrice !== undefined) {
      if (extendedMinor(detail.Qty, detail.UnitPrice, decimals) !== amount)
        throw faults.validation(
          `Amount is not equal to UnitPrice * Qty. Supplied value:${String(line.Amount)}`,
          'Line.Amount',
        );
    }
    subtotal += amount;
    taxLines.push({ amountMinor: amount, taxCode: refValue(detail.TaxCodeRef) });
    lineNum += 1;
    line.LineNum = lineNum;
    line.Id ??= String(lineNum);
  }
  const tax = applyTax(realm, entity, taxLines, decimals, 'SalesTaxRateList');
  const total = subtotal + tax;
  if (total < 0n) throw faults.validation('Transaction total cannot be negative', 'TotalAmt');
  entity.TotalAmt = amountNumber(total, decimals);
  entity.Balance = entity.TotalAmt;
  if (name === 'CreditMemo') entity.RemainingCredit = entity.TotalAmt;
  entity.CurrencyRef ??= { value: 'USD', name: 'United States Dollar' };
}

type RateList = 'SalesTaxRateList' | 'PurchaseTaxRateList';

/**
 * The document's tax by the company's kind (tax-rules.ts), written back as QBO answers it: TaxLine
 * per rate outside the US, TotalTax always. Sales take a code's sales rates; bills and purchases its
 * purchase rates (Finance.xsd TaxCode: SalesTaxRateList / PurchaseTaxRateList), under the same rules.
 */
function applyTax(
  realm: Realm,
  entity: Entity,
  taxLines: TaxLineInput[],
  decimals: number,
  rateList: RateList,
): bigint {
  const txnTax = (entity.TxnTaxDetail ?? {}) as Record<string, unknown>;
  const kind = companyTaxKind(realm.company);
  const outcome = computeTax({
    kind,
    country: realm.company.Country,
    lines: taxLines,
    txnTaxDetail: txnTax,
    globalTaxCalculation: entity.GlobalTaxCalculation,
    decimals,
    ratesOf: (code) => ratesOf(realm, code, rateList),
    switches: realm.taxSwitches,
  });
  if (!outcome.ok) throw faults.validation(outcome.detail, outcome.element);
  const tax = outcome.result.taxMinor;
  if (kind === 'global') {
    entity.GlobalTaxCalculation ??= 'TaxExcluded';
    txnTax.TaxLine = outcome.result.rates.map((rate) => ({
      Amount: amountNumber(rate.taxMinor, decimals),
      DetailType: 'TaxLineDetail',
      TaxLineDetail: {
        TaxRateRef: { value: rate.id },
        PercentBased: true,
        TaxPercent: Number(rate.percent),
        NetAmountTaxable: amountNumber(rate.netMinor, decimals),
      },
    }));
  }
  entity.TxnTaxDetail = { ...txnTax, TotalTax: amountNumber(tax, decimals) };
  return tax;
}

/** The sales or purchase rates of a tax code, or undefined when the company has no such code. */
function ratesOf(realm: Realm, code: string, rateList: RateList): TaxRateInfo[] | undefined {
  if (code === 'TAX' || code === 'NON') return [];
  const taxCode = realm.find('TaxCode', code);
  if (!taxCode || taxCode.Active === false) return undefined;
  const details = ((taxCode[rateList] as { TaxRateDetail?: { TaxRateRef?: Ref }[] } | undefined)
    ?.TaxRateDetail ?? []) as { TaxRateRef?: Ref }[];
  return details.flatMap((detail) => {
    const rate = realm.find('TaxRate', detail.TaxRateRef?.value ?? '');
    return rate ? [{ id: rate.Id, percent: (rate.RateValue ?? 0) as number }] : [];
  });
}

/** Bill and Purchase: expense lines against accounts or items. */
function expenseRules(realm: Realm, name: EntityName, entity: Entity) {
  if (name === 'Bill') requireRef(realm, 'Vendor', entity.VendorRef, 'VendorRef');
  else requireRef(realm, 'Account', entity.AccountRef, 'AccountRef');
  checkDocNumber(realm, name, entity, false);
  const decimals = decimalsOf(entity);
  let total = 0n;
  const taxLines: TaxLineInput[] = [];
  for (const line of linesOf(entity)) {
    let detail: Record<string, unknown>;
    if (line.DetailType === 'AccountBasedExpenseLineDetail') {
      detail = (line.AccountBasedExpenseLineDetail ?? {}) as Record<string, unknown>;
      requireRef(realm, 'Account', detail.AccountRef, 'AccountRef');
      requireRef(realm, 'Class', detail.ClassRef, 'ClassRef', true);
    } else if (line.DetailType === 'ItemBasedExpenseLineDetail') {
      detail = (line.ItemBasedExpenseLineDetail ?? {}) as Record<string, unknown>;
      requireRef(realm, 'Item', detail.ItemRef, 'ItemRef');
    } else {
      throw faults.validation(
        `Unsupported line DetailType ${line.DetailType ?? '(none)'}`,
        'Line.DetailType',
      );
    }
    requireRef(realm, 'TaxCode', detail.TaxCodeRef, 'TaxCodeRef', true);
    const amount = amountMinor(line.Amount, decimals);
    total += amount;
    taxLines.push({ amountMinor: amount, taxCode: refValue(detail.TaxCodeRef) });
  }
  // Outside the US a bill is taxed as a sale is (domain.md §8: a code on every line, tax from the
  // codes, a bare TotalTax ignored, TaxLine overrides per rate), on the codes' purchase rates. A US
  // bill has no sales tax: an explicit TotalTax is added as given (the simulator's long-standing guess).
  const tax =
    companyTaxKind(realm.company) === 'global'
      ? applyTax(realm, entity, taxLines, decimals, 'PurchaseTaxRateList')
      : amountMinor((entity.TxnTaxDetail as { TotalTax?: unknown } | undefined)?.TotalTax, decimals);
  entity.TotalAmt = amountNumber(total + tax, decimals);
  if (name === 'Bill') entity.Balance = entity.TotalAmt;
}

/** JournalEntry: debits must equal credits. */
function journalRules(realm: Realm, entity: Entity) {
  checkDocNumber(realm, 'JournalEntry', entity, false);
  const decimals = decimalsOf(entity);
  let debits = 0n;
  let credits = 0n;
  for (const line of linesOf(entity)) {
    if (line.DetailType !== 'JournalEntryLineDetail')
      throw faults.validation(
        `Unsupported line DetailType ${line.DetailType ?? '(none)'}`,
        'Line.DetailType',
      );
    const detail = (line.JournalEntryLineDetail ?? {}) as Record<string, unknown>;
    requireRef(realm, 'Account', detail.AccountRef, 'AccountRef');
    requireRef(realm, 'Class', detail.ClassRef, 'ClassRef', true);
    const amount = amountMinor(line.Amount, decimals);
    if (amount < 0n) throw faults.validation('Journal line amounts must not be negative', 'Line.Amount');
    if (detail.PostingType === 'Debit') debits += amount;
    else if (detail.PostingType === 'Credit') credits += amount;
    else throw faults.requiredParam('PostingType');
  }
  if (debits !== credits)
    throw faults.validation(
      'Transaction must balance: You must enter equal amounts of debits and credits.',
      'Line',
    );
  // Real JournalEntry responses carry no TotalAmt (domain.md §8, checked against real payloads),
  // though Finance.xsd allows one (minOccurs 0): readers sum the lines. The product sums them
  // whether or not it is there, so either answer works for it.
  delete entity.TotalAmt;
}

/** Applies the business rules of a transaction entity before it is stored; mutates computed fields. */
export function applyTransactionRules(realm: Realm, name: EntityName, entity: Entity): void {
  if (name === 'Invoice' || name === 'CreditMemo') salesRules(realm, name, entity);
  else if (name === 'Bill' || name === 'Purchase') expenseRules(realm, name, entity);
  else if (name === 'JournalEntry') journalRules(realm, entity);
}
