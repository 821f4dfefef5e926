import { Router } from 'express';
import type { Mapping, OnboardingFailure, OnboardingRequest } from '../../../pod-ui/src/api/admin-types.js';
import type { Need } from './stand-in-backend.js';
import type { Store } from './stand-in-store.js';

const ledger = {
  accounts: [
    { key: '79', name: 'Sales of Product Income', detail: 'Income' },
    { key: '80', name: 'Services', detail: 'Income' },
    { key: '81', name: 'Hardware Resale', detail: 'Income' },
  ],
  taxCodes: [
    { key: 'TAX', name: 'Taxable' },
    { key: 'NON', name: 'Non-taxable' },
  ],
  classes: [{ key: 'cl1', name: 'Managed Services' }],
  items: [{ key: 'it1', name: 'Labour' }],
};
const cw = {
  glAccounts: [
    { key: '4000', name: 'Managed Services' },
    { key: '4100', name: 'Hardware' },
  ],
  taxCodes: [{ key: 'FL', name: 'Florida 7%' }],
};

/** Two of the onboarding's records fail; the wizard must show and export them. */
const onboardingFailures: OnboardingFailure[] = [
  {
    type: 'invoice',
    cwId: 901,
    number: 'INV-0901',
    code: 'customer_missing',
    message: 'Customer "Initech, Inc." is not in the books.',
    hint: 'Create it there or map it, then retry.',
  },
  {
    type: 'credit_memo',
    cwId: 902,
    number: 'CM-0902',
    code: 'tax_code_missing',
    message: 'Tax code "FL" has no QuickBooks tax code.',
    hint: 'Map it in Admin > Mappings > Tax codes.',
  },
];

export function adminRoutes(store: Store, need: Need): Router {
  const r = Router();
  r.use(['/connections', '/mappings', '/settings', '/onboarding'], need('admin'));

  r.get('/connections', (_req, res) => void res.json({ connections: store.connections }));
  r.post('/connections/:kind/authorize', (req, res) => {
    const base = `${req.protocol}://${req.get('host')}`;
    res.json({ url: `${base}/oauth/callback?kind=${encodeURIComponent(req.params.kind)}` });
  });
  r.delete('/connections/:id', (req, res) => {
    store.connections = store.connections.filter((c) => c.id !== req.params.id);
    res.status(204).end();
  });
  r.put('/connections/:id/routing', (req, res) => {
    const c = store.connections.find((x) => x.id === req.params.id);
    if (!c)
      return void res.status(404).json({ error: { code: 'not_found', message: 'No such connection.' } });
    c.cwLocationIds = req.body.cwLocationIds;
    c.isDefault = req.body.isDefault;
    res.json({ connection: c });
  });

  r.get('/mappings', (_req, res) => void res.json({ mappings: store.mappings, cw, ledger }));
  r.put('/mappings', (req, res) => {
    const { kind, cwKey, ledgerKey } = req.body as Mapping;
    const all = [...ledger.accounts, ...ledger.taxCodes, ...ledger.classes, ...ledger.items];
    const mapping = { kind, cwKey, ledgerKey, ledgerName: all.find((o) => o.key === ledgerKey)?.name ?? '' };
    const i = store.mappings.findIndex((m) => m.kind === kind && m.cwKey === cwKey);
    if (i >= 0) store.mappings[i] = mapping;
    else store.mappings.push(mapping);
    res.json({ mapping });
  });

  r.get('/settings/security-roles', (_req, res) => {
    res.json({
      roles: [
        { id: 63, name: 'Admin', defaultRole: 'admin' },
        { id: 64, name: 'Finance', defaultRole: 'accountant' },
        { id: 66, name: 'Sales', defaultRole: 'viewer' },
        { id: 65, name: 'Technician', defaultRole: 'viewer' },
      ],
    });
  });
  // As the real backend answers (server/http/settings-routes.ts): wrapped in `{settings}`.
  r.get('/settings', (_req, res) => void res.json({ settings: store.settings }));
  r.put('/settings', (req, res) => {
    store.settings = req.body;
    res.json({ settings: store.settings });
  });

  r.post('/onboarding', (req, res) => {
    const body = req.body as OnboardingRequest;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(body.cutoffDate ?? '')) {
      return void res.status(400).json({
        error: { code: 'invalid_cutoff', message: 'The cutoff date is missing.', hint: 'Pick a date.' },
      });
    }
    const counts = Object.fromEntries(body.recordTypes.map((t) => [t, t === 'invoice' ? 30 : 5]));
    const failures = onboardingFailures.filter((f) => body.recordTypes.includes(f.type));
    if (body.dryRun) return void res.json({ dryRun: true, counts, failures });
    const id = `run-${store.runs.size + 1}`;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const run = {
      state: 'running' as const,
      total,
      done: 0,
      failed: 0,
      byType: {},
      ratePerMinute: 600,
      etaSeconds: null as number | null,
      errors: [] as OnboardingFailure[],
    };
    store.runs.set(id, run);
    for (let step = 1; step <= 8; step++) {
      store.later(step * 300, () => {
        const cur = store.runs.get(id)!;
        const done = Math.min(total, Math.round((total * step) / 8));
        const errors = step >= 4 ? failures : [];
        store.runs.set(id, {
          ...cur,
          done,
          failed: errors.length,
          errors,
          etaSeconds: Math.round(((total - done) / 600) * 60),
          state: step === 8 ? 'done' : 'running',
        });
      });
    }
    res.status(202).json({ id });
  });
  r.get('/onboarding/:id', (req, res) => {
    const run = store.runs.get(req.params.id);
    if (!run) return void res.status(404).json({ error: { code: 'not_found', message: 'No such run.' } });
    res.json(run);
  });

  r.get('/stats/daily', need('accountant'), (req, res) => {
    const days = Math.min(60, Number(req.query.days) || 14);
    const start = Date.parse('2025-03-20T00:00:00Z');
    res.json({
      days: Array.from({ length: days }, (_, i) => ({
        day: new Date(start - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
        synced: 10 + ((i * 7) % 23),
        errors: i % 5 === 0 ? 3 : i % 3 === 0 ? 1 : 0,
      })),
    });
  });
  return r;
}
