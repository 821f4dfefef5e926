import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGlEntryIds } from '../../server/connectwise/index.js';
import { matchExpenseParts } from '../../server/records/gl-export-parts.js';
import { buildExpense, seedWith } from '../../sim/connectwise/index.js';
import { type SimAndClient, startSimAndClient } from '../connectwise/support.js';

/**
 * One export of many expenses carries no expense ids; matchExpenseParts tells them apart by what the
 * unposted list and the export both show. Checked against the simulator's own bookkeeping: every
 * expense answered gets exactly its own GL entries, and look-alikes are left for exports of their own.
 */
const alice = { id: 201, identifier: 'alice', name: 'Alice Ray' };
const bob = { id: 202, identifier: 'bob', name: 'Bob Lin' };
const distinct = [
  buildExpense({ amount: 42.1, member: alice, type: 'Meals' }),
  buildExpense({ amount: 18.35, member: alice, type: 'Taxi', date: '2024-03-11T00:00:00Z' }),
  buildExpense({ amount: 18.35, member: bob, type: 'Taxi', date: '2024-03-11T00:00:00Z' }),
  buildExpense({ amount: 99.99, member: bob, classification: 'NonReimbursable', type: 'Software' }),
  buildExpense({ amount: 99.99, member: bob, type: 'Software' }),
  buildExpense({ amount: 12, member: alice, type: 'Parking', description: 'Parking at Acme' }),
];
// Same member, day, description, company, account and amount: nothing in an export tells them apart.
const twins = [
  buildExpense({ amount: 10, member: alice, type: 'Parking', description: 'Parking' }),
  buildExpense({ amount: 10, member: alice, type: 'Parking', description: 'Parking' }),
];
const all = [...distinct, ...twins];

describe('expenses of one export told apart', () => {
  let cw: SimAndClient;
  beforeAll(async () => {
    cw = await startSimAndClient(seedWith([], { expenses: all }));
  });
  afterAll(() => cw.close());

  it('answers each distinct expense with exactly its own GL entries, and leaves look-alikes out', async () => {
    const unposted = await cw.client.listUnposted('expenses');
    expect(unposted).toHaveLength(all.length);
    const gl = await cw.client.exportGl({
      exportExpensesFlag: true,
      includedExpenseIds: all.map((e) => e.id),
    });
    const matched = matchExpenseParts(unposted, gl);
    expect([...matched.keys()].sort()).toEqual(distinct.map((e) => e.id).sort());
    for (const expense of distinct) {
      expect(matched.get(expense.id)?.sort(), `expense ${expense.id}`).toEqual(
        parseGlEntryIds(expense.glEntryIds).sort(),
      );
    }
  });

  it('answers nothing for an expense the export does not hold', async () => {
    const unposted = await cw.client.listUnposted('expenses');
    const gl = await cw.client.exportGl({ exportExpensesFlag: true, includedExpenseIds: [distinct[0]!.id] });
    const matched = matchExpenseParts(unposted, gl);
    expect([...matched.keys()]).toEqual([distinct[0]!.id]);
  });
});
