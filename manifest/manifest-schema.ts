import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../server/shared/paths.js';

/**
 * What Ledgerpod registers in ConnectWise's Manage Hosted API: one entry per pod, tab or button, each
 * with the screens to fall back to, in order, when an instance does not offer the entry's screen.
 */

const hostedType = z.enum(['Pod', 'Tab', 'ToolbarButton']);

/** A pod URL path: ours, relative to the public URL, carrying CW's `[cw_screen]` token. */
const podPath = z
  .string()
  .regex(/^\/pod\/\?/, 'must start with /pod/?')
  .refine((path) => path.includes('[cw_screen]'), 'must carry the [cw_screen] token')
  .refine((path) => !/[?&]cwOrigin=/.test(path), 'cwOrigin is added by the installer per tenant');

const podHeight = z.number().int().min(60).max(1200);

const fallbackSchema = z.object({
  type: hostedType,
  /** A ConnectWise hosted screen id, as `/system/connectWiseHostedScreens` lists it (`screenId`). */
  screen: z.string().min(1),
  /** Defaults to the entry's path. */
  path: podPath.optional(),
  podHeight: podHeight.optional(),
  /** Why this stand-in still serves the purpose; printed in the installer's report. */
  why: z.string().min(1),
});

const entrySchema = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** CW's own limit; also how the installer recognises the entry again (with the screen). */
    description: z.string().min(1).max(50),
    type: hostedType,
    screen: z.string().min(1),
    path: podPath,
    podHeight: podHeight.optional(),
    fallbacks: z.array(fallbackSchema).default([]),
  })
  .superRefine((entry, ctx) => {
    const placements = [entry, ...entry.fallbacks];
    placements.forEach((p, index) => {
      const height = p.podHeight ?? (p === entry ? undefined : entry.podHeight);
      if (p.type === 'Pod' && height === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: index === 0 ? ['podHeight'] : ['fallbacks', index - 1, 'podHeight'],
          message: 'a Pod needs a podHeight',
        });
      }
      if (p.type === 'Pod' && !(p.path ?? entry.path).includes('[cw_id]')) {
        ctx.addIssue({ code: 'custom', path: ['path'], message: 'a Pod shows one record: use [cw_id]' });
      }
    });
    const screens = placements.map((p) => p.screen.toLowerCase());
    if (new Set(screens).size !== screens.length) {
      ctx.addIssue({ code: 'custom', path: ['fallbacks'], message: 'each placement needs its own screen' });
    }
  });

export const manifestSchema = z
  .object({ name: z.string().min(1), entries: z.array(entrySchema).min(1) })
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    for (const [index, entry] of manifest.entries.entries()) {
      for (const key of [`key:${entry.key}`, `description:${entry.description.toLowerCase()}`]) {
        if (seen.has(key)) {
          ctx.addIssue({ code: 'custom', path: ['entries', index], message: `duplicate ${key}` });
        }
        seen.add(key);
      }
    }
  });

export type HostedApiManifest = z.infer<typeof manifestSchema>;
export type ManifestEntry = HostedApiManifest['entries'][number];
type ManifestFallback = ManifestEntry['fallbacks'][number];

export const manifestPath = join(projectRoot, 'manifest', 'hosted-api.json');

/** Reads and validates the manifest; an invalid one throws with every problem listed. */
export async function loadManifest(path = manifestPath): Promise<HostedApiManifest> {
  const parsed = manifestSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a valid manifest:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
