/**
 * The payments-back property suite at scale: PAYMENT_CASES random CW invoices per kind of books
 * (default 100,000; the test runs 4,000), each paid in the ledger (in full, in part, in several
 * payments over one or more sweeps, or with CW already paid outside the ledger), every payment run
 * through the product's conversion (server/payments/payment-amount.ts) against a CW that refuses what
 * CW refuses, checked as test/money/payment-properties.test.ts checks, counted by class.
 *
 *   PAYMENT_CASES=100000 PAYMENT_SEED=1306 npx tsx bench/payment-properties.ts
 */
import fc from 'fast-check';
import {
  type PaymentCase,
  paymentCaseArb,
  paymentClassOf,
  paymentFailure,
} from '../test/money/payment-cases.js';
import { header } from './support/machine.js';

const perKind = Number(process.env.PAYMENT_CASES ?? 100_000);
const seed = Number(process.env.PAYMENT_SEED ?? 1306);

console.log(header('Payments-back property suite (issue 13 item 6)', { cases: `${perKind} per kind`, seed }));
const columns = [
  'cases',
  'several payments',
  'same sweep',
  'dp differ',
  'books rounded',
  'payment rounded',
  'capped',
  'topped up',
  '0 in CW units',
  'refused by CW',
  'refused: sub-unit',
];
const counts = new Map<string, Map<string, number>>();
let failed = 0;
const started = performance.now();
for (const books of ['qbo_us', 'qbo_global', 'xero'] as const) {
  const details = fc.check(
    fc.property(paymentCaseArb, (c) => {
      const { row, columns: hit } = paymentClassOf(c, books);
      const counted = counts.get(row) ?? new Map<string, number>();
      for (const column of hit) counted.set(column, (counted.get(column) ?? 0) + 1);
      counts.set(row, counted);
      return paymentFailure(c, books) === undefined;
    }),
    { numRuns: perKind, seed },
  );
  if (details.failed) {
    failed += 1;
    const [c] = details.counterexample as [PaymentCase];
    console.log(
      `FAILED ${books}: ${paymentFailure(c, books)}\n  counterexample: ${JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${perKind * 3} cases (${perKind} per kind) in ${seconds.toFixed(1)} s; ${failed} kinds failed\n`,
);
console.log(`| books | payments | CW decimals | ${columns.join(' | ')} |`);
console.log(`| --- | --- | --- | ${columns.map(() => '---:').join(' | ')} |`);
for (const [row, counted] of [...counts].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`| ${row} | ${columns.map((c) => counted.get(c) ?? 0).join(' | ')} |`);
process.exit(failed === 0 ? 0 : 1);
