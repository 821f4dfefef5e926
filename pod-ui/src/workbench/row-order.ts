import type { RecordRow } from '../api/types.js';
import { stateLabels } from '../ui/states.js';
import { recordKey, typeLabels } from './record-kinds.js';

export type SortKey = 'number' | 'type' | 'company' | 'date' | 'total' | 'state';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** Decimal text compared exactly, as text: "-10.5" < "2" < "10.25"; no float rounding. */
export function compareDecimal(a: string, b: string): number {
  const parse = (text: string) => {
    const negative = text.trim().startsWith('-');
    const [whole = '', fraction = ''] = text.trim().replace(/^[+-]/, '').split('.');
    return { negative, whole: whole.replace(/^0+/, ''), fraction: fraction.replace(/0+$/, '') };
  };
  const x = parse(a);
  const y = parse(b);
  const zero = (n: typeof x) => n.whole === '' && n.fraction === '';
  const sign = (n: typeof x) => (zero(n) ? 0 : n.negative ? -1 : 1);
  if (sign(x) !== sign(y)) return sign(x) - sign(y);
  const width = Math.max(x.fraction.length, y.fraction.length);
  const digits = (n: typeof x) => `${n.whole}${n.fraction.padEnd(width, '0')}`;
  const dx = digits(x);
  const dy = digits(y);
  const magnitude = dx.length !== dy.length ? dx.length - dy.length : dx < dy ? -1 : dx > dy ? 1 : 0;
  return sign(x) < 0 ? -magnitude : magnitude;
}

const text = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

const compareBy: Record<SortKey, (a: RecordRow, b: RecordRow) => number> = {
  number: (a, b) => text.compare(a.number, b.number),
  type: (a, b) => text.compare(typeLabels[a.type], typeLabels[b.type]),
  company: (a, b) => text.compare(a.company.name, b.company.name),
  // ISO dates: their text order is their time order.
  date: (a, b) => (a.date ?? '').localeCompare(b.date ?? ''),
  total: (a, b) => compareDecimal(a.total, b.total),
  state: (a, b) => text.compare(stateLabels[a.state], stateLabels[b.state]),
};

/** Sorted by the chosen column; ties keep the order they came in. */
export function sortRows(rows: readonly RecordRow[], sort: Sort | undefined): RecordRow[] {
  if (!sort) return [...rows];
  const dir = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => dir * compareBy[sort.key](a.row, b.row) || a.i - b.i)
    .map(({ row }) => row);
}

/**
 * The rows to show now, with the ones already on screen kept where they were (a push or a reload
 * moves nothing under the reader's pointer); rows new to the screen come first, in the list's order.
 */
export function keepOrder(shownKeys: readonly string[], rows: readonly RecordRow[]): RecordRow[] {
  const place = new Map(shownKeys.map((key, i) => [key, i] as const));
  const fresh = rows.filter((r) => !place.has(recordKey(r)));
  const known = rows
    .filter((r) => place.has(recordKey(r)))
    .sort((a, b) => place.get(recordKey(a))! - place.get(recordKey(b))!);
  return [...fresh, ...known];
}

/** Failures sharing a cause: one fix for all of them. */
export interface FailureGroup {
  key: string;
  code: string;
  cause: string;
  hint: string | undefined;
  rows: RecordRow[];
}

/** Short names of the causes an accountant meets most; any other code is named from its words. */
const causes: Record<string, string> = {
  not_closed: 'Not closed in ConnectWise',
  gl_entries_missing: 'No GL entries in ConnectWise',
  gl_account_unmapped: 'GL account not mapped',
  tax_code_unmapped: 'Tax code not mapped',
  mappings_missing: 'Codes not mapped',
  tax_code_missing: 'Tax code missing',
  invalid_batch_character: 'Character ConnectWise cannot batch',
  already_posted: 'Already in another batch',
  document_number_too_long: 'Number too long for the books',
  before_onboarding_cutoff: 'Dated before the onboarding cutoff',
  no_ledger_connection: 'No books connected',
  ledger_unauthorized: 'Books connection expired',
  ledger_duplicate_number: 'Number already used in the books',
  zero_total: 'Zero total',
  negative_total: 'Negative total',
};

export const causeOf = (code: string) => {
  const words = code.replaceAll('_', ' ');
  return causes[code] ?? `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
};

/** Failed rows by cause (code and fix), largest group first; rows without an error are left out. */
export function groupFailures(rows: readonly RecordRow[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const row of rows) {
    if (!row.error) continue;
    const key = `${row.error.code}|${row.error.hint ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, code: row.error.code, cause: causeOf(row.error.code), hint: row.error.hint, rows: [] };
      groups.set(key, group);
    }
    group.rows.push(row);
  }
  return [...groups.values()].sort((a, b) => b.rows.length - a.rows.length);
}
