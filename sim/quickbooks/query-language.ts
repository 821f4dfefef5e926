/**
 * QBO's SQL-like query language: parse to a small AST, then evaluate against plain entities.
 * Pure; no I/O. Grammar (keywords case-insensitive):
 *   select (* | count(*)) from Entity [where cond (and cond)*]
 *     [orderby field [asc|desc] (, field [asc|desc])*] [startposition n] [maxresults n]
 *   cond := field (= | != | < | > | <= | >= | like) value | field in (value, ...)
 */

export type QueryValue = string | number | boolean;
export interface Condition {
  field: string;
  op: '=' | '!=' | '<' | '>' | '<=' | '>=' | 'like' | 'in';
  values: QueryValue[];
}
export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Condition[];
  orderBy: { field: string; desc: boolean }[];
  startPosition: number;
  maxResults: number;
}

export class QuerySyntaxError extends Error {}

const defaultMaxResults = 100;
const maxMaxResults = 1000;

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      // QBO escapes a quote inside a string as \'
      let text = '';
      i += 1;
      while (i < input.length && input[i] !== "'") {
        if (input[i] === '\\' && i + 1 < input.length) i += 1;
        text += input[i];
        i += 1;
      }
      if (i >= input.length) throw new QuerySyntaxError('unterminated string literal');
      i += 1;
      tokens.push({ kind: 'string', text });
    } else if (/[<>=!]/.test(ch)) {
      const two = input.slice(i, i + 2);
      const op = ['<=', '>=', '!='].includes(two) ? two : ch;
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else if ('(),*'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i += 1;
    } else if (/[-\d]/.test(ch) && /^-?\d/.test(input.slice(i))) {
      const match = /^-?\d+(\.\d+)?/.exec(input.slice(i))!;
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][\w.]*/.exec(input.slice(i))!;
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    } else {
      throw new QuerySyntaxError(`unexpected character '${ch}'`);
    }
  }
  return tokens;
}

export function parseQuery(input: string): ParsedQuery {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (word: string) => peek()?.kind === 'word' && peek()!.text.toLowerCase() === word;
  const next = (what: string): Token => {
    const token = tokens[pos];
    if (!token) throw new QuerySyntaxError(`expected ${what} at end of query`);
    pos += 1;
    return token;
  };
  const expectWord = (word: string) => {
    const token = next(word);
    if (token.kind !== 'word' || token.text.toLowerCase() !== word)
      throw new QuerySyntaxError(`expected ${word}, found '${token.text}'`);
  };
  const expectPunct = (p: string) => {
    const token = next(p);
    if (token.text !== p) throw new QuerySyntaxError(`expected '${p}', found '${token.text}'`);
  };
  const value = (): QueryValue => {
    const token = next('a value');
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'word' && /^(true|false)$/i.test(token.text))
      return token.text.toLowerCase() === 'true';
    throw new QuerySyntaxError(`expected a value, found '${token.text}'`);
  };
  const integer = (what: string): number => {
    const token = next(what);
    if (token.kind !== 'number' || !/^\d+$/.test(token.text))
      throw new QuerySyntaxError(`${what} needs a whole number`);
    return Number(token.text);
  };

  expectWord('select');
  let count = false;
  if (isWord('count')) {
    pos += 1;
    expectPunct('(');
    expectPunct('*');
    expectPunct(')');
    count = true;
  } else if (peek()?.text === '*') {
    pos += 1;
  } else {
    // A field list: QBO accepts it and still returns whole entities in practice for our use.
    while (peek() && !isWord('from')) pos += 1;
  }
  expectWord('from');
  const entityToken = next('an entity name');
  if (entityToken.kind !== 'word') throw new QuerySyntaxError('expected an entity name');

  const where: Condition[] = [];
  if (isWord('where')) {
    pos += 1;
    for (;;) {
      const field = next('a field');
      if (field.kind !== 'word') throw new QuerySyntaxError(`expected a field, found '${field.text}'`);
      const opToken = next('an operator');
      if (opToken.kind === 'word' && opToken.text.toLowerCase() === 'in') {
        expectPunct('(');
        const values = [value()];
        while (peek()?.text === ',') {
          pos += 1;
          values.push(value());
        }
        expectPunct(')');
        where.push({ field: field.text, op: 'in', values });
      } else if (opToken.kind === 'word' && opToken.text.toLowerCase() === 'like') {
        where.push({ field: field.text, op: 'like', values: [value()] });
      } else if (opToken.kind === 'op') {
        where.push({ field: field.text, op: opToken.text as Condition['op'], values: [value()] });
      } else {
        throw new QuerySyntaxError(`unknown operator '${opToken.text}'`);
      }
      if (!isWord('and')) break;
      pos += 1;
    }
  }

  const orderBy: ParsedQuery['orderBy'] = [];
  if (isWord('orderby') || isWord('order')) {
    if (isWord('order')) {
      pos += 1;
      expectWord('by');
    } else pos += 1;
    for (;;) {
      const field = next('a field');
      let desc = false;
      if (isWord('desc') || isWord('asc')) desc = next('direction').text.toLowerCase() === 'desc';
      orderBy.push({ field: field.text, desc });
      if (peek()?.text !== ',') break;
      pos += 1;
    }
  }
  let startPosition = 1;
  let maxResults = defaultMaxResults;
  while (peek()) {
    if (isWord('startposition')) {
      pos += 1;
      startPosition = Math.max(1, integer('STARTPOSITION'));
    } else if (isWord('maxresults')) {
      pos += 1;
      maxResults = Math.min(maxMaxResults, integer('MAXRESULTS'));
    } else {
      throw new QuerySyntaxError(`unexpected '${peek()!.text}'`);
    }
  }
  return { count, entity: entityToken.text, where, orderBy, startPosition, maxResults };
}

/** Reads a dotted field; references ({value, name}) compare by their value, as QBO does. */
function fieldValue(entity: Record<string, unknown>, path: string): unknown {
  let current: unknown = entity;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  if (current && typeof current === 'object' && 'value' in current)
    return (current as { value: unknown }).value;
  return current;
}

function compare(a: unknown, b: QueryValue): number {
  if (typeof b === 'number' || typeof a === 'number') return Number(a) - Number(b);
  // Ids are numeric strings: order them as numbers.
  if (/^\d+$/.test(String(a)) && /^\d+$/.test(String(b))) return Number(a) - Number(b);
  // String comparisons are case-insensitive in QBO (DisplayName = 'acme' finds "Acme").
  return String(a).toLowerCase().localeCompare(String(b).toLowerCase());
}

const likePattern = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('%')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );

export function matches(entity: Record<string, unknown>, condition: Condition): boolean {
  const actual = fieldValue(entity, condition.field);
  if (actual === undefined || actual === null) return false;
  const [first] = condition.values as [QueryValue];
  switch (condition.op) {
    case '=':
      return compare(actual, first) === 0;
    case '!=':
      return compare(actual, first) !== 0;
    case '<':
      return compare(actual, first) < 0;
    case '>':
      return compare(actual, first) > 0;
    case '<=':
      return compare(actual, first) <= 0;
    case '>=':
      return compare(actual, first) >= 0;
    case 'like':
      return likePattern(String(first)).test(String(actual));
    case 'in':
      return condition.values.some((v) => compare(actual, v) === 0);
  }
}

export interface QueryResult<T> {
  rows: T[];
  totalCount: number;
}

/** Filters, orders and pages; positions are 1-based as in QBO. */
export function runQuery<T extends Record<string, unknown>>(query: ParsedQuery, all: T[]): QueryResult<T> {
  const filtered = all.filter((entity) => query.where.every((c) => matches(entity, c)));
  const sorted = [...filtered].sort((a, b) => {
    for (const { field, desc } of query.orderBy) {
      const va = fieldValue(a, field);
      const vb = fieldValue(b, field);
      const diff = compare(va, vb as QueryValue);
      if (diff !== 0 && !Number.isNaN(diff)) return desc ? -diff : diff;
    }
    return 0;
  });
  const start = query.startPosition - 1;
  return { rows: sorted.slice(start, start + query.maxResults), totalCount: filtered.length };
}
