import type { Request, Response } from 'express';
import { ConditionsError, parseConditions } from './conditions.js';
import { CwHttpError } from './errors.js';
import type { ConnectWiseState } from './state.js';

const maxPageSize = 1000;
const defaultPageSize = 25;

/**
 * Answers a list endpoint the way CW does: filter by `conditions`, slice by `page`/`pageSize` (or by
 * `pageId` when asked for forward-only paging), with a `Link: <...>; rel="next"` header while more pages
 * remain, or none at all under the 'no-link' switch (CwBehaviours.paging).
 */
export function sendPage<T>(req: Request, res: Response, records: readonly T[]): void {
  const query = req.query as Record<string, string | undefined>;
  const paging = (req.app.locals.cwState as ConnectWiseState | undefined)?.behaviours.paging ?? 'link';
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
  if (paging !== 'no-link' && from + pageSize < matching.length) {
    const next = new URL(req.originalUrl, `${req.protocol}://${req.get('host')}`);
    if (forwardOnly) {
      next.searchParams.delete('page');
      next.searchParams.set('pageId', String(idOf(slice.at(-1) as T)));
    } else next.searchParams.set('page', String(page + 1));
    next.searchParams.set('pageSize', String(pageSize));
    res.setHeader('Link', `<${next.toString()}>; rel="next"`);
  }
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
