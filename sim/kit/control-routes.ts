import { Router } from 'express';
import { z } from 'zod';
import { type FaultBook, faultRuleSchema } from './faults.js';
import type { Traffic } from './traffic.js';

export interface SimControl {
  reset(): void;
  /** Validates and loads seed data in the simulator's wire format; throws a zod error on bad input. */
  seed(body: unknown): unknown;
  state(): unknown;
}

/**
 * The control API every simulator shares: reset, seed, state, faults, traffic.
 * Not part of any real service's API; lives under /__sim.
 */
export function controlRoutes(control: SimControl, faults: FaultBook, traffic: Traffic): Router {
  const router = Router();
  router.post('/__sim/reset', (_req, res) => {
    control.reset();
    faults.clear();
    traffic.reset();
    traffic.latencyMs = 0;
    res.json({ ok: true });
  });
  router.post('/__sim/seed', (req, res) => {
    const result = runParse(() => control.seed(req.body));
    if (!result.ok) {
      res.status(400).json({ error: 'invalid seed', issues: result.issues });
      return;
    }
    res.json(result.value ?? { ok: true });
  });
  router.get('/__sim/state', (_req, res) => {
    res.json(control.state());
  });
  router.post('/__sim/faults', (req, res) => {
    const body = z.union([faultRuleSchema, z.array(faultRuleSchema)]).safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'invalid fault', issues: body.error.issues });
      return;
    }
    for (const rule of Array.isArray(body.data) ? body.data : [body.data]) faults.add(rule);
    res.json({ faults: faults.list() });
  });
  router.get('/__sim/faults', (_req, res) => {
    res.json({ faults: faults.list() });
  });
  router.delete('/__sim/faults', (_req, res) => {
    faults.clear();
    res.json({ faults: [] });
  });
  router.get('/__sim/traffic', (_req, res) => {
    res.json(traffic.snapshot());
  });
  router.post('/__sim/latency', (req, res) => {
    const body = z.object({ ms: z.number().int().min(0).max(60_000) }).safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected {ms}' });
      return;
    }
    traffic.latencyMs = body.data.ms;
    res.json({ ms: traffic.latencyMs });
  });
  return router;
}

function runParse(fn: () => unknown): { ok: true; value: unknown } | { ok: false; issues: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof z.ZodError) return { ok: false, issues: error.issues };
    throw error;
  }
}
