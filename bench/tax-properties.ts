/**
 * The tax property suite at scale: TAX_CASES random CW transactions per kind of books (default
 * 20,000; the test runs 3,400), each mapped by the product and run through the ledger's own tax model,
 * checked against CW's total and tax per code, counted by class for bench/RESULTS.md.
 *
 *   TAX_CASES=100000 TAX_SEED=7 npx tsx bench/tax-properties.ts
 */
import fc from 'fast-check';
import {
  bookBill,
  bookCase,
  type CwCase,
  caseArb,
  classOf,
  currencies,
  journalBalances,
  type LedgerKind,
} from '../test/money/tax-cases.js';
import { header } from './support/machine.js';

const perKind = Number(process.env.TAX_CASES ?? 20_000);
const seed = Number(process.env.TAX_SEED ?? 1302);

const nonZero = (map: Map<string, bigint>) =>
  JSON.stringify(
    [...map]
      .filter(([, v]) => v !== 0n)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, String(v)]),
  );

/** Why a case fails, or undefined when the books equal CW. Same checks as tax-properties.test.ts. */
function failure(c: CwCase, kind: LedgerKind): string | undefined {
  const { truth, outcome } = bookCase(c, kind);
  if (!outcome.booked)
    return kind === 'xero' && c.currency.decimals > 2 && /cannot be sent exactly/.test(outcome.reason)
      ? undefined
      : `refused: ${outcome.reason}`;
  if (outcome.problems.length > 0) return `ledger refused: ${outcome.problems.join('; ')}`;
  if (outcome.totalMinor !== truth.totalMinor) return `total ${outcome.totalMinor} != CW ${truth.totalMinor}`;
  if (outcome.taxMinor !== truth.taxMinor) return `tax ${outcome.taxMinor} != CW ${truth.taxMinor}`;
  if (kind !== 'qbo_us' && nonZero(outcome.taxByCode) !== nonZero(truth.taxByCode))
    return `tax per code ${nonZero(outcome.taxByCode)} != CW ${nonZero(truth.taxByCode)}`;
  return undefined;
}

console.log(header('Tax property suite (issue 13 item 6)', { cases: `${perKind} per kind`, seed }));
const counts = new Map<string, Map<string, number>>();
const columns = [
  'cases',
  'mixed taxable',
  'several codes',
  'discounts',
  'line >= 1e9',
  'booked = CW',
  'refused: sub-unit',
];
let failed = 0;
const started = performance.now();
for (const kind of ['qbo_us', 'qbo_global', 'xero'] as const) {
  const details = fc.check(
    fc.property(caseArb, (c) => {
      const problem = failure(c, kind);
      const { outcome } = bookCase(c, kind);
      const { row, columns } = classOf(c, kind, outcome);
      const counted = counts.get(row) ?? new Map<string, number>();
      for (const column of columns) counted.set(column, (counted.get(column) ?? 0) + 1);
      counts.set(row, counted);
      return problem === undefined;
    }),
    { numRuns: perKind, seed },
  );
  if (details.failed) {
    failed += 1;
    const [c] = details.counterexample as [CwCase];
    console.log(`FAILED ${kind}: ${failure(c, kind)}\n  counterexample: ${JSON.stringify(c)}`);
  }
}
// Bills (QBO US and Xero, as the test runs them) and journals (company-paid expenses, both ledgers).
const count = (row: string, hit: string[]) => {
  const counted = counts.get(row) ?? new Map<string, number>();
  for (const column of hit) counted.set(column, (counted.get(column) ?? 0) + 1);
  counts.set(row, counted);
};
for (const kind of ['qbo_us', 'xero'] as const) {
  const details = fc.check(
    fc.property(caseArb, (c) => {
      const { truth, outcome } = bookBill(c, kind);
      // A bill is the case's lines as an invoice booked payable: the same classes, its own row.
      count(`${kind} | bill | ${c.currency.decimals} dp`, classOf(c, kind, outcome).columns);
      if (!outcome.booked)
        return kind === 'xero' && c.currency.decimals > 2 && /cannot be sent exactly/.test(outcome.reason);
      return (
        outcome.problems.length === 0 &&
        outcome.totalMinor === truth.totalMinor &&
        outcome.taxMinor === truth.taxMinor
      );
    }),
    { numRuns: perKind, seed },
  );
  if (details.failed) {
    failed += 1;
    console.log(`FAILED ${kind} bills: ${JSON.stringify(details.counterexample)}`);
  }
}
const journals = fc.check(
  fc.property(fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.constantFrom(...currencies), (amount, currency) => {
    const ok = journalBalances(amount, currency);
    count(`qbo + xero | journal | ${currency.decimals} dp`, ['cases', ...(ok ? ['booked = CW'] : [])]);
    return ok;
  }),
  { numRuns: perKind, seed },
);
if (journals.failed) {
  failed += 1;
  console.log(
    `FAILED journals: ${JSON.stringify(journals.counterexample, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
  );
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${perKind * 6} cases (${perKind} per kind: 3 kinds of sales documents, 2 of bills, journals) in ${seconds.toFixed(1)} s; ${failed} classes failed\n`,
);
console.log(`| books | document | currency | ${columns.join(' | ')} |`);
console.log(`| --- | --- | --- | ${columns.map(() => '---:').join(' | ')} |`);
for (const [row, counted] of [...counts].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`| ${row} | ${columns.map((c) => counted.get(c) ?? 0).join(' | ')} |`);
process.exit(failed === 0 ? 0 : 1);
