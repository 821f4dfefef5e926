import fc from 'fast-check';
import { glTransactionSchema } from '../../server/connectwise/schemas.js';
import type { Party, SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { toQboBill, toQboJournalEntry, toQboSales } from '../../server/ledgers/quickbooks/mapping.js';
import type { QboRate } from '../../server/ledgers/quickbooks/tax-detail.js';
import { toXeroDocument, toXeroJournal } from '../../server/ledgers/xero/mapping.js';
import { formatMinor, minorToNumber, sumMinor, toMinor } from '../../server/money.js';
import { companyExpenseJournalFromGl, companyPaidExpenseSchema } from '../../server/sync/gl-to-bill.js';
import { salesDocumentFromGl } from '../../server/sync/gl-to-document.js';
import { mappingsFrom } from '../../server/sync/mappings.js';
import { computeTax } from '../../sim/quickbooks/tax-rules.js';
import { computeTotals } from '../../sim/xero/totals.js';

/**
 * The property suite's world, pure: random CW transactions (as CW's GL export states them, with CW's
 * own arithmetic: line = qty x price rounded, tax per code on its taxed lines), mapped by the product,
 * then run through the same tax models the simulators use (sim/quickbooks/tax-rules.ts,
 * sim/xero/totals.ts). Shared by test/money/tax-properties.test.ts and bench/tax-properties.ts.
 */

/** CW tax codes and rates: 0 / 5 / 7.25 / 8.875 / 12.5 / 20 / 24 %, and a two-rate code (5 + 7). */
export const cwTaxCodes = [
  { cw: 'ZERO', percent: '0', qbo: '100', rates: [{ id: '1000', percent: '0' }] },
  { cw: 'GST5', percent: '5', qbo: '105', rates: [{ id: '1050', percent: '5' }] },
  { cw: 'ST725', percent: '7.25', qbo: '107', rates: [{ id: '1072', percent: '7.25' }] },
  { cw: 'NYC', percent: '8.875', qbo: '108', rates: [{ id: '1088', percent: '8.875' }] },
  { cw: 'R125', percent: '12.5', qbo: '112', rates: [{ id: '1125', percent: '12.5' }] },
  { cw: 'VAT20', percent: '20', qbo: '120', rates: [{ id: '1200', percent: '20' }] },
  { cw: 'VAT24', percent: '24', qbo: '124', rates: [{ id: '1240', percent: '24' }] },
  {
    cw: 'GSTPST',
    percent: '12',
    qbo: '212',
    rates: [
      { id: '2125', percent: '5' },
      { id: '2127', percent: '7' },
    ],
  },
] as const;
export const qboExemptCode = '199';

export const currencies = [
  { code: 'ISK', decimals: 0 },
  { code: 'JPY', decimals: 0 },
  { code: 'USD', decimals: 2 },
  { code: 'EUR', decimals: 2 },
  { code: 'KWD', decimals: 3 },
] as const;

export type LedgerKind = 'qbo_us' | 'qbo_global' | 'xero';

export interface CwLine {
  /** Decimal text, up to 4 places. */
  quantity: string;
  /** Decimal text, up to 6 places; negative for a discount. */
  price: string;
  taxable: boolean;
  code: number;
}

export interface CwCase {
  type: 'invoice' | 'credit_memo';
  currency: (typeof currencies)[number];
  lines: CwLine[];
}

const decimalText = (units: bigint, places: number) =>
  formatMinor(units, places).replace(/\.?0+$/, '') || '0';

const halfAway = (value: bigint, divisor: bigint) => {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return negative ? -rounded : rounded;
};

/** CW's arithmetic on decimal text: qty x price rounded half away from zero to the currency. */
export function cwLineMinor(line: CwLine, decimals: number): bigint {
  const scale = (t: string) => {
    const [w = '0', f = ''] = t.replace('-', '').split('.');
    return { v: BigInt(w + f) * (t.startsWith('-') ? -1n : 1n), p: f.length };
  };
  const q = scale(line.quantity);
  const p = scale(line.price);
  const places = q.p + p.p;
  const product = q.v * p.v;
  return places >= decimals
    ? halfAway(product, 10n ** BigInt(places - decimals))
    : product * 10n ** BigInt(decimals - places);
}

/** CW's tax of a base at a percent (decimal text), rounded half away from zero. */
export function cwTaxMinor(base: bigint, percent: string): bigint {
  const [w = '0', f = ''] = percent.split('.');
  return halfAway(base * BigInt(w + f), 100n * 10n ** BigInt(f.length));
}

const lineArb = (codes: number[]): fc.Arbitrary<CwLine> =>
  fc.record({
    quantity: fc
      .oneof(
        fc
          .integer({ min: 1, max: 40 })
          .map(BigInt)
          .map((v) => v * 10_000n),
        fc.bigInt({ min: 1n, max: 10_000_000n }),
      )
      .map((units) => decimalText(units, 4)),
    price: fc.oneof(
      fc.bigInt({ min: 0n, max: 5_000_000_000n }).map((v) => decimalText(v, 2)),
      fc.bigInt({ min: 1n, max: 10n ** 12n }).map((v) => decimalText(v, 6)),
      // Very large amounts: up to ten million a unit.
      fc.bigInt({ min: 10n ** 9n, max: 10n ** 13n }).map((v) => decimalText(v, 6)),
    ),
    taxable: fc.boolean(),
    code: fc.constantFrom(...codes),
  });

/** A discount: a negative line at a part of an earlier line, with its code and taxable flag. */
const withDiscounts = (lines: CwLine[], picks: { at: number; percent: number }[]): CwLine[] => {
  const out = [...lines];
  for (const pick of picks) {
    const of = lines[pick.at % lines.length]!;
    const [w = '0', f = ''] = of.price.split('.');
    const units = BigInt(w + f) * BigInt(pick.percent);
    out.push({ ...of, price: `-${decimalText(units, f.length + 2)}` });
  }
  return out;
};

export const caseArb: fc.Arbitrary<CwCase> = fc
  .record({
    type: fc.constantFrom('invoice' as const, 'credit_memo' as const),
    currency: fc.constantFrom(...currencies),
    codes: fc.uniqueArray(fc.integer({ min: 0, max: cwTaxCodes.length - 1 }), { minLength: 1, maxLength: 3 }),
  })
  .chain(({ type, currency, codes }) =>
    fc
      .record({
        lines: fc.array(lineArb(codes), { minLength: 1, maxLength: 26 }),
        discounts: fc.array(fc.record({ at: fc.nat(), percent: fc.integer({ min: 1, max: 50 }) }), {
          maxLength: 4,
        }),
      })
      .map(({ lines, discounts }) => ({ type, currency, lines: withDiscounts(lines, discounts) })),
  );

export interface CwTruth {
  totalMinor: bigint;
  taxMinor: bigint;
  /** CW's tax per CW code. */
  taxByCode: Map<string, bigint>;
}

/** The GL transaction CW would export for the case, and what CW says it totals. */
export function cwTransaction(c: CwCase) {
  const { decimals } = c.currency;
  const credit = c.type === 'credit_memo';
  const sign = credit ? -1n : 1n;
  const amounts = c.lines.map((l) => cwLineMinor(l, decimals));
  const taxByCode = new Map<string, bigint>();
  for (const code of new Set(c.lines.map((l) => l.code))) {
    const { cw, percent } = cwTaxCodes[code]!;
    const base = sumMinor(amounts.filter((_, i) => c.lines[i]!.taxable && c.lines[i]!.code === code));
    if (c.lines.some((l) => l.taxable && l.code === code)) taxByCode.set(cw, cwTaxMinor(base, percent));
  }
  const taxMinor = sumMinor(taxByCode.values());
  const totalMinor = sumMinor(amounts) + taxMinor;
  const money = (minor: bigint) => minorToNumber(minor, decimals);
  let id = 1;
  const detail = [
    ...c.lines.map((line, i) => ({
      id: id++,
      glTypeId: 'RP',
      accountNumber: '4000',
      description: `line ${i + 1}`,
      // Revenue is a credit on an invoice: negative; a credit memo is the mirror.
      quantity: Number(line.quantity) * (credit ? 1 : -1),
      itemPrice: Number(line.price),
      total: money(-sign * amounts[i]!),
      taxableFlag: line.taxable,
      taxCodeXref: cwTaxCodes[line.code]!.cw,
    })),
    ...[...taxByCode].map(([cw, tax]) => ({
      id: id++,
      glTypeId: 'ST',
      accountNumber: '2200',
      description: `Sales tax ${cw}`,
      quantity: credit ? 1 : -1,
      itemPrice: money(tax < 0n ? -tax : tax),
      total: money(-sign * tax),
      taxableFlag: false,
      taxCodeXref: cw,
    })),
  ];
  const transaction = glTransactionSchema.parse({
    id: 1,
    glTypeId: 'AR',
    documentNumber: credit ? 'CM-1' : 'INV-1',
    documentType: credit ? 'CREDIT MEMO' : 'INVOICE',
    documentDate: '2026-03-01T00:00:00Z',
    currency: { id: 1, currencyCode: c.currency.code, numberOfDecimals: decimals },
    total: money(sign * totalMinor),
    salesTax: money(sign * taxMinor),
    taxCode: { id: 1, name: cwTaxCodes[c.lines[0]!.code]!.cw },
    glEntryIds: detail.map((d) => d.id).join(','),
    detail,
  });
  return { transaction, truth: { totalMinor, taxMinor, taxByCode } satisfies CwTruth };
}

const party: Party = { kind: 'customer', cwId: '1', accountNumber: 'A', name: 'Acme', email: undefined };

/** The connection's mappings for each kind of books. */
export function mappingsFor(kind: LedgerKind) {
  const key = (c: (typeof cwTaxCodes)[number]) => (kind === 'xero' ? `X${c.cw}` : c.qbo);
  return mappingsFrom([
    { kind: 'gl_account', cw_key: '4000', ledger_key: kind === 'xero' ? '200' : '1' },
    ...cwTaxCodes.map((c) => ({ kind: 'tax_code' as const, cw_key: c.cw, ledger_key: key(c) })),
    ...(kind === 'qbo_global'
      ? [{ kind: 'tax_code' as const, cw_key: '__exempt__', ledger_key: qboExemptCode }]
      : []),
  ]);
}

const qboRates = new Map<string, QboRate[]>([
  ...cwTaxCodes.map((c) => [c.qbo, c.rates.map((r) => ({ ...r }))] as [string, QboRate[]]),
  [qboExemptCode, [{ id: '1990', percent: '0' }]],
]);
const xeroRates = new Map<string, string>([
  ...cwTaxCodes.map((c) => [`X${c.cw}`, c.percent] as [string, string]),
  ['NONE', '0'],
]);

export type Outcome =
  | { booked: true; totalMinor: bigint; taxMinor: bigint; taxByCode: Map<string, bigint>; problems: string[] }
  /** A refusal the product makes before sending, with its reason. */
  | { booked: false; reason: string };

/**
 * Maps the CW transaction for one kind of books and runs that ledger's tax model over what would be
 * sent: what the books would hold, or the product's refusal.
 */
export function bookCase(
  c: CwCase,
  kind: LedgerKind,
): { truth: CwTruth; outcome: Outcome; doc?: SalesOrBillDocument } {
  const { transaction, truth } = cwTransaction(c);
  const mapped = salesDocumentFromGl(transaction, {
    mappings: mappingsFor(kind),
    party,
    roundingLimit: '0',
    exemptCodeRequired: kind === 'qbo_global',
  });
  if (!mapped.ok)
    return { truth, outcome: { booked: false, reason: mapped.problems.map((p) => p.code).join(',') } };
  const doc = mapped.document;
  const { decimals } = c.currency;
  if (kind === 'xero') {
    let body: Record<string, unknown>;
    try {
      body = toXeroDocument(doc, 'contact').body;
    } catch (error) {
      if (error instanceof LedgerError)
        return { truth, doc, outcome: { booked: false, reason: error.providerMessage } };
      throw error;
    }
    const totals = computeTotals(
      body.LineItems as Record<string, unknown>[],
      String(body.LineAmountTypes),
      (t) => xeroRates.get(t),
    );
    const taxByCode = new Map<string, bigint>();
    for (const line of totals.lines) {
      const code = String(line.TaxType ?? '');
      if (code === 'NONE' || code === '') continue;
      taxByCode.set(
        code.slice(1),
        (taxByCode.get(code.slice(1)) ?? 0n) + toMinor(line.TaxAmount as number, decimals),
      );
    }
    return {
      truth,
      doc,
      outcome: {
        booked: true,
        totalMinor: toMinor(totals.Total, decimals),
        taxMinor: toMinor(totals.TotalTax, decimals),
        taxByCode,
        problems: totals.problems.map((p) => p.message),
      },
    };
  }
  const model = kind === 'qbo_us' ? ('us' as const) : ('global' as const);
  const wire = toQboSales(
    doc,
    '1',
    model === 'us' ? { model } : { model, ratesOf: (code) => qboRates.get(code) },
  );
  const lines = (
    wire.Line as { Amount: number; SalesItemLineDetail: { TaxCodeRef?: { value: string } } }[]
  ).map((l) => ({
    amountMinor: toMinor(l.Amount, decimals),
    taxCode: l.SalesItemLineDetail.TaxCodeRef?.value,
  }));
  const outcome = computeTax({
    kind: model,
    country: model === 'us' ? 'US' : 'GB',
    lines,
    txnTaxDetail: wire.TxnTaxDetail as Record<string, unknown>,
    globalTaxCalculation: wire.GlobalTaxCalculation,
    decimals,
    ratesOf: (code) => (code === 'TAX' || code === 'NON' ? [] : qboRates.get(code)),
  });
  if (!outcome.ok)
    return {
      truth,
      doc,
      outcome: {
        booked: true,
        totalMinor: 0n,
        taxMinor: 0n,
        taxByCode: new Map(),
        problems: [outcome.detail],
      },
    };
  const taxByCode = new Map<string, bigint>();
  if (model === 'global') {
    for (const rate of outcome.result.rates) {
      const code = cwTaxCodes.find((c) => c.rates.some((r) => r.id === rate.id));
      if (code) taxByCode.set(code.cw, (taxByCode.get(code.cw) ?? 0n) + rate.taxMinor);
    }
  }
  return {
    truth,
    doc,
    outcome: {
      booked: true,
      totalMinor: sumMinor(lines.map((l) => l.amountMinor)) + outcome.result.taxMinor,
      taxMinor: outcome.result.taxMinor,
      taxByCode,
      problems: [],
    },
  };
}

/** What a case is counted under in bench/RESULTS.md: its row, and the columns it adds to. */
export function classOf(c: CwCase, kind: LedgerKind, outcome: Outcome): { row: string; columns: string[] } {
  const taxable = c.lines.filter((l) => l.taxable).length;
  const columns = ['cases'];
  if (taxable > 0 && taxable < c.lines.length) columns.push('mixed taxable');
  if (new Set(c.lines.map((l) => l.code)).size > 1) columns.push('several codes');
  if (c.lines.some((l) => l.price.startsWith('-'))) columns.push('discounts');
  if (c.lines.some((l) => cwLineMinor(l, c.currency.decimals) >= 10n ** BigInt(9 + c.currency.decimals)))
    columns.push('line >= 1e9');
  columns.push(outcome.booked ? 'booked = CW' : 'refused: sub-unit');
  return { row: `${kind} | ${c.type} | ${c.currency.decimals} dp`, columns };
}

export const formatCase = (c: CwCase) => JSON.stringify(c);
export { formatMinor };

/**
 * A bill: the same CW lines and tax, booked payable to a vendor. Xero takes it like a sales document
 * (ACCPAY, TaxAmount per line); QBO's Bill carries CW's tax as TxnTaxDetail.TotalTax, and the
 * simulator's expense rules add it to the lines (per-line purchase codes are not modelled yet).
 */
export function bookBill(c: CwCase, kind: LedgerKind): { truth: CwTruth; outcome: Outcome } {
  const { transaction, truth } = cwTransaction({ ...c, type: 'invoice' });
  const mapped = salesDocumentFromGl(transaction, {
    mappings: mappingsFor(kind),
    party,
    roundingLimit: '0',
  });
  if (!mapped.ok)
    return { truth, outcome: { booked: false, reason: mapped.problems.map((p) => p.code).join(',') } };
  const doc: SalesOrBillDocument = { ...mapped.document, type: 'bill', party: { ...party, kind: 'vendor' } };
  const { decimals } = c.currency;
  if (kind === 'xero') {
    let body: Record<string, unknown>;
    try {
      body = toXeroDocument(doc, 'contact').body;
    } catch (error) {
      if (error instanceof LedgerError)
        return { truth, outcome: { booked: false, reason: error.providerMessage } };
      throw error;
    }
    const totals = computeTotals(
      body.LineItems as Record<string, unknown>[],
      String(body.LineAmountTypes),
      (t) => xeroRates.get(t),
    );
    return {
      truth,
      outcome: {
        booked: true,
        totalMinor: toMinor(totals.Total, decimals),
        taxMinor: toMinor(totals.TotalTax, decimals),
        taxByCode: new Map(),
        problems: totals.problems.map((p) => p.message),
      },
    };
  }
  const wire = toQboBill(doc, 'vendor');
  const lines = (wire.Line as { Amount: number }[]).map((l) => toMinor(l.Amount, decimals));
  const tax = toMinor(
    ((wire.TxnTaxDetail as { TotalTax?: number } | undefined)?.TotalTax ?? 0) as number,
    decimals,
  );
  return {
    truth,
    outcome: {
      booked: true,
      totalMinor: sumMinor(lines) + tax,
      taxMinor: tax,
      taxByCode: new Map(),
      problems: [],
    },
  };
}

/** A company-paid expense as a journal: debits equal credits equal CW's amount, in both ledgers. */
export function journalBalances(amountMinor: bigint, currency: (typeof currencies)[number]): boolean {
  const expense = companyPaidExpenseSchema.parse({
    id: 1,
    documentDate: '2026-03-01',
    accountNumber: '6100',
    memo: 'card',
    currency: { currencyCode: currency.code, numberOfDecimals: currency.decimals },
    total: minorToNumber(amountMinor, currency.decimals),
    offset: { id: 2, accountNumber: '2000', total: minorToNumber(-amountMinor, currency.decimals) },
  });
  const mapped = companyExpenseJournalFromGl(expense, {
    mappings: mappingsFrom([
      { kind: 'gl_account', cw_key: '6100', ledger_key: '7' },
      { kind: 'gl_account', cw_key: '2000', ledger_key: '4' },
    ]),
    number: 'EXP-1',
  });
  if (!mapped.ok) return false;
  const qbo = toQboJournalEntry(mapped.document).Line as {
    Amount: number;
    JournalEntryLineDetail: { PostingType: string };
  }[];
  const side = (type: string) =>
    sumMinor(
      qbo
        .filter((l) => l.JournalEntryLineDetail.PostingType === type)
        .map((l) => toMinor(l.Amount, currency.decimals)),
    );
  let xeroOk = true;
  try {
    const xero = toXeroJournal(mapped.document).JournalLines as { LineAmount: number }[];
    const amounts = xero.map((l) => toMinor(l.LineAmount, currency.decimals));
    xeroOk = sumMinor(amounts) === 0n && sumMinor(amounts.filter((a) => a > 0n)) === amountMinor;
  } catch (error) {
    // Xero keeps 2 decimals: a 3-decimal amount it cannot hold is refused, never rounded.
    xeroOk =
      error instanceof LedgerError &&
      currency.decimals > 2 &&
      /cannot be sent exactly/.test(error.providerMessage);
  }
  return side('Debit') === amountMinor && side('Credit') === amountMinor && xeroOk;
}
