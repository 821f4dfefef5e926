import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordState } from '../../server/db/schema.js';
import { runPushJob } from '../../server/pipeline/push-job.js';
import { errorCatalogue } from '../../server/records/error-catalogue.js';
import { api } from '../support/cw-tenant.js';
import { DyingRecordStore } from '../support/dying-record-store.js';
import { patient } from '../support/patience.js';
import { invoice, type PipelineWorld, startPipelineWorld } from '../support/pipeline-world.js';

/**
 * Randomised fault schedules over a mixed workload (invoices, credit memos, one record with an
 * unmapped account) on each ledger, then payments back. Every schedule is seeded and its seed
 * printed: replay one with FAULT_SEED=<seed>.
 */
const baseSeed = Number(process.env.FAULT_SEED ?? Date.now() % 2 ** 31);
const schedulesPerLedger = Number(process.env.FAULT_SCHEDULES ?? 2);

/** mulberry32: small, seedable, good enough to pick faults. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

type Target = 'cw' | 'ledger';
interface Call {
  name: string;
  target: Target;
  method: string;
  path: string;
  /** Writes: a lost answer means the write happened. */
  writes?: boolean;
}

const pushCalls = (kind: 'qbo' | 'xero'): Call[] => [
  { name: 'CW invoice read', target: 'cw', method: 'GET', path: '*/finance/invoices/*' },
  // Pushes running together read their invoices in one list call (coalesce.ts).
  { name: 'CW merged invoice read', target: 'cw', method: 'GET', path: '*/finance/invoices' },
  { name: 'CW GL export', target: 'cw', method: 'POST', path: '*/finance/accounting/export' },
  {
    name: 'ledger look-up',
    target: 'ledger',
    method: 'GET',
    path: kind === 'qbo' ? '/v3/company/*/query' : '/api.xro/2.0/*',
  },
  {
    name: 'ledger invoice create',
    target: 'ledger',
    method: kind === 'qbo' ? 'POST' : 'PUT',
    path: kind === 'qbo' ? '/v3/company/*/invoice' : '/api.xro/2.0/Invoices',
    writes: true,
  },
  {
    name: 'ledger credit memo create',
    target: 'ledger',
    method: kind === 'qbo' ? 'POST' : 'PUT',
    path: kind === 'qbo' ? '/v3/company/*/creditmemo' : '/api.xro/2.0/CreditNotes',
    writes: true,
  },
  { name: 'CW batch look-up', target: 'cw', method: 'GET', path: '*/finance/accounting/batches' },
  {
    name: 'CW batch create',
    target: 'cw',
    method: 'POST',
    path: '*/finance/accounting/batches',
    writes: true,
  },
];

const paymentCalls = (kind: 'qbo' | 'xero'): Call[] => [
  {
    name: 'ledger payments read',
    target: 'ledger',
    method: 'GET',
    path: kind === 'qbo' ? '/v3/company/*' : '/api.xro/2.0/Payments',
  },
  {
    name: 'CW payment create',
    target: 'cw',
    method: 'POST',
    path: '*/finance/invoices/*/payments',
    writes: true,
  },
  { name: 'CW payments read', target: 'cw', method: 'GET', path: '*/finance/invoices/*/payments' },
];

type FaultKind = 'timeout' | 'http500' | 'http429' | 'drop_response_after_write';

/** One fault rule; 429 storms come several at a time, the rest once or twice. */
function faultRule(rand: ReturnType<typeof prng>, call: Call) {
  const kind = rand.pick<FaultKind>(['timeout', 'http500', 'http429', 'drop_response_after_write']);
  return {
    target: call.target,
    rule: {
      method: call.method,
      path: call.path,
      kind,
      times: kind === 'http429' ? rand.int(3, 6) : rand.int(1, 2),
      retryAfterSeconds: 1,
      // The clients give up after 1.5 s (pipeline world), so a hang of 2.5 s is a timeout.
      delayMs: 2_500,
    },
    label: `${call.name}: ${kind}`,
  };
}

interface Item {
  type: 'invoice' | 'credit_memo';
  cwId: number;
  number: string;
  valid: boolean;
}

const duplicates = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);

describe.each(['qbo', 'xero'] as const)('randomised fault schedules (%s)', (kind) => {
  let world: PipelineWorld;
  let nextId = kind === 'qbo' ? 21_000 : 31_000;
  const everything: Item[] = [];
  const paidInLedger = new Map<number, string[]>();

  beforeAll(async () => {
    world = await startPipelineWorld(kind);
  });
  afterAll(() => world?.close());

  const asAccountant = (method: string, path: string, body?: unknown) =>
    api(world.pod.url, world.token.accountant, method, path, body);

  async function waitFor(
    items: Item[],
    done: (item: Item, view: any) => boolean,
    seed: number,
    timeoutMs: number,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(items.map((item) => world.record(item.cwId)));
      const pending = items.filter((item, i) => views[i]!.status !== 200 || !done(item, views[i]!.body));
      if (pending.length === 0) return views.map((v) => v.body);
      if (Date.now() > deadline) {
        const states = pending.map((item) => {
          const view = views[items.indexOf(item)]!;
          return `${item.number}: ${view.status} ${view.body?.state ?? ''} ${JSON.stringify(view.body?.error ?? view.body?.error)}`;
        });
        throw new Error(`seed ${seed}: records not settled:\n${states.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  for (let s = 0; s < schedulesPerLedger; s++) {
    it(
      `schedule ${s + 1}: pushes and payments under random faults keep every invariant`,
      async () => {
        const seed = (baseSeed + s * 7919 + (kind === 'xero' ? 104_729 : 0)) % 2 ** 31;
        const rand = prng(seed);
        const log: string[] = [];
        console.log(`[faults ${kind}] schedule ${s + 1} seed ${seed} (replay with FAULT_SEED=${baseSeed})`);

        // The workload: invoices and credit memos, one with an account nobody mapped.
        const items: Item[] = [];
        const built = [];
        const count = rand.int(4, 6);
        for (let i = 0; i < count; i++) {
          const cwId = nextId++;
          const credit = i >= count - 2;
          const number = `${credit ? 'CM' : 'RF'}-${cwId}`;
          built.push(
            invoice(cwId, number, {
              type: credit ? 'CreditMemo' : 'Standard',
              lines: [
                {
                  description: 'Managed services',
                  quantity: 1,
                  unitPrice: rand.int(100, 2000),
                  accountNumber: '4000',
                },
                { description: 'Labour', quantity: rand.int(1, 8), unitPrice: 95, accountNumber: '4000' },
              ],
            }),
          );
          items.push({ type: credit ? 'credit_memo' : 'invoice', cwId, number, valid: true });
        }
        const badId = nextId++;
        built.push(
          invoice(badId, `BAD-${badId}`, {
            lines: [{ description: 'Unmapped', quantity: 1, unitPrice: 50, accountNumber: '4999' }],
          }),
        );
        items.push({ type: 'invoice', cwId: badId, number: `BAD-${badId}`, valid: false });
        await world.seedInvoices(built);
        everything.push(...items);

        // Faults on the push path.
        for (let f = rand.int(3, 5); f > 0; f--) {
          const fault = faultRule(rand, rand.pick(pushCalls(kind)));
          log.push(fault.label);
          await world.fault(fault.target, fault.rule);
        }

        // One record is pushed by a worker that dies after persisting a state, then resumed.
        const dying = items[0]!;
        const dieAfter = rand.pick<RecordState>(['exported', 'pushed', 'synced']);
        log.push(`worker killed after ${dieAfter} on ${dying.number}`);
        const rest = items.slice(1);
        const queued = await asAccountant('POST', '/api/v1/records/sync', {
          records: rest.map((item) => ({ type: item.type, cwId: item.cwId })),
        });
        expect(queued.status).toBe(202);
        const deps = world.workerDeps();
        const job = { tenantId: world.tenant.id, type: dying.type, cwId: dying.cwId, actor: 'fault-suite' };
        await runPushJob({ ...deps, records: new DyingRecordStore(deps.db, dieAfter) }, job, {
          retryCount: 0,
          retryLimit: 8,
        }).catch(() => undefined);
        // The queue hands the job to another worker: a fault may make that attempt fail too.
        await asAccountant('POST', `/api/v1/records/${dying.type}/${dying.cwId}/sync`);

        console.log(`[faults ${kind}] seed ${seed}: ${log.join('; ')}`);
        const settled = await waitFor(
          items,
          (item, view) => (item.valid ? view.state === 'synced' : view.state === 'error'),
          seed,
          120_000,
        );
        for (const [i, view] of settled.entries()) {
          if (items[i]!.valid) expect(view.error, `seed ${seed} ${items[i]!.number}`).toBeNull();
          else expect(view.error.code, `seed ${seed}`).toBe('gl_account_unmapped');
        }

        // Payments back: some invoices paid in full, some in part, under payment-path faults.
        const invoices = items.filter((item, i) => item.valid && item.type === 'invoice' && settled[i]);
        const expected = new Map<number, 'paid' | 'partly_paid'>();
        for (const item of invoices) {
          const view = settled[items.indexOf(item)];
          const choice = rand.pick(['full', 'part', 'none'] as const);
          if (choice === 'none') continue;
          const amount = choice === 'full' ? view.record.total : '100.00';
          await world.ledgerSim.recordPayment(view.ledger.id, amount);
          paidInLedger.set(item.cwId, [...(paidInLedger.get(item.cwId) ?? []), amount]);
          expected.set(item.cwId, choice === 'full' ? 'paid' : 'partly_paid');
        }
        const paymentFaults: string[] = [];
        for (let f = rand.int(1, 2); f > 0; f--) {
          const call = rand.pick(paymentCalls(kind));
          const kindOf = rand.pick<FaultKind>(['http500', 'drop_response_after_write', 'timeout']);
          paymentFaults.push(`${call.name}: ${kindOf}`);
          await world.fault(call.target, {
            method: call.method,
            path: call.path,
            kind: kindOf,
            times: 1,
            delayMs: 2_500,
          });
        }
        console.log(
          `[faults ${kind}] seed ${seed} payments: ${[...expected].map(([id, st]) => `${id}=${st}`).join(', ')}; faults: ${paymentFaults.join('; ')}`,
        );
        const today = new Date().toISOString().slice(0, 10);
        expect((await asAccountant('POST', '/api/v1/payments/sync', { since: today })).status).toBe(202);
        const paidItems = items.filter((item) => expected.has(item.cwId));
        // A sweep that failed is retried by the queue; another request for a sweep is what a person would do.
        const nudge = setInterval(
          () => void asAccountant('POST', '/api/v1/payments/sync', { since: today }),
          5_000,
        );
        try {
          await waitFor(paidItems, (item, view) => view.state === expected.get(item.cwId), seed, 90_000);
        } finally {
          clearInterval(nudge);
        }

        await checkInvariants(seed);
      },
      patient(300_000),
    );
  }

  async function checkInvariants(seed: number) {
    const why = `seed ${seed}`;
    // No duplicate ledger document, by number.
    expect(duplicates(await world.ledgerSim.documentNumbers('invoice')), why).toEqual([]);
    expect(duplicates(await world.ledgerSim.documentNumbers('credit_memo')), why).toEqual([]);
    const cw = await world.cwState();
    // No duplicate CW batch, by identifier; one batch per synced record, none for the invalid ones.
    expect(duplicates(cw.batches.map((b) => String(b.batchIdentifier))), why).toEqual([]);
    for (const item of everything) {
      const batches = cw.batches.filter((b) => b.batchIdentifier === `LP-${item.number}`);
      expect(batches.length, `${why} batch of ${item.number}`).toBe(item.valid ? 1 : 0);
    }
    // No duplicate CW payment per ledger payment: CW holds exactly the payments made in the ledger.
    for (const item of everything.filter((i) => i.type === 'invoice')) {
      const inCw = cw.payments.filter((p) => p.invoice?.id === item.cwId).map((p) => Number(p.amount));
      const inLedger = (paidInLedger.get(item.cwId) ?? []).map(Number);
      expect(inCw.sort(), `${why} CW payments of ${item.number}`).toEqual(inLedger.sort());
    }
    const rows = await world.pod.database.db
      .selectFrom('payments')
      .select(['ledger_payment_id', 'record_id', 'cw_payment_id', 'state'])
      .where('tenant_id', '=', world.tenant.id)
      .execute();
    expect(duplicates(rows.map((r) => `${r.ledger_payment_id}:${r.record_id}`)), why).toEqual([]);
    expect(
      duplicates(rows.filter((r) => r.cw_payment_id !== null).map((r) => String(r.cw_payment_id))),
      why,
    ).toEqual([]);
    // No record lost: every pushed record is settled, or in error with a catalogue code.
    const list = await asAccountant('GET', '/api/v1/records?limit=200');
    for (const item of everything) {
      const row = list.body.records.find((r: { cwId: number; number: string }) => r.number === item.number);
      expect(row, `${why} ${item.number} listed`).toBeTruthy();
      if (item.valid) expect(['synced', 'paid', 'partly_paid'], `${why} ${item.number}`).toContain(row.state);
      else {
        expect(row.state, why).toBe('error');
        const view = await world.record(item.cwId);
        expect(Object.keys(errorCatalogue), why).toContain(view.body.error.code);
      }
    }
  }
});
