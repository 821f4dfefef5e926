import { afterEach, describe, expect, it } from 'vitest';
import { buildExpense, seedWith } from '../../sim/connectwise/index.js';
import type { CwBehaviours } from '../../sim/connectwise/state.js';
import { type SimAndClient, startSimAndClient } from './support.js';

/**
 * CW list paging as domain.md §8 has it: forward-only paging (`pagination-type: forward-only`, next
 * links by `pageId`) where supported, and some endpoints with no `Link` header at all, which must be
 * paged by number until a short page, never stopped silently after the first. Which rels a navigable
 * header carries besides `next`, and in what order, is unknown (the real one is cut off after `next`):
 * the product's paging runs under each (CwBehaviours.linkRels).
 */
const linkRels: CwBehaviours['linkRels'][] = ['next-first', 'next-only', 'next-among'];
describe.each(
  (['link', 'forward-only', 'no-link'] as CwBehaviours['paging'][]).flatMap((paging) =>
    linkRels.map((rels) => [paging, rels] as const),
  ),
)('CW list paging (%s, Link rels %s)', (paging, rels) => {
  let cw: SimAndClient;
  afterEach(() => cw.close());

  const start = async (count: number) => {
    const expenses = Array.from({ length: count }, (_, i) => buildExpense({ id: 6100 + i, amount: 10 + i }));
    cw = await startSimAndClient(seedWith([], { expenses }), { pageSize: 2 });
    cw.sim.state.behaviours.paging = paging;
    cw.sim.state.behaviours.linkRels = rels;
    return expenses;
  };

  it('reads every record of a list longer than one page', async () => {
    const expenses = await start(5);
    const listed = await cw.client.listUnposted('expenses');
    expect(listed.map((e) => e.id)).toEqual(expenses.map((e) => e.id));
  });

  it('reads a list that fills its last page exactly, and stops at the empty page after it', async () => {
    const expenses = await start(4);
    const listed = await cw.client.listUnposted('expenses');
    expect(listed.map((e) => e.id)).toEqual(expenses.map((e) => e.id));
  });

  it('the simulator answers a forward-only request in the switched shape', async () => {
    await start(3);
    const res = await cw.raw('/finance/accounting/unpostedexpenses?pageSize=2', {
      headers: { 'pagination-type': 'forward-only' },
    });
    const link = res.headers.get('link');
    if (paging === 'forward-only') expect(link).toMatch(/pageId=\d+/);
    if (paging === 'link') expect(link).toMatch(/page=2/);
    if (paging === 'no-link') expect(link).toBeNull();
  });

  it('the simulator sends the switched rels on a navigable header, the last page without next', async () => {
    await start(5);
    const relsOf = async (page: number) => {
      const res = await cw.raw(`/finance/accounting/unpostedexpenses?pageSize=2&page=${page}`);
      return [...(res.headers.get('link') ?? '').matchAll(/rel="(\w+)"/g)].map((m) => m[1]);
    };
    const expected = {
      'next-first': [
        ['next', 'first', 'last'],
        ['next', 'prev', 'first', 'last'],
        ['prev', 'first', 'last'],
      ],
      'next-only': [['next'], ['next'], []],
      'next-among': [
        ['first', 'next', 'last'],
        ['first', 'prev', 'next', 'last'],
        ['first', 'prev', 'last'],
      ],
    }[rels];
    const seen = [await relsOf(1), await relsOf(2), await relsOf(3)];
    // Asked without `pagination-type`, a forward-only endpoint pages by number as a 'link' one does.
    expect(seen).toEqual(paging === 'no-link' ? [[], [], []] : expected);
  });
});
