import { Router } from 'express';
import type { RecordRow, RecordType, StateCounts } from '../../../pod-ui/src/api/types.js';
import type { StoredRecord } from './seed.js';
import type { Need } from './stand-in-backend.js';
import type { Store } from './stand-in-store.js';

const notFound = { error: { code: 'not_found', message: 'Ledgerpod has no such record.' } };

const row = ({ record, state, error, ledger }: StoredRecord): RecordRow => ({
  type: record.type,
  cwId: record.cwId,
  number: record.number,
  date: record.date,
  company: record.company,
  total: record.total,
  currency: record.currency,
  state,
  error: error && { code: error.code, message: error.message, hint: error.hint },
  ledger: ledger && { kind: ledger.kind, number: ledger.number, url: ledger.url },
});

/** A detail without the stand-in's private fields. */
const detail = ({ failWith: _, ...r }: StoredRecord) => r;

export function recordRoutes(store: Store, need: Need): Router {
  const r = Router();
  // As the real backend: invoices and credit memos share ConnectWise's invoice ids and either type finds them.
  const find = (type: unknown, id: unknown) => {
    const family = type === 'invoice' || type === 'credit_memo' ? ['invoice', 'credit_memo'] : [String(type)];
    for (const t of family) {
      const found = store.records.get(`${t}:${String(id)}`);
      if (found) return found;
    }
    return undefined;
  };

  r.get('/records/:type/:cwId', (req, res) => {
    const found = find(req.params.type, req.params.cwId);
    if (!found) return void res.status(404).json(notFound);
    res.json(detail(found));
  });

  r.post('/records/:type/:cwId/sync', need('accountant'), (req, res) => {
    const found = find(req.params.type, req.params.cwId);
    if (!found) return void res.status(404).json(notFound);
    store.push(found);
    // As the real backend (server/http/record-routes.ts): the record itself, not wrapped.
    res.status(202).json(detail(found));
  });

  r.post('/records/:type/:cwId/reverse', need('admin'), (req, res) => {
    const found = find(req.params.type, req.params.cwId);
    if (!found) return void res.status(404).json(notFound);
    found.ledger = null;
    found.cw.batch = null;
    store.move(found, 'unposted', 'reversed', 'Document voided in the books');
    res.json(detail(found));
  });

  r.get('/records', need('accountant'), (req, res) => {
    const { type, state, company, q } = req.query as Record<string, string | undefined>;
    const all = [...store.records.values()].filter(
      (x) =>
        (!type || x.record.type === type) &&
        (!company || String(x.record.company.id) === company) &&
        (!q || `${x.record.number} ${x.record.company.name}`.toLowerCase().includes(q.toLowerCase())),
    );
    const counts: StateCounts = {};
    for (const x of all) counts[x.state] = (counts[x.state] ?? 0) + 1;
    const records = all.filter((x) => !state || x.state === state).map(row);
    res.json({ records, counts, nextCursor: null });
  });

  r.post('/records/sync', need('accountant'), (req, res) => {
    const wanted = (req.body?.records ?? []) as { type: RecordType; cwId: string | number }[];
    const found = wanted.map((w) => find(w.type, String(w.cwId))).filter((x) => x !== undefined);
    // Staggered, as a real queue drains: the progress bar has something to show.
    found.forEach((x, i) => {
      store.later(i * 250, () => store.push(x));
    });
    res.status(202).json({ queued: found.length });
  });

  r.post('/payments/sync', need('accountant'), (req, res) => {
    store.log.unshift({
      at: new Date().toISOString(),
      actor: 'ledgerpod',
      kind: 'payments_sync',
      fromState: null,
      toState: null,
      detail: `since ${req.body?.since ?? 'last run'}`,
      record: '',
    });
    res.status(202).json({ queued: true });
  });

  r.get('/companies/:cwId/summary', (req, res) => {
    const mine = [...store.records.values()].filter((x) => String(x.record.company.id) === req.params.cwId);
    if (mine.length === 0) return void res.status(404).json(notFound);
    const counts: StateCounts = {};
    for (const x of mine) counts[x.state] = (counts[x.state] ?? 0) + 1;
    res.json({
      company: mine[0]!.record.company,
      counts,
      arBalance: { currency: 'USD', cw: '4052.63', ledger: '3052.63' },
    });
  });

  r.get('/events', (req, res) => {
    const record = req.query.record as string | undefined;
    res.json({ events: store.log.filter((e) => !record || e.record === record) });
  });
  return r;
}
