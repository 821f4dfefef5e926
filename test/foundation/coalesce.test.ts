import { describe, expect, it } from 'vitest';
import { coalesced } from '../../server/outbound/coalesce.js';

/** A fetchMany over a table that records each call's keys and finishes when told to. */
function slowTable(table: Map<number, string>) {
  const calls: number[][] = [];
  const pending: Array<() => void> = [];
  const fetchMany = (keys: number[]) => {
    calls.push(keys);
    // The answer is the table as it stood when the call was sent.
    const answer = new Map(keys.flatMap((k) => (table.has(k) ? [[k, table.get(k)!] as const] : [])));
    return new Promise<Map<number, string>>((resolve) => pending.push(() => resolve(answer)));
  };
  const finishNext = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { calls, fetchMany, finishNext };
}

describe('coalesced look-ups', () => {
  it('sends a lone key at once, alone', async () => {
    const t = slowTable(new Map([[1, 'one']]));
    const load = coalesced(t.fetchMany);
    const one = load(1);
    await t.finishNext();
    expect(await one).toBe('one');
    expect(t.calls).toEqual([[1]]);
  });

  it('merges keys asked for together, and keys asked for while a call is in flight into the next call', async () => {
    const t = slowTable(new Map([1, 2, 3, 4, 5].map((k) => [k, `v${k}`])));
    const load = coalesced(t.fetchMany);
    const first = [load(1), load(2)];
    await new Promise((resolve) => setImmediate(resolve));
    // In flight now: these wait for the next call rather than each sending their own.
    const later = [load(3), load(4), load(3), load(5)];
    await t.finishNext();
    await t.finishNext();
    expect(await Promise.all([...first, ...later])).toEqual(['v1', 'v2', 'v3', 'v4', 'v3', 'v5']);
    expect(t.calls).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('never answers a key from a call sent before it was asked for', async () => {
    const table = new Map([[1, 'before']]);
    const t = slowTable(table);
    const load = coalesced(t.fetchMany);
    const early = load(1);
    await new Promise((resolve) => setImmediate(resolve));
    const late = load(1); // asked while the first call is in flight, e.g. the check just before a commit
    table.set(1, 'after');
    await t.finishNext();
    await t.finishNext();
    expect(await early).toBe('before');
    expect(await late).toBe('after');
    expect(t.calls).toEqual([[1], [1]]);
  });

  it('holds keys back only while the call before them waits to leave: once it is sent, the next goes', async () => {
    const calls: number[][] = [];
    const gates: Array<() => void> = [];
    const finishes: Array<() => void> = [];
    // A call that waits for the budget (its gate), leaves, and answers later.
    const load = coalesced(
      (keys: number[], sent) =>
        new Promise<Map<number, number>>((resolve) => {
          calls.push(keys);
          gates.push(() => {
            sent();
            finishes.push(() => resolve(new Map(keys.map((k) => [k, k]))));
          });
        }),
    );
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const first = load(1);
    await tick();
    const held = [load(2), load(3)]; // the first call still waits for the budget: these wait for the next
    await tick();
    expect(calls).toEqual([[1]]);
    gates.shift()!(); // the first call leaves
    await tick();
    expect(calls).toEqual([[1], [2, 3]]); // the next goes while the first is still out
    gates.shift()!();
    for (const finish of finishes) finish();
    expect(await Promise.all([first, ...held])).toEqual([1, 2, 3]);
  });

  it('answers a key the call left out with undefined, and caps the keys per call', async () => {
    const t = slowTable(new Map([[2, 'two']]));
    const load = coalesced(t.fetchMany, 2);
    const all = [load(1), load(2), load(3)];
    await t.finishNext();
    await t.finishNext();
    expect(await Promise.all(all)).toEqual([undefined, 'two', undefined]);
    expect(t.calls).toEqual([[1, 2], [3]]);
  });

  it('fails every key of a failed call, and the next call still goes', async () => {
    let fail = true;
    const load = coalesced(async (keys: number[]) => {
      if (fail) throw new Error('CW answered 500');
      return new Map(keys.map((k) => [k, k * 10]));
    });
    const failed = await Promise.allSettled([load(1), load(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await load(3)).toBe(30);
  });
});
