/**
 * The tax property suite at scale: TAX_CASES random CW transactions per kind of books and document
 * (default 20,000; the test runs 2,400 sales documents and 1,200 bills and journals per kind), each
 * mapped by the product as a push maps it and run through the ledger's own tax model, judged by the
 * same functions as the test (verdictOf, journalVerdict in test/money/tax-cases.ts), counted by class
 * for bench/RESULTS.md.
 *
 *   TAX_CASES=100000 TAX_SEED=7 npx tsx bench/tax-properties.ts
 */
import fc from 'fast-check';
import {
  bookBill,
  bookCase,
  type CwCase,
  type CwJournalCase,
  caseArb,
  classOf,
  formatCase,
  journalArb,
  journalVerdict,
  type LedgerKind,
  verdictOf,
} from '../test/money/tax-cases.js';
import { header } from './support/machine.js';

const perKind = Number(process.env.TAX_CASES ?? 20_000);
const seed = Number(process.env.TAX_SEED ?? 1302);
const kinds = ['qbo_us', 'qbo_global', 'xero'] as const;

console.log(header('Tax property suite (issue 13 item 6)', { cases: `${perKind} per kind`, seed }));
const counts = new Map<string, Map<string, number>>();
const count = (row: string, hit: string[]) => {
  const counted = counts.get(row) ?? new Map<string, number>();
  for (const column of hit) counted.set(column, (counted.get(column) ?? 0) + 1);
  counts.set(row, counted);
};
const columns = [
  'cases',
  'mixed taxable',
  'several codes',
  'discounts',
  'line >= 1e9',
  'finer than currency',
  'booked = CW',
  'rounded, noted',
  'xero refused: 3 dp',
  'refused: documented rule',
  'failed',
];
let failed = 0;
let total = 0;
const started = performance.now();

// Invoices and credit memos (mapDocument), then bills (CW purchases through mapRecord).
for (const document of ['sales', 'bill'] as const)
  for (const kind of kinds) {
    const judge = (c: CwCase, k: LedgerKind) =>
      verdictOf(c, k, document === 'bill' ? bookBill(c, k) : bookCase(c, k));
    const details = fc.check(
      fc.property(caseArb, (c) => {
        const verdict = judge(c, kind);
        const { row, columns: hit } = classOf(c, kind, document === 'bill' ? 'bill' : c.type, verdict);
        count(row, hit);
        return verdict.failure === undefined;
      }),
      { numRuns: perKind, seed },
    );
    total += details.numRuns;
    if (details.failed) {
      failed += 1;
      const [c] = details.counterexample as [CwCase];
      console.log(
        `FAILED ${kind} ${document}: ${judge(c, kind).failure}\n  counterexample: ${formatCase(c)}`,
      );
    }
  }

// Journals: company-paid expenses, inventory adjustments and transfers, in QBO and Xero.
for (const ledger of ['qbo', 'xero'] as const) {
  const details = fc.check(
    fc.property(journalArb, (j) => {
      const verdict = journalVerdict(j, ledger);
      count(`${ledger} | ${j.kind} journal | ${j.currency.decimals} dp`, [
        'cases',
        ...(j.finer ? ['finer than currency'] : []),
        verdict.failure ? 'failed' : verdict.column,
      ]);
      return verdict.failure === undefined;
    }),
    { numRuns: perKind, seed },
  );
  total += details.numRuns;
  if (details.failed) {
    failed += 1;
    const [j] = details.counterexample as [CwJournalCase];
    console.log(
      `FAILED ${ledger} journals: ${journalVerdict(j, ledger).failure}\n  counterexample: ${JSON.stringify(j, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${total} cases (${perKind} per kind: 3 kinds of books x sales documents and bills, 2 ledgers x journals) in ${seconds.toFixed(1)} s; ${failed} classes failed\n`,
);
console.log(`| books | document | currency | ${columns.join(' | ')} |`);
console.log(`| --- | --- | --- | ${columns.map(() => '---:').join(' | ')} |`);
for (const [row, counted] of [...counts].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`| ${row} | ${columns.map((c) => counted.get(c) ?? 0).join(' | ')} |`);
process.exit(failed === 0 ? 0 : 1);
