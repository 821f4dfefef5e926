import type { Request, Response } from 'express';
import { ConditionsError, parseConditions } from './conditions.js';
import { CwHttpError } from './errors.js';
import type { ConnectWiseState } from './state.js';

const maxPageSize = 1000;
const defaultPageSize = 25;

/**
 * Answers a list endpoint the way CW does: filter by `conditions`, slice by `page`/`pageSize` (or by
 * `pageId` when asked for forward-only paging), with a `Link: <...>; rel="next"` header while more pages
 * remain, or none at all under the 'no-link' switch (CwBehaviours.paging); the other rels a navigable
 * header carries follow CwBehaviours.linkRels.
 */
export function sendPage<T>(req: Request, res: Response, records: readonly T[]): void {
  const query = req.query as Record<string, string | undefined>;
  const state = req.app.locals.cwState as ConnectWiseState | undefined;
  const paging = state?.behaviours.paging ?? 'link';
  const page = parseWhole(query.page ?? '1', 'page');
  const pageSize = parseWhole(query.pageSize ?? String(defaultPageSize), 'pageSize');
  if (page < 1) throw new CwHttpError(400, 'InvalidObject', 'page must be 1 or greater');
  if (pageSize > maxPageSize) {
    throw new CwHttpError(400, 'InvalidObject', `pageSize must be no more than ${maxPageSize}`);
  }
  const matching = filterByConditions(records, query.conditions);
  const forwardOnly =
    paging === 'forward-only' && req.get('pagination-type')?.toLowerCase() === 'forward-only';
  const idOf = (record: T) => (record as { id?: unknown }).id;
  // Forward-only: the records after `pageId` (the last id of the previous page), in list order.
  const from =
    forwardOnly && query.pageId !== undefined
      ? matching.findIndex((r) => idOf(r) === parseWhole(query.pageId ?? '', 'pageId')) + 1
      : (page - 1) * pageSize;
  const slice = matching.slice(from, from + pageSize);
  const more = from + pageSize < matching.length;
  if (paging === 'no-link') {
    res.json(slice);
    return;
  }
  const linkTo = (change: (url: URL) => void) => {
    const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host')}`);
    change(url);
    url.searchParams.set('pageSize', String(pageSize));
    return url.toString();
  };
  if (forwardOnly) {
    if (more) {
      const next = linkTo((url) => {
        url.searchParams.delete('page');
        url.searchParams.set('pageId', String(idOf(slice.at(-1) as T)));
      });
      res.setHeader('Link', `<${next}>; rel="next"`);
    }
    res.json(slice);
    return;
  }
  const numbered = (n: number) => linkTo((url) => url.searchParams.set('page', String(n)));
  const next = more ? `<${numbered(page + 1)}>; rel="next"` : undefined;
  // Switch linkRels (state.ts): the real header starts with next; which rels follow is unknown.
  const rels = state?.behaviours.linkRels ?? 'next-only';
  const lastPage = Math.max(1, Math.ceil(matching.length / pageSize));
  const prev = page > 1 ? `<${numbered(page - 1)}>; rel="prev"` : undefined;
  const first = `<${numbered(1)}>; rel="first"`;
  const last = `<${numbered(lastPage)}>; rel="last"`;
  const links =
    rels === 'next-only'
      ? [next]
      : rels === 'next-first'
        ? [next, prev, first, last]
        : [first, prev, next, last];
  const header = links.filter((link): link is string => link !== undefined).join(', ');
  if (header) res.setHeader('Link', header);
  res.json(slice);
}

export function filterByConditions<T>(records: readonly T[], conditions: string | undefined): T[] {
  try {
    const predicate = parseConditions(conditions);
    return records.filter((r) => predicate(r));
  } catch (error) {
    if (error instanceof ConditionsError) {
      throw new CwHttpError(400, 'InvalidObject', `conditions is invalid: ${error.message}`, [
        { code: 'InvalidConditions', message: error.message, resource: 'conditions', field: 'conditions' },
      ]);
    }
    throw error;
  }
}

export function countOf<T>(req: Request, records: readonly T[]): { count: number } {
  return { count: filterByConditions(records, (req.query as Record<string, string>).conditions).length };
}

function parseWhole(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new CwHttpError(400, 'InvalidObject', `${name} must be a whole number`);
  return Number(text);
}

export function idParam(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id)) throw new CwHttpError(400, 'InvalidObject', 'id must be a number');
  return id;
}
