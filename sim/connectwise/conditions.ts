/**
 * The subset of ConnectWise's `conditions` query language the product uses, parsed into a predicate.
 * Anything outside the subset throws ConditionsError, which the simulator answers with a 400 as CW does,
 * so a product query the simulator cannot honour fails loudly instead of matching everything.
 *
 * Grammar: expr := andExpr ('or' andExpr)* ; andExpr := term ('and' term)* ;
 * term := '(' expr ')' | field op value | field 'in' '(' value, ... ')' | field ('like'|'contains') string
 */

export class ConditionsError extends Error {
  override name = 'ConditionsError';
}

type Value = number | string | boolean | null | Date;
type Token = { kind: 'word' | 'op' | 'num' | 'str' | 'date' | 'punct'; text: string };
export type Predicate = (record: unknown) => boolean;

const tokenPattern =
  /\s*(?:(?<str>"(?:[^"\\]|\\.)*")|(?<date>\[[^\]]*\])|(?<op><=|>=|!=|=|<|>)|(?<num>-?\d+(?:\.\d+)?)(?![\w/])|(?<word>[A-Za-z_][\w/]*)|(?<punct>[(),]))/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    tokenPattern.lastIndex = index;
    const match = tokenPattern.exec(text);
    if (!match?.groups) throw new ConditionsError(`unsupported syntax at "${text.slice(index).trim()}"`);
    const [kind, value] = Object.entries(match.groups).find(([, v]) => v !== undefined) as [
      Token['kind'],
      string,
    ];
    tokens.push({ kind, text: value });
    index = tokenPattern.lastIndex;
  }
  return tokens;
}

export function parseConditions(text: string | undefined): Predicate {
  if (!text?.trim()) return () => true;
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const isWord = (word: string) => peek()?.kind === 'word' && peek()?.text.toLowerCase() === word;
  const next = (): Token => {
    const token = tokens[at++];
    if (!token) throw new ConditionsError('conditions end unexpectedly');
    return token;
  };
  const expect = (text: string) => {
    const token = next();
    if (token.text !== text) throw new ConditionsError(`expected "${text}" but found "${token.text}"`);
  };

  const value = (): Value => {
    const token = next();
    if (token.kind === 'num') return Number(token.text);
    if (token.kind === 'str') return JSON.parse(token.text) as string;
    if (token.kind === 'date') {
      const date = new Date(token.text.slice(1, -1));
      if (Number.isNaN(date.getTime())) throw new ConditionsError(`invalid date ${token.text}`);
      return date;
    }
    if (token.kind === 'word' && ['true', 'false', 'null'].includes(token.text.toLowerCase())) {
      return JSON.parse(token.text.toLowerCase()) as boolean | null;
    }
    throw new ConditionsError(`expected a value but found "${token.text}"`);
  };

  const term = (): Predicate => {
    if (peek()?.text === '(') {
      next();
      const inner = orExpr();
      expect(')');
      return inner;
    }
    const field = next();
    if (field.kind !== 'word') throw new ConditionsError(`expected a field name but found "${field.text}"`);
    const path = field.text.split('/');
    const operator = next();
    if (operator.kind === 'op') {
      const expected = value();
      return (record) => compare(lookup(record, path), operator.text, expected);
    }
    const word = operator.text.toLowerCase();
    if (operator.kind === 'word' && (word === 'in' || (word === 'not' && isWord('in')))) {
      if (word === 'not') next();
      expect('(');
      const options: Value[] = [value()];
      while (peek()?.text === ',') {
        next();
        options.push(value());
      }
      expect(')');
      const negate = word === 'not';
      return (record) => options.some((o) => compare(lookup(record, path), '=', o)) !== negate;
    }
    if (operator.kind === 'word' && (word === 'like' || word === 'contains')) {
      const pattern = value();
      if (typeof pattern !== 'string') throw new ConditionsError(`${word} needs a quoted string`);
      const regex =
        word === 'contains'
          ? new RegExp(escapeRegex(pattern), 'i')
          : new RegExp(`^${likePattern(pattern)}$`, 'i');
      return (record) => {
        const actual = lookup(record, path);
        return actual !== undefined && actual !== null && regex.test(String(actual));
      };
    }
    throw new ConditionsError(`unsupported operator "${operator.text}"`);
  };

  const andExpr = (): Predicate => {
    const parts = [term()];
    while (isWord('and')) {
      next();
      parts.push(term());
    }
    return (record) => parts.every((p) => p(record));
  };
  function orExpr(): Predicate {
    const parts = [andExpr()];
    while (isWord('or')) {
      next();
      parts.push(andExpr());
    }
    return (record) => parts.some((p) => p(record));
  }

  const predicate = orExpr();
  if (at < tokens.length) throw new ConditionsError(`unexpected "${tokens[at]?.text}"`);
  return predicate;
}

const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');
const likePattern = (text: string) => text.split('%').map(escapeRegex).join('.*');

function lookup(record: unknown, path: string[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    const entry = Object.entries(current).find(([k]) => k.toLowerCase() === key.toLowerCase());
    current = entry?.[1];
  }
  return current;
}

function compare(actual: unknown, operator: string, expected: Value): boolean {
  let order: number;
  if (expected === null) order = actual === null || actual === undefined ? 0 : Number.NaN;
  else if (actual === undefined || actual === null) return operator === '!=';
  else if (expected instanceof Date)
    order = Math.sign(new Date(String(actual)).getTime() - expected.getTime());
  else if (typeof expected === 'number') order = Math.sign(Number(actual) - expected);
  else if (typeof expected === 'boolean') order = actual === expected ? 0 : Number.NaN;
  else {
    // CW compares strings case-insensitively (SQL Server's default collation).
    const a = String(actual).toLowerCase();
    const b = expected.toLowerCase();
    order = a === b ? 0 : a < b ? -1 : 1;
  }
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    default:
      return order >= 0;
  }
}
