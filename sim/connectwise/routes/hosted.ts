import { Router } from 'express';
import { z } from 'zod';
import { CwHttpError, notFound } from '../errors.js';
import { applyPatch } from '../json-patch.js';
import { idParam, sendPage } from '../paging.js';
import type { ConnectWiseState, HostedSetup } from '../state.js';

const setupBody = z
  .object({
    screenId: z.number().int(),
    description: z.string().min(1).max(50),
    url: z.string().min(1),
    type: z.enum(['Pod', 'Tab', 'ToolbarButton']),
    origin: z.string().optional(),
    podHeight: z.number().int().nullable().optional(),
    clientId: z.string().optional(),
    disabledFlag: z.boolean().default(false),
    locationIds: z.array(z.number().int()).default([]),
  })
  .loose();

/** Manage Hosted API: the screens CW offers and the pods/tabs/buttons registered on them. */
export function hostedRoutes(state: ConnectWiseState): Router {
  const router = Router();
  const find = (id: number) => {
    const setup = state.hostedSetups.get(id);
    if (!setup) throw notFound(`ConnectWiseHostedSetup ${id}`);
    return setup;
  };
  const validate = (body: unknown, id: number): HostedSetup => {
    const parsed = setupBody.safeParse(body);
    if (!parsed.success) {
      throw new CwHttpError(
        400,
        'InvalidObject',
        'ConnectWiseHostedSetup object is invalid',
        parsed.error.issues.map((issue) => ({
          code: 'InvalidField',
          message: issue.message,
          resource: 'ConnectWiseHostedSetup',
          field: String(issue.path[0] ?? ''),
        })),
      );
    }
    if (!state.hostedScreens.some((s) => s.id === parsed.data.screenId)) {
      throw new CwHttpError(400, 'InvalidObject', `screenId ${parsed.data.screenId} is not a hosted screen`);
    }
    return { ...parsed.data, id };
  };

  router.get('/system/connectWiseHostedScreens', (req, res) => sendPage(req, res, state.hostedScreens));
  router.get('/system/connectwisehostedsetups', (req, res) =>
    sendPage(req, res, [...state.hostedSetups.values()]),
  );
  router.get('/system/connectwisehostedsetups/:id', (req, res) => {
    res.json(find(idParam(req)));
  });
  router.post('/system/connectwisehostedsetups', (req, res) => {
    const setup = validate(req.body, state.nextId());
    state.hostedSetups.set(setup.id, setup);
    res.status(201).json(setup);
  });
  router.put('/system/connectwisehostedsetups/:id', (req, res) => {
    const id = find(idParam(req)).id;
    const setup = validate(req.body, id);
    state.hostedSetups.set(id, setup);
    res.json(setup);
  });
  router.patch('/system/connectwisehostedsetups/:id', (req, res) => {
    const current = find(idParam(req));
    const draft = structuredClone(current) as Record<string, unknown>;
    applyPatch(draft, req.body);
    const setup = validate(draft, current.id);
    state.hostedSetups.set(current.id, setup);
    res.json(setup);
  });
  router.delete('/system/connectwisehostedsetups/:id', (req, res) => {
    state.hostedSetups.delete(find(idParam(req)).id);
    res.status(204).end();
  });
  return router;
}
