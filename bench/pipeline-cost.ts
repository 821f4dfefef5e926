/**
 * External calls per record, counted by the simulators (/__sim/traffic): pushes of each record type
 * to QBO and to Xero (invoices, credit memos, expenses both ways, purchases, inventory adjustments),
 * and onboarding of each type (ConnectWise calls only: onboarding never touches the ledger).
 *
 *   npx tsx bench/pipeline-cost.ts [--pushes 50] [--xero-pushes N] [--onboard 1000]
 *     [--only invoice,credit_memo,expense,procurement,adjustment,onboard] [--one-at-a-time]
 *
 * Pushes go as an accountant's bulk push does (all N in one request), so pushes running together
 * share CW's reads and previews; `--one-at-a-time` pushes each record only once the one before it is
 * done (the cost of a lone push). The simulators answer with the realistic latency of
 * bench/throughput.ts, which is what keeps a read in flight long enough to be shared.
 *
 * `--only` picks the record types pushed; with `onboard` in it, those types (all of them when the list
 * names no type) are onboarded too. `--xero-pushes` defaults to `--pushes` (Xero allows 60 calls/min).
 */

import type { RecordType } from '../server/db/schema.js';
import type { LedgerKind } from '../server/ledgers/ledger.js';
import { buildExpense, buildProcurement } from '../sim/connectwise/index.js';
import { invoices } from '../test/support/sim-world.js';
import { type BenchWorld, perRecord, startBenchWorld } from './support/bench-world.js';
import { flag, header } from './support/machine.js';

const allTypes = ['invoice', 'credit_memo', 'expense', 'procurement', 'adjustment'] as const;
const only = flag('only', [...allTypes, 'onboard'].join(',')).split(',');
const unknown = only.filter((o) => o !== 'onboard' && !(allTypes as readonly string[]).includes(o));
if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')}`);
const pushTypes = allTypes.filter((t) => only.includes(t));
const onboardTypes = only.includes('onboard') ? (pushTypes.length > 0 ? pushTypes : [...allTypes]) : [];
const pushesOf: Record<LedgerKind, number> = {
  qbo: Number(flag('pushes', '50')),
  xero: Number(flag('xero-pushes', flag('pushes', '50'))),
};
const onboard = Number(flag('onboard', '1000'));
const oneAtATime = process.argv.includes('--one-at-a-time');
const latency = { cw: 120, qbo: 250, xero: 300 };
const ledgerName = { qbo: 'QuickBooks Online', xero: 'Xero' } as const;

/** One measured case: what is seeded in CW, pushed as which record type, and what the ledger makes. */
interface PushCase {
  label: string;
  /** For the summary table. */
  short: string;
  type: RecordType;
  seed(w: BenchWorld, ids: number[]): Promise<void>;
}

const date = '2024-03-10T00:00:00Z';
// Transfers are not measured yet: their push makes the same calls as an adjustment's.
const pushCases: Record<RecordType, PushCase[]> = {
  transfer: [],
  invoice: [
    {
      label: 'Invoice push',
      short: 'invoice',
      type: 'invoice',
      seed: (w, ids) => w.sims.seedInvoices(invoices(ids.length, ids[0]!)),
    },
  ],
  credit_memo: [
    {
      label: 'Credit memo push',
      short: 'credit memo',
      type: 'credit_memo',
      seed: (w, ids) => w.sims.seedInvoices(invoices(ids.length, ids[0]!, 'CM-', { type: 'CreditMemo' })),
    },
  ],
  expense: [
    {
      label: 'Expense (reimbursable -> bill) push',
      short: 'expense -> bill',
      type: 'expense',
      seed: (w, ids) => w.seedOther({ expenses: ids.map((id) => buildExpense({ id, amount: 86.4, date })) }),
    },
    {
      label: 'Expense (company-paid -> journal) push',
      short: 'expense -> journal',
      type: 'expense',
      seed: (w, ids) =>
        w.seedOther({
          expenses: ids.map((id) =>
            buildExpense({ id, amount: 240, date, classification: 'NonReimbursable' }),
          ),
        }),
    },
  ],
  procurement: [
    {
      label: 'Purchase (procurement -> bill) push',
      short: 'purchase -> bill',
      type: 'procurement',
      seed: (w, ids) =>
        w.seedOther({
          procurement: ids.map((id) =>
            buildProcurement({
              id,
              procurementType: 'Purchase',
              date,
              lines: [
                { item: 'SW-24', quantity: 2, unitCost: 310.25 },
                { item: 'CABLE', quantity: 10, unitCost: 4.99 },
              ],
              freight: 18.5,
            }),
          ),
        }),
    },
  ],
  adjustment: [
    {
      label: 'Inventory adjustment (-> journal) push',
      short: 'adjustment -> journal',
      type: 'adjustment',
      seed: (w, ids) =>
        w.seedOther({
          procurement: ids.map((id) =>
            buildProcurement({
              id,
              procurementType: 'Adjustment',
              description: `Cycle count ${id}`,
              date,
              lines: [
                { item: 'SW-24', quantity: 2, unitCost: 150 },
                { item: 'CABLE', quantity: -5, unitCost: 4 },
              ],
            }),
          ),
        }),
    },
  ],
};

const cases = pushTypes.flatMap((t) => pushCases[t]);
const summary: string[] = [];
const out: string[] = [
  header('Pipeline cost (bench/pipeline-cost.ts)', {
    database: process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite',
    work:
      `${pushesOf.qbo} pushes to QBO, ${pushesOf.xero} to Xero of each of: ${cases.map((c) => c.short).join(', ') || 'none'} ` +
      `(one tenant per ledger, one CW company, fresh customer/member/vendor, types in that order); ` +
      `onboarding of ${onboard} records of each of: ${onboardTypes.join(', ') || 'none'}`,
    pushes: oneAtATime ? 'one at a time (each waits for the one before)' : 'all at once (one bulk push)',
    latency: `CW ${latency.cw} ms, QBO ${latency.qbo} ms, Xero ${latency.xero} ms (/__sim/latency; pushes only)`,
  }),
  '',
];

for (const kind of ['qbo', 'xero'] as const) {
  if (cases.length === 0) break;
  const pushes = pushesOf[kind];
  const w = await startBenchWorld(kind);
  await w.sims.latency(latency);
  for (const [index, c] of cases.entries()) {
    // Each case its own id range: expenses and procurement records are lists of their own in CW.
    const ids = Array.from({ length: pushes }, (_, i) => 20_000 + index * 10_000 + i);
    await c.seed(w, ids);
    await w.sims.resetCounts();
    const started = performance.now();
    if (oneAtATime) {
      for (const id of ids) {
        await w.push([id], c.type);
        await w.waitFor([id], ['synced'], 60_000, c.type);
      }
    } else await w.push(ids, c.type);
    const counts = await w.waitFor(ids, ['synced'], 15 * 60_000, c.type);
    const seconds = (performance.now() - started) / 1000;
    const cw = await w.sims.traffic('cw');
    const ledger = await w.sims.traffic(kind);
    out.push(
      `#### ${c.label} to ${ledgerName[kind]}: ${pushes} records, ${JSON.stringify(counts)}, ${seconds.toFixed(1)} s`,
      `ConnectWise: ${cw.total} calls = ${(cw.total / pushes).toFixed(2)}/record`,
      `  ${perRecord(cw.byRoute, pushes)}`,
      `${kind}: ${ledger.total} calls = ${(ledger.total / pushes).toFixed(2)}/record (429s: ${w.sims.throttled[kind]})`,
      `  ${perRecord(ledger.byRoute, pushes)}`,
      `total external calls/record: ${((cw.total + ledger.total) / pushes).toFixed(2)}`,
      '',
    );
    summary.push(
      `| ${c.short.padEnd(21)} | ${kind.padEnd(4)} | ${String(pushes).padStart(6)} | ${(cw.total / pushes).toFixed(2).padStart(6)} | ${(ledger.total / pushes).toFixed(2).padStart(6)} | ${((cw.total + ledger.total) / pushes).toFixed(2).padStart(6)} |`,
    );
  }
  await w.close();
}

/** Old (before the cutoff) unposted records of one onboarding type, seeded in CW. */
const onboardSeed: Record<RecordType, ((w: BenchWorld, ids: number[]) => Promise<void>) | undefined> = {
  transfer: undefined,
  invoice: (w, ids) =>
    w.sims.seedInvoices(invoices(ids.length, ids[0]!, 'OLD-', { date: '2023-06-01T00:00:00Z' })),
  // Onboarded together with the invoices (one CW list), as the existing invoice run asks for both.
  credit_memo: undefined,
  // Amounts vary as real expenses do, and repeat now and then (id % 997): an expense that another of
  // its export could be mistaken for is exported on its own (matchExpenseParts).
  expense: (w, ids) =>
    w.seedOther({
      expenses: ids.map((id) =>
        buildExpense({ id, amount: 20 + (id % 997) / 4, date: '2023-06-01T00:00:00Z' }),
      ),
    }),
  procurement: (w, ids) =>
    w.seedOther({
      procurement: ids.map((id) =>
        buildProcurement({ id, procurementType: 'Purchase', total: 120, date: '2023-06-01T00:00:00Z' }),
      ),
    }),
  adjustment: (w, ids) =>
    w.seedOther({
      procurement: ids.map((id) =>
        buildProcurement({ id, procurementType: 'Adjustment', total: 40, date: '2023-06-01T00:00:00Z' }),
      ),
    }),
};
const onboardLabel: Record<RecordType, string> = {
  transfer: 'transfers',
  invoice: 'invoices',
  credit_memo: 'credit memos',
  expense: 'expenses',
  procurement: 'purchases',
  adjustment: 'adjustments',
};

const onboardRuns = onboardTypes.filter((t) => onboardSeed[t] !== undefined);
if (onboardRuns.length > 0) {
  const w = await startBenchWorld('qbo');
  for (const [index, type] of onboardRuns.entries()) {
    const ids = Array.from({ length: onboard }, (_, i) => 50_000 + index * 20_000 + i);
    await onboardSeed[type]!(w, ids);
    await w.sims.resetCounts();
    const started = performance.now();
    const status = await w.onboard({
      batchPrefix: 'OB-',
      cutoffDate: '2023-12-31',
      recordTypes: type === 'invoice' ? ['invoice', 'credit_memo'] : [type],
    });
    const seconds = (performance.now() - started) / 1000;
    const cw = await w.sims.traffic('cw');
    const qbo = await w.sims.traffic('qbo');
    const title = type === 'invoice' ? 'Onboarding' : `Onboarding ${onboardLabel[type]}`;
    const target = ' (target <= 1.1)';
    out.push(
      `#### ${title}: ${onboard} ${onboardLabel[type]}, done ${status.done} failed ${status.failed} of ${status.total}, ${seconds.toFixed(1)} s`,
      `ConnectWise: ${cw.total} calls = ${(cw.total / onboard).toFixed(3)}/record${target}`,
      `  ${perRecord(cw.byRoute, onboard)}`,
      `ledger calls: ${qbo.total}`,
      '',
    );
    summary.push(
      `| ${`onboard ${onboardLabel[type]}`.padEnd(21)} | cw   | ${String(onboard).padStart(6)} | ${(cw.total / onboard).toFixed(3).padStart(6)} | ${(qbo.total / onboard).toFixed(3).padStart(6)} | ${(cw.total / onboard).toFixed(3).padStart(6)} |`,
    );
  }
  await w.close();
}

out.push(
  '#### Calls per record',
  `| ${'record'.padEnd(21)} | to   | ${'count'.padStart(6)} | ${'CW'.padStart(6)} | ${'ledger'.padStart(6)} | ${'total'.padStart(6)} |`,
  `|${'-'.repeat(23)}|------|--------|--------|--------|--------|`,
  ...summary,
);
console.log(`\n${out.join('\n')}`);
process.exit(0);
