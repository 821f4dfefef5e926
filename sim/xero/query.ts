import { obj, str, type Wire } from './tenant-books.js';
import { parseWireDate } from './wire-format.js';

/**
 * The part of Xero's `where` language clients really use: `Field=="text"`, `!=`, `>=`/`<=`/`>`/`<`
 * against numbers or `DateTime(y,m,d)`, `Field.StartsWith("x")`, `Field.Contains("x")`,
 * `Contact.ContactID==Guid("...")`, joined with AND / OR (AND binds tighter, no parentheses).
 */
export function whereFilter(where: string | undefined): (entity: Wire) => boolean {
  if (!where || where.trim() === '') return () => true;
  const alternatives = splitOutsideQuotes(where, /\s+OR\s+/iy).map((part) =>
    splitOutsideQuotes(part, /\s+AND\s+/iy).map(parseCondition),
  );
  return (entity) => alternatives.some((all) => all.every((test) => test(entity)));
}

function splitOutsideQuotes(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (quoted) continue;
    separator.lastIndex = i;
    const match = separator.exec(text);
    if (match) {
      parts.push(text.slice(start, i));
      start = i + match[0].length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

const unquote = (raw: string): string | number | boolean | null => {
  const text = raw.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  const guid = /^Guid\("([^"]*)"\)$/i.exec(text);
  if (guid) return guid[1]!;
  const dateTime = /^DateTime\((\d+),\s*(\d+),\s*(\d+)(?:,\s*(\d+),\s*(\d+),\s*(\d+))?\)$/i.exec(text);
  if (dateTime) {
    const [, y, m, d, h = '0', mi = '0', s = '0'] = dateTime;
    return Date.UTC(Number(y), Number(m) - 1, Number(d), Number(h), Number(mi), Number(s));
  }
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  return Number(text);
};

function fieldValue(entity: Wire, path: string): unknown {
  let value: unknown = entity;
  for (const key of path.split('.')) value = obj(value)[key];
  return value;
}

function parseCondition(condition: string): (entity: Wire) => boolean {
  const method = /^([\w.]+)\.(StartsWith|EndsWith|Contains)\("((?:[^"\\]|\\.)*)"\)$/i.exec(condition);
  if (method) {
    const [, field, name, rawArg] = method;
    const arg = rawArg!.replace(/\\(.)/g, '$1').toLowerCase();
    return (entity) => {
      const value = str(fieldValue(entity, field!))?.toLowerCase() ?? '';
      if (name!.toLowerCase() === 'startswith') return value.startsWith(arg);
      if (name!.toLowerCase() === 'endswith') return value.endsWith(arg);
      return value.includes(arg);
    };
  }
  const comparison = /^([\w.]+)\s*(==|!=|>=|<=|>|<)\s*(.+)$/.exec(condition);
  if (!comparison) throw new Error(`unsupported where clause: ${condition}`);
  const [, field, op, raw] = comparison;
  const expected = unquote(raw!);
  return (entity) => {
    let actual: unknown = fieldValue(entity, field!);
    if (typeof expected === 'number' && typeof actual === 'string') actual = parseWireDate(actual) ?? actual;
    if (op === '==') return equal(actual, expected);
    if (op === '!=') return !equal(actual, expected);
    if (typeof actual !== 'number' || typeof expected !== 'number') return false;
    if (op === '>=') return actual >= expected;
    if (op === '<=') return actual <= expected;
    if (op === '>') return actual > expected;
    return actual < expected;
  };
}

const equal = (actual: unknown, expected: unknown): boolean =>
  typeof actual === 'string' && typeof expected === 'string'
    ? actual.toLowerCase() === expected.toLowerCase()
    : actual === expected || (actual === undefined && expected === null);

/** `If-Modified-Since`, `order`, and `page` (100 per page, or `pageSize`) applied to a list. */
export function selectPage(
  entities: Wire[],
  query: { modifiedSince?: string; order?: string; page?: string; pageSize?: string },
): { items: Wire[]; pagination?: { page: number; pageSize: number; pageCount: number; itemCount: number } } {
  let items = entities;
  const since = parseWireDate(query.modifiedSince);
  if (since !== undefined) items = items.filter((e) => (parseWireDate(e.UpdatedDateUTC) ?? 0) > since);
  const [orderField, direction] = (query.order ?? 'UpdatedDateUTC ASC').trim().split(/\s+/);
  const sign = direction?.toUpperCase() === 'DESC' ? -1 : 1;
  const key = (e: Wire) => {
    const value = fieldValue(e, orderField ?? 'UpdatedDateUTC');
    return typeof value === 'string' ? (parseWireDate(value) ?? value) : value;
  };
  items = [...items].sort((a, b) => {
    const x = key(a) as string | number;
    const y = key(b) as string | number;
    return x < y ? -sign : x > y ? sign : 0;
  });
  if (query.page === undefined) return { items };
  const page = Math.max(1, Number(query.page) || 1);
  const pageSize = Math.min(1000, Math.max(1, Number(query.pageSize) || 100));
  return {
    items: items.slice((page - 1) * pageSize, page * pageSize),
    pagination: { page, pageSize, pageCount: Math.ceil(items.length / pageSize), itemCount: items.length },
  };
}
