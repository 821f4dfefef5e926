import type { RecordType } from './api/types.js';

export type Route =
  | { view: 'invoice'; id: string; type?: RecordType }
  | { view: 'company'; id: string }
  | { view: 'workbench' }
  | { view: 'admin' }
  | { view: 'unknown'; why: string };

const recordTypes = new Set(['invoice', 'credit_memo', 'expense', 'procurement', 'adjustment', 'transfer']);

/** `?view=invoice&id=[cw_id]`; ConnectWise leaves `[cw_id]` unfilled where a screen has no record. */
export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const view = params.get('view') ?? '';
  const id = params.get('id') ?? '';
  const type = params.get('type') ?? undefined;
  if (view === 'workbench' || view === 'admin') return { view };
  if (view === 'invoice' || view === 'company') {
    if (!/^\d+$/.test(id)) return { view: 'unknown', why: `This ${view} pod needs a ConnectWise record id.` };
    if (view === 'company') return { view, id };
    return { view, id, type: type && recordTypes.has(type) ? (type as RecordType) : undefined };
  }
  return { view: 'unknown', why: `Unknown Ledgerpod screen "${view}".` };
}
