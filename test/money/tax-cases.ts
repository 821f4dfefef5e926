import fc from 'fast-check';
import {
  glExportSchema,
  glTransactionSchema,
  invoiceSchema,
  unpostedExpenseSchema,
  unpostedProcurementSchema,
} from '../../server/connectwise/schemas.js';
import type { LedgerConnection } from '../../server/db/schema.js';
import { ledgerAmountDecimals } from '../../server/ledgers/amount-precision.js';
import type { JournalDocument, SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { toQboBill, toQboJournalEntry, toQboSales } from '../../server/ledgers/quickbooks/mapping.js';
import { type QboRate, QboTaxError, type QboTaxSetup } from '../../server/ledgers/quickbooks/tax.js';
import { toXeroDocument, toXeroJournal } from '../../server/ledgers/xero/mapping.js';
import type { RoundingNote } from '../../server/pipeline/map/rounding.js';
import { mapRecord } from '../../server/pipeline/push-gl-record.js';
import { mapDocument } from '../../server/pipeline/push-invoice.js';
import { PipelineError } from '../../server/records/error-catalogue.js';
import { mappingsFrom } from '../../server/records/mappings.js';
import {
  absMinor,
  formatMinor,
  minorToNumber,
  rescaleMinor,
  sumMinor,
  toMinor,
} from '../../server/shared/money.js';
import { tenantSettingsSchema } from '../../server/tenants/tenant-store.js';
import { computeTax } from '../../sim/quickbooks/tax-rules.js';
import { computeTotals } from '../../sim/xero/totals.js';

/**
 * The property suite's world, pure: random CW transactions (as CW's GL export states them, with CW's
 * own arithmetic: line = qty x price rounded, tax per code on its taxed lines), mapped by the product,
 * then run through the same tax models the simulators use (sim/quickbooks/tax-rules.ts,
 * sim/xero/totals.ts). Shared by test/money/tax-properties.test.ts and bench/tax-properties.ts.
 *
 * The product is called where a push calls it, with what a push passes: invoices and credit memos
 * through mapDocument (push-invoice.ts), bills and journals through mapRecord (push-gl-record.ts), each
 * with the connection's booking options (bookingOptionsFor) and the tenant's default rounding limit.
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
  /**
   * CW computed the figures at more places than its currency's numberOfDecimals says (a real ISK
   * invoice, 0 decimals, totals 4546628.64; domain.md §8): see cwPlaces.
   */
  finer?: boolean;
}

/**
 * The places CW's figures carry: the currency's, or for a `finer` case two more (at most 4, so the
 * largest totals stay exact as JSON numbers): ISK and JPY at 2 as in the real invoice, USD, EUR and
 * KWD at 4.
 */
export const cwPlaces = (c: Pick<CwCase, 'currency' | 'finer'>) =>
  c.finer ? Math.min(c.currency.decimals + 2, 4) : c.currency.decimals;

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
    // One case in five has figures finer than its currency (cwPlaces).
    finer: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  })
  .chain(({ type, currency, codes, finer }) =>
    fc
      .record({
        lines: fc.array(lineArb(codes), { minLength: 1, maxLength: 26 }),
        discounts: fc.array(fc.record({ at: fc.nat(), percent: fc.integer({ min: 1, max: 50 }) }), {
          maxLength: 4,
        }),
      })
      .map(({ lines, discounts }) => ({ type, currency, finer, lines: withDiscounts(lines, discounts) })),
  );

/** What CW says, at the places its figures carry (`decimals`, cwPlaces). */
export interface CwTruth {
  decimals: number;
  totalMinor: bigint;
  taxMinor: bigint;
  /** CW's tax per CW code. */
  taxByCode: Map<string, bigint>;
}

/** The GL transaction CW would export for the case, and what CW says it totals. */
export function cwTransaction(c: CwCase) {
  const decimals = cwPlaces(c);
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
    currency: { id: 1, currencyCode: c.currency.code, numberOfDecimals: c.currency.decimals },
    total: money(sign * totalMinor),
    salesTax: money(sign * taxMinor),
    taxCode: { id: 1, name: cwTaxCodes[c.lines[0]!.code]!.cw },
    glEntryIds: detail.map((d) => d.id).join(','),
    detail,
  });
  return { transaction, amounts, truth: { decimals, totalMinor, taxMinor, taxByCode } satisfies CwTruth };
}

/** The tenant's rounding limit as a new tenant has it (tenant-store.ts), in major units. */
export const roundingLimit = tenantSettingsSchema.parse({}).roundingLimit;

/** A ledger connection of each kind, as connect time stores it (tax_setup read from QBO's preferences). */
export function connectionFor(kind: LedgerKind): LedgerConnection {
  const qbo = (model: 'us' | 'global', country: string) => ({
    kind: 'qbo' as const,
    tax_setup: { model, country, automatedSalesTax: model === 'us' },
  });
  // Only what mapping reads (id, kind, tax_setup) is meaningful; the rest is never read here.
  return {
    id: `connection-${kind}`,
    ...(kind === 'xero'
      ? { kind: 'xero' as const, tax_setup: null }
      : qbo(kind === 'qbo_us' ? 'us' : 'global', kind === 'qbo_us' ? 'US' : 'GB')),
  } as LedgerConnection;
}

/** The connection's mappings for each kind of books. */
export function mappingsFor(kind: LedgerKind) {
  const key = (c: (typeof cwTaxCodes)[number]) => (kind === 'xero' ? `X${c.cw}` : c.qbo);
  const account = (qbo: string, xero: string) => (kind === 'xero' ? xero : qbo);
  return mappingsFrom([
    { kind: 'gl_account', cw_key: '4000', ledger_key: account('1', '200') },
    // Purchases: the expense account, CW's purchase tax account; journals: expense, card, stock.
    { kind: 'gl_account', cw_key: '5000', ledger_key: account('80', '300') },
    { kind: 'gl_account', cw_key: purchaseTaxAccount, ledger_key: account('81', '820') },
    { kind: 'gl_account', cw_key: '6100', ledger_key: account('7', '429') },
    { kind: 'gl_account', cw_key: '2000', ledger_key: account('4', '800') },
    { kind: 'gl_account', cw_key: '1300', ledger_key: account('30', '630') },
    { kind: 'gl_account', cw_key: '1310', ledger_key: account('31', '631') },
    { kind: 'gl_account', cw_key: '5100', ledger_key: account('32', '310') },
    ...cwTaxCodes.map((c) => ({ kind: 'tax_code' as const, cw_key: c.cw, ledger_key: key(c) })),
    ...(kind === 'qbo_global'
      ? [{ kind: 'tax_code' as const, cw_key: '__exempt__', ledger_key: qboExemptCode }]
      : []),
  ]);
}
const purchaseTaxAccount = '2300';

const qboRates = new Map<string, QboRate[]>([
  ...cwTaxCodes.map((c) => [c.qbo, c.rates.map((r) => ({ ...r }))] as [string, QboRate[]]),
  [qboExemptCode, [{ id: '1990', percent: '0' }]],
]);
/**
 * A code's purchase rates (Finance.xsd TaxCode.PurchaseTaxRateList): the same percents under rates of
 * their own, so a bill booked on the sales rates would not match.
 */
const qboPurchaseRates = new Map<string, QboRate[]>(
  [...qboRates].map(([code, rates]) => [code, rates.map((r) => ({ id: `P${r.id}`, percent: r.percent }))]),
);
const xeroRates = new Map<string, string>([
  ...cwTaxCodes.map((c) => [`X${c.cw}`, c.percent] as [string, string]),
  ['NONE', '0'],
]);
/** The CW code of a QBO rate id, sales or purchase. */
const cwCodeOfRate = (rateId: string) =>
  cwTaxCodes.find((c) => c.rates.some((r) => r.id === rateId || `P${r.id}` === rateId))?.cw;

export type Outcome =
  | {
      booked: true;
      /** The books' precision for the currency, which their figures below are at. */
      decimals: number;
      totalMinor: bigint;
      taxMinor: bigint;
      taxByCode: Map<string, bigint>;
      problems: string[];
    }
  /** A refusal the product makes before sending: its error code, and its message. */
  | { booked: false; reason: string; detail: string };

export interface Booked {
  truth: CwTruth;
  outcome: Outcome;
  doc?: SalesOrBillDocument;
  /** What the record says about rounding (the pod shows it). */
  rounding?: RoundingNote;
}

const refusal = (error: unknown): Outcome => {
  if (error instanceof PipelineError)
    return { booked: false, reason: error.stored.code, detail: error.stored.message };
  if (error instanceof LedgerError)
    return { booked: false, reason: error.providerCode ?? 'ledger', detail: error.providerMessage };
  if (error instanceof QboTaxError) return { booked: false, reason: error.code, detail: error.message };
  throw error;
};

const invoiceOf = (c: CwCase) =>
  invoiceSchema.parse({
    id: 1,
    invoiceNumber: c.type === 'credit_memo' ? 'CM-1' : 'INV-1',
    type: c.type === 'credit_memo' ? 'CreditMemo' : 'Standard',
    company: { id: 1, identifier: 'A', name: 'Acme' },
  });

/**
 * Maps the CW transaction for one kind of books as a push does, and runs that ledger's tax model over
 * what would be sent: what the books would hold, or the product's refusal.
 */
export function bookCase(c: CwCase, kind: LedgerKind): Booked {
  const { transaction, truth } = cwTransaction(c);
  let mapped: ReturnType<typeof mapDocument>;
  try {
    mapped = mapDocument(
      transaction,
      { mappings: mappingsFor(kind), connection: connectionFor(kind) },
      invoiceOf(c),
      roundingLimit,
      c.type === 'credit_memo' ? 'Credit memo CM-1' : 'Invoice INV-1',
    );
  } catch (error) {
    return { truth, outcome: refusal(error) };
  }
  const { document: doc, rounding } = mapped;
  const booked = (outcome: Outcome): Booked => ({ truth, doc, outcome, ...(rounding ? { rounding } : {}) });
  try {
    if (kind === 'xero') return booked(xeroOutcome(toXeroDocument(doc, 'contact').body, doc.decimals));
    const tax: QboTaxSetup =
      kind === 'qbo_us' ? { model: 'us' } : { model: 'global', ratesOf: (code) => qboRates.get(code) };
    const wire = toQboSales(doc, '1', tax);
    const lines = (
      wire.Line as { Amount: number; SalesItemLineDetail: { TaxCodeRef?: { value: string } } }[]
    ).map((l) => ({
      amountMinor: toMinor(l.Amount, doc.decimals),
      taxCode: l.SalesItemLineDetail.TaxCodeRef?.value,
    }));
    return booked(qboOutcome(kind, wire, lines, doc.decimals, qboRates));
  } catch (error) {
    return { truth, doc, outcome: refusal(error) };
  }
}

/** What Xero's totals (sim/xero/totals.ts) make of a document body: per CW code from each line's TaxType. */
function xeroOutcome(body: Record<string, unknown>, decimals: number): Outcome {
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
    booked: true,
    decimals,
    totalMinor: toMinor(totals.Total, decimals),
    taxMinor: toMinor(totals.TotalTax, decimals),
    taxByCode,
    problems: totals.problems.map((p) => p.message),
  };
}

/** What the QBO company's tax rules (sim/quickbooks/tax-rules.ts) make of a wire document. */
function qboOutcome(
  kind: Exclude<LedgerKind, 'xero'>,
  wire: Record<string, unknown>,
  lines: { amountMinor: bigint; taxCode: string | undefined }[],
  decimals: number,
  rates: Map<string, QboRate[]>,
): Outcome {
  const model = kind === 'qbo_us' ? ('us' as const) : ('global' as const);
  const outcome = computeTax({
    kind: model,
    country: model === 'us' ? 'US' : 'GB',
    lines,
    txnTaxDetail: wire.TxnTaxDetail as Record<string, unknown>,
    globalTaxCalculation: wire.GlobalTaxCalculation,
    decimals,
    ratesOf: (code) => (code === 'TAX' || code === 'NON' ? [] : rates.get(code)),
  });
  if (!outcome.ok)
    return {
      booked: true,
      decimals,
      totalMinor: 0n,
      taxMinor: 0n,
      taxByCode: new Map(),
      problems: [outcome.detail],
    };
  const taxByCode = new Map<string, bigint>();
  for (const rate of outcome.result.rates) {
    const code = cwCodeOfRate(rate.id);
    if (code) taxByCode.set(code, (taxByCode.get(code) ?? 0n) + rate.taxMinor);
  }
  return {
    booked: true,
    decimals,
    totalMinor: sumMinor(lines.map((l) => l.amountMinor)) + outcome.result.taxMinor,
    taxMinor: outcome.result.taxMinor,
    taxByCode,
    problems: [],
  };
}

/**
 * Refusals the product makes by a rule of its own, documented in the error catalogue
 * (server/records/error-catalogue.ts): nothing to book (zero_total) or a document the books cannot take
 * as an invoice or bill (negative_total, negative_bill). Any other refusal is a failure.
 */
export const documentedRefusals = new Set(['zero_total', 'negative_total', 'negative_bill']);

/** How a booked or refused case is counted; `failure` says why the property does not hold. */
export interface Verdict {
  column: 'booked = CW' | 'rounded, noted' | 'refused: documented rule';
  failure?: string;
}

const nonZero = (map: Map<string, bigint>) =>
  JSON.stringify(
    [...map]
      .filter(([, v]) => v !== 0n)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, String(v)]),
  );

/**
 * The property for a document (invoice, credit memo, bill), as one function so the test, its
 * regression cases and the bench judge alike. Booked: the ledger's own model finds the product's total
 * and no problem, and either the books equal CW to the minor unit (no rounding said), or CW's figures
 * are finer than the books keep and the books hold CW's total at their precision, any rounding line
 * is untaxed and within the limit, and the record's note names CW's exact total and the booked one.
 * Tax (and per CW code, except QBO US, which keeps one figure) is CW's at the books' precision.
 * Refused: only by a documented rule, and only when CW's total is what the rule says.
 */
export function verdictOf(c: CwCase, kind: LedgerKind, booked: Booked): Verdict {
  const { truth, outcome, doc, rounding } = booked;
  if (!outcome.booked) {
    const fail = (failure: string): Verdict => ({ column: 'refused: documented rule', failure });
    if (!documentedRefusals.has(outcome.reason)) return fail(`refused: ${outcome.reason}: ${outcome.detail}`);
    // The books' precision: CW's total may round to zero there.
    const places = Math.min(
      truth.decimals,
      ledgerAmountDecimals(kind === 'xero' ? 'xero' : 'qbo', c.currency.code),
    );
    const total = rescaleMinor(truth.totalMinor, truth.decimals, places);
    if (outcome.reason === 'zero_total' ? total !== 0n : total >= 0n)
      return fail(
        `refused as ${outcome.reason} but CW's total is ${formatMinor(truth.totalMinor, truth.decimals)}`,
      );
    return { column: 'refused: documented rule' };
  }
  const column = rounding ? 'rounded, noted' : 'booked = CW';
  const fail = (failure: string): Verdict => ({ column, failure });
  const ld = outcome.decimals;
  const atLedger = (minor: bigint) => rescaleMinor(minor, truth.decimals, ld);
  if (outcome.problems.length > 0) return fail(`ledger refused: ${outcome.problems.join('; ')}`);
  if (!doc) return fail('no document');
  if (outcome.totalMinor !== doc.totalMinor)
    return fail(`the ledger totals ${outcome.totalMinor}, the product meant ${doc.totalMinor}`);
  if (outcome.totalMinor !== atLedger(truth.totalMinor))
    return fail(`total ${outcome.totalMinor} (${ld} dp) != CW ${truth.totalMinor} (${truth.decimals} dp)`);
  const roundingLines = doc.lines.filter((l) => l.description.startsWith('Rounding'));
  if (ld >= truth.decimals) {
    // The books hold CW's figures: nothing may be rounded, or said to be.
    if (rounding) return fail(`rounding said where the books hold CW's figures: ${rounding.message}`);
    if (roundingLines.length > 0) return fail('a rounding line where the books hold CW exactly');
  } else {
    const finer = truth.decimals;
    const off = absMinor(rescaleMinor(outcome.totalMinor, ld, finer) - truth.totalMinor);
    const limit = toMinor(roundingLimit, finer);
    if (off > limit) return fail(`booked ${outcome.totalMinor} is ${off} off CW, above the limit`);
    for (const line of roundingLines) {
      if (absMinor(rescaleMinor(line.amountMinor, ld, finer)) > limit)
        return fail('rounding line above the limit');
      if (line.taxable) return fail('a taxed rounding line');
    }
    if ((off !== 0n || roundingLines.length > 0) && !rounding)
      return fail('rounded without a note on the record');
    if (rounding && toMinor(rounding.cw, finer) !== absMinor(truth.totalMinor))
      return fail(`the note names CW's total as ${rounding.cw}`);
    if (rounding && toMinor(rounding.booked, ld) !== absMinor(outcome.totalMinor))
      return fail(`the note names the booked total as ${rounding.booked}`);
  }
  const cwTaxByCode = new Map([...truth.taxByCode].map(([k, v]) => [k, atLedger(v)]));
  if (outcome.taxMinor !== sumMinor(cwTaxByCode.values()))
    return fail(`tax ${outcome.taxMinor} != CW ${sumMinor(cwTaxByCode.values())} (per code, at ${ld} dp)`);
  // QBO US keeps one tax figure on a sale; per code everywhere else (a US bill: its tax lines).
  if ((kind !== 'qbo_us' || doc.type === 'bill') && nonZero(outcome.taxByCode) !== nonZero(cwTaxByCode))
    return fail(`tax per code ${nonZero(outcome.taxByCode)} != CW ${nonZero(cwTaxByCode)}`);
  if (kind === 'qbo_global')
    // Every line carries a code; a line CW did not tax carries the exempt one.
    for (const line of doc.lines)
      if (!line.taxable && line.taxKey !== qboExemptCode)
        return fail(`untaxed line "${line.description}" coded ${line.taxKey}`);
  return { column };
}

/** What a case is counted under in bench/RESULTS.md: its row, and the columns it adds to. */
export function classOf(
  c: CwCase,
  kind: LedgerKind,
  document: 'invoice' | 'credit_memo' | 'bill',
  verdict: Verdict,
): { row: string; columns: string[] } {
  const taxable = c.lines.filter((l) => l.taxable).length;
  const columns = ['cases'];
  if (taxable > 0 && taxable < c.lines.length) columns.push('mixed taxable');
  if (new Set(c.lines.map((l) => l.code)).size > 1) columns.push('several codes');
  if (c.lines.some((l) => l.price.startsWith('-'))) columns.push('discounts');
  if (c.lines.some((l) => cwLineMinor(l, c.currency.decimals) >= 10n ** BigInt(9 + c.currency.decimals)))
    columns.push('line >= 1e9');
  if (c.finer) columns.push('finer than currency');
  columns.push(verdict.failure ? 'failed' : verdict.column);
  return { row: `${kind} | ${document} | ${c.currency.decimals} dp`, columns };
}

export const formatCase = (c: CwCase) => JSON.stringify(c);
export { formatMinor };

/**
 * The case's lines as a received CW purchase (GLExportPurchaseTransaction): item lines as credits
 * under a positive header total, CW's purchase tax per code in `purchaseDetailTax` (schemas.ts).
 */
export function cwPurchase(c: CwCase) {
  const { transaction, amounts, truth } = cwTransaction({ ...c, type: 'invoice' });
  const decimals = truth.decimals;
  const money = (minor: bigint) => minorToNumber(minor, decimals);
  const purchase = {
    id: 'P1',
    documentNumber: 'PO-1',
    documentDate: '2026-03-01T00:00:00Z',
    company: { id: 2, identifier: 'V', name: 'Vendor' },
    currency: transaction.currency,
    total: money(truth.totalMinor),
    vendorInvoiceNumber: 'VI-1',
    taxCode: { identifier: cwTaxCodes[c.lines[0]!.code]!.cw },
    purchaseDetail: c.lines.map((line, i) => ({
      id: i + 1,
      glTypeId: 'PP',
      accountNumber: '5000',
      description: `line ${i + 1}`,
      quantity: -Number(line.quantity),
      itemCost: Math.abs(Number(line.price)),
      cost: money(absMinor(amounts[i]!)),
      total: money(-amounts[i]!),
      taxable: line.taxable,
      taxCodeXref: cwTaxCodes[line.code]!.cw,
    })),
    purchaseDetailTax: [...truth.taxByCode].map(([cw, tax], k) => ({
      id: 1000 + k,
      glTypeId: 'PT',
      accountNumber: purchaseTaxAccount,
      memo: `Purchase tax ${cw}`,
      total: money(-tax),
      taxCode: { identifier: cw },
    })),
  };
  const glExport = glExportSchema.parse({ purchaseTransactions: [purchase] });
  const unposted = unpostedProcurementSchema.parse({
    id: 1,
    procurementType: 'Purchase',
    unpostedProductId: 'P1',
    total: purchase.total,
    currency: transaction.currency,
    vendorInvoiceNumber: 'VI-1',
  });
  return { glExport, unposted, truth };
}

/**
 * A bill: the case's lines as a CW purchase, mapped as push-gl-record maps one (mapRecord, with the
 * connection's booking options and the rounding limit), sent as the ledger's bill, and run through the
 * simulator's purchase-tax rules: outside the US the codes' purchase rates with TaxLine overrides
 * (sim/quickbooks/transaction-rules.ts, expenseRules); a US company adds TotalTax as given; Xero's
 * totals as for a sale, from each line's TaxType and TaxAmount. Where the product books CW's purchase
 * tax as lines on CW's purchase tax account (QBO US), the tax per code is those lines'.
 */
export function bookBill(c: CwCase, kind: LedgerKind): Booked {
  const { glExport, unposted, truth } = cwPurchase(c);
  const connection = connectionFor(kind);
  const mappings = mappingsFor(kind);
  let doc: SalesOrBillDocument;
  let rounding: RoundingNote | undefined;
  try {
    const mapped = mapRecord(
      'procurement',
      glExport,
      unposted,
      { mappings, connection },
      'PUR-1',
      'P1',
      1,
      'Purchase 1',
      roundingLimit,
    );
    doc = mapped.document as SalesOrBillDocument;
    rounding = mapped.rounding;
  } catch (error) {
    return { truth, outcome: refusal(error) };
  }
  const booked = (outcome: Outcome): Booked => ({ truth, doc, outcome, ...(rounding ? { rounding } : {}) });
  const taxAccount = mappings.get('gl_account', purchaseTaxAccount);
  /** CW's purchase tax as the product booked it on the tax account, per CW code (its memo names it). */
  const taxLines = (
    lines: { account: string | undefined; description: string | undefined; amountMinor: bigint }[],
  ) => {
    const byCode = new Map<string, bigint>();
    for (const line of lines) {
      if (line.account !== taxAccount) continue;
      const code = /^Purchase tax (\w+)$/.exec(line.description ?? '')?.[1] ?? '?';
      byCode.set(code, (byCode.get(code) ?? 0n) + line.amountMinor);
    }
    return byCode;
  };
  try {
    if (kind === 'xero') {
      // Xero's return reads tax from each line's TaxType and TaxAmount only: what its totals make of
      // the lines is the tax per code. A line on the purchase tax account is input tax it never sees.
      const body = toXeroDocument(doc, 'vendor').body;
      const outcome = xeroOutcome(body, doc.decimals);
      const onTaxAccount = (body.LineItems as { AccountCode: string }[]).filter(
        (l) => l.AccountCode === taxAccount,
      ).length;
      if (outcome.booked && onTaxAccount > 0)
        outcome.problems.push(`${onTaxAccount} line(s) on the purchase tax account instead of TaxAmount`);
      return booked(outcome);
    }
    const tax: QboTaxSetup =
      kind === 'qbo_us'
        ? { model: 'us' }
        : { model: 'global', ratesOf: (code) => qboPurchaseRates.get(code) };
    const wire = toQboBill(doc, 'vendor', tax);
    const wireLines = wire.Line as {
      Amount: number;
      Description?: string;
      AccountBasedExpenseLineDetail: { AccountRef: { value: string }; TaxCodeRef?: { value: string } };
    }[];
    const lines = wireLines.map((l) => ({
      amountMinor: toMinor(l.Amount, doc.decimals),
      taxCode: l.AccountBasedExpenseLineDetail.TaxCodeRef?.value,
    }));
    if (kind === 'qbo_global') return booked(qboOutcome(kind, wire, lines, doc.decimals, qboPurchaseRates));
    // A US bill: lines plus a TotalTax if one is sent (expenseRules); the product sends CW's tax as lines.
    const stated = toMinor(
      ((wire.TxnTaxDetail as { TotalTax?: number } | undefined)?.TotalTax ?? 0) as number,
      doc.decimals,
    );
    const byCode = taxLines(
      wireLines.map((l, i) => ({
        account: l.AccountBasedExpenseLineDetail.AccountRef.value,
        description: l.Description,
        amountMinor: lines[i]!.amountMinor,
      })),
    );
    return booked({
      booked: true,
      decimals: doc.decimals,
      totalMinor: sumMinor(lines.map((l) => l.amountMinor)) + stated,
      taxMinor: stated + sumMinor(byCode.values()),
      taxByCode: byCode,
      problems: [],
    });
  } catch (error) {
    return { truth, doc, outcome: refusal(error) };
  }
}

/** A CW record booked as a journal: a company-paid expense, an inventory adjustment or transfer. */
export interface CwJournalCase {
  kind: 'expense' | 'adjustment' | 'transfer';
  currency: (typeof currencies)[number];
  finer?: boolean;
  /** Minor units at cwPlaces: the expense; each adjustment line (stock added or removed); each item moved. */
  amounts: bigint[];
}

export const journalArb: fc.Arbitrary<CwJournalCase> = fc
  .record({
    kind: fc.constantFrom('expense' as const, 'adjustment' as const, 'transfer' as const),
    currency: fc.constantFrom(...currencies),
  })
  .chain(({ kind, currency }) => {
    const amount = fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 10n ** 14n }));
    const signed = fc.tuple(amount, fc.boolean()).map(([a, removed]) => (removed ? -a : a));
    return fc.record({
      kind: fc.constant(kind),
      currency: fc.constant(currency),
      // One in five with figures finer than the currency, as for documents (cwPlaces).
      finer: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      amounts:
        kind === 'expense'
          ? amount.map((a) => [a])
          : fc.array(kind === 'adjustment' ? signed : amount, { minLength: 1, maxLength: 10 }),
    });
  });

/** The CW export of a journal case, and the record's unposted entry, as push-gl-record reads them. */
export function cwJournalRecord(j: CwJournalCase) {
  const places = cwPlaces(j);
  const money = (minor: bigint) => minorToNumber(minor, places);
  const currency = { id: 1, currencyCode: j.currency.code, numberOfDecimals: j.currency.decimals };
  const documentDate = '2026-03-01T00:00:00Z';
  if (j.kind === 'expense') {
    const total = j.amounts[0]!;
    return {
      type: 'expense' as const,
      glExport: glExportSchema.parse({
        expenses: [
          {
            id: 1,
            documentDate,
            accountNumber: '6100',
            memo: 'card',
            currency,
            total: money(total),
            offset: { id: 2, accountNumber: '2000', total: money(-total) },
          },
        ],
      }),
      unposted: unpostedExpenseSchema.parse({ id: 1, total: money(total) }),
      productId: '1',
    };
  }
  if (j.kind === 'adjustment')
    return {
      type: 'adjustment' as const,
      glExport: glExportSchema.parse({
        adjustmentTransactions: [
          {
            id: 'A1',
            documentDate,
            accountNumber: '5100',
            adjustmentDescription: 'Stock count',
            adjustmentDetail: j.amounts.map((a, i) => ({
              id: i + 1,
              item: { identifier: `ITEM${i + 1}` },
              description: 'count',
              quantity: a < 0n ? -1 : 1,
              total: money(a),
              inventoryAccountNumber: '1300',
            })),
          },
        ],
      }),
      unposted: unpostedProcurementSchema.parse({
        id: 1,
        procurementType: 'Adjustment',
        description: 'Stock count',
        unpostedProductId: 'A1',
        currency,
      }),
      productId: 'A1',
    };
  return {
    type: 'transfer' as const,
    glExport: glExportSchema.parse({
      inventoryTransfers: j.amounts.map((a, i) => ({
        id: String(i + 1),
        transferId: 1,
        documentDate,
        accountNumber: '1310',
        item: { identifier: `ITEM${i + 1}` },
        itemDescription: 'moved',
        currency,
        total: money(a),
        offset: { id: 100 + i, accountNumber: '1300', total: money(-a) },
      })),
    }),
    unposted: unpostedProcurementSchema.parse({
      id: 1,
      procurementType: 'Transfer',
      description: 'Move',
      unpostedProductId: 'T1',
      currency,
    }),
    productId: 'T1',
  };
}

/** The places an amount needs: CW sends numbers, so 1.50 reads as 1.5. */
const placesOf = (minor: bigint, places: number) => {
  let needed = places;
  while (needed > 0 && minor % 10n ** BigInt(places - needed + 1) === 0n) needed -= 1;
  return needed;
};

export type JournalColumn =
  | 'booked = CW'
  | 'rounded, noted'
  | 'xero refused: 3 dp'
  | 'refused: documented rule';

/**
 * A journal case mapped as push-gl-record maps it (mapRecord, with the connection's precision) and sent as
 * the ledger's journal: debits equal credits and CW's debits to the minor unit; where CW's figures are
 * finer than the books keep, each line is CW's at the books' precision, within the rounding limit, and
 * the record's note names CW's debits and the booked ones. Xero keeps 2 decimals and a journal has no
 * rounding line, so Xero refuses a 3-dp amount it cannot hold (xeroAmount, "cannot be sent exactly"):
 * counted in a column of its own, never as booked.
 */
export function journalVerdict(
  j: CwJournalCase,
  ledger: 'qbo' | 'xero',
): { column: JournalColumn; failure?: string } {
  const places = cwPlaces(j);
  const kind: LedgerKind = ledger === 'xero' ? 'xero' : 'qbo_us';
  // The books' precision, never below the currency's own (journalDecimals).
  const used = Math.max(j.currency.decimals, ...j.amounts.map((a) => placesOf(a, places)));
  const booked = Math.min(used, Math.max(j.currency.decimals, ledgerAmountDecimals(ledger, j.currency.code)));
  const debitsAt = (decimals: number) =>
    sumMinor(j.amounts.map((a) => absMinor(rescaleMinor(a, places, decimals))));
  const record = cwJournalRecord(j);
  let mapped: ReturnType<typeof mapRecord>;
  try {
    mapped = mapRecord(
      record.type,
      record.glExport,
      record.unposted,
      { mappings: mappingsFor(kind), connection: connectionFor(kind) },
      'JNL-1',
      record.productId,
      1,
      'Journal 1',
      roundingLimit,
    );
  } catch (error) {
    const outcome = refusal(error);
    const column = 'refused: documented rule' as const;
    if (outcome.booked || outcome.reason !== 'zero_total')
      return { column, failure: `refused: ${outcome.booked ? '' : `${outcome.reason}: ${outcome.detail}`}` };
    // Nothing to book: every amount is zero at the books' precision.
    return debitsAt(booked) === 0n
      ? { column }
      : { column, failure: `refused as zero, CW debits ${debitsAt(places)}` };
  }
  const doc = mapped.document as JournalDocument;
  const { rounding } = mapped;
  const column = rounding ? ('rounded, noted' as const) : ('booked = CW' as const);
  const fail = (failure: string) => ({ column, failure });
  if (doc.decimals !== booked) return fail(`booked at ${doc.decimals} dp, the books keep ${booked}`);
  const cw = debitsAt(booked);
  if (places > booked) {
    const off = absMinor(rescaleMinor(cw, booked, places) - debitsAt(places));
    if (off !== 0n && !rounding) return fail('rounded without a note on the record');
    if (off > toMinor(roundingLimit, places)) return fail(`debits ${off} off CW, above the rounding limit`);
    if (rounding && toMinor(rounding.cw, places) !== debitsAt(places))
      return fail(`the note names CW's debits as ${rounding.cw}`);
    if (rounding && toMinor(rounding.booked, booked) !== cw)
      return fail(`the note names the booked debits as ${rounding.booked}`);
  } else if (rounding) return fail(`rounding said where the books hold CW's figures: ${rounding.message}`);
  let debits: bigint;
  let credits: bigint;
  if (ledger === 'qbo') {
    const lines = toQboJournalEntry(doc).Line as {
      Amount: number;
      JournalEntryLineDetail: { PostingType: string };
    }[];
    const side = (type: string) =>
      sumMinor(
        lines
          .filter((l) => l.JournalEntryLineDetail.PostingType === type)
          .map((l) => toMinor(l.Amount, doc.decimals)),
      );
    debits = side('Debit');
    credits = side('Credit');
  } else {
    let lines: { LineAmount: number }[];
    try {
      lines = toXeroJournal(doc).JournalLines as { LineAmount: number }[];
    } catch (error) {
      if (
        error instanceof LedgerError &&
        doc.decimals > 2 &&
        /cannot be sent exactly/.test(error.providerMessage)
      )
        return { column: 'xero refused: 3 dp' };
      throw error;
    }
    const amounts = lines.map((l) => toMinor(l.LineAmount, doc.decimals));
    debits = sumMinor(amounts.filter((a) => a > 0n));
    credits = -sumMinor(amounts.filter((a) => a < 0n));
  }
  if (debits !== credits) return fail(`debits ${debits} != credits ${credits}`);
  if (debits !== cw) return fail(`debits ${debits} != CW ${cw} (at ${booked} dp)`);
  return { column };
}
