import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadManifest, manifestPath, manifestSchema } from '../../manifest/manifest-schema.js';
import { parseRoute } from '../../pod-ui/src/route.js';

describe('manifest/hosted-api.json', () => {
  it('validates and declares the invoice pod, company pod, workbench and admin tabs', async () => {
    const manifest = await loadManifest();
    const byKey = Object.fromEntries(manifest.entries.map((e) => [e.key, e]));
    expect(byKey['invoice-pod']).toMatchObject({
      type: 'Pod',
      screen: 'Invoice',
      path: '/pod/?view=invoice&id=[cw_id]&screen=[cw_screen]',
    });
    expect(byKey['invoice-pod']?.fallbacks.some((f) => f.type === 'ToolbarButton')).toBe(true);
    expect(byKey['company-pod']).toMatchObject({ type: 'Pod', screen: 'Company' });
    expect(byKey['workbench-tab']?.type).toBe('Tab');
    expect(byKey['admin-tab']?.type).toBe('Tab');
    for (const entry of manifest.entries) expect(entry.description.length).toBeLessThanOrEqual(50);
  });

  it('opens a pod screen that exists from every entry and every fallback', async () => {
    const manifest = await loadManifest();
    const paths = manifest.entries.flatMap((entry) => [
      entry.path,
      ...entry.fallbacks.map((fallback) => fallback.path ?? entry.path),
    ]);
    for (const path of paths) {
      const filled = path.replace('[cw_id]', '42').replace('[cw_screen]', 'Company');
      const route = parseRoute(filled.slice(filled.indexOf('?')));
      expect(route.view, path).not.toBe('unknown');
    }
  });

  it('refuses what ConnectWise or the installer could not use', async () => {
    const raw = JSON.parse(await readFile(manifestPath, 'utf8'));
    const broken = structuredClone(raw);
    broken.entries[0].description = 'x'.repeat(51);
    broken.entries[1].podHeight = undefined;
    broken.entries[2].path = 'https://elsewhere.example/pod/?screen=[cw_screen]';
    broken.entries[3].description = broken.entries[2].description;
    const result = manifestSchema.safeParse(broken);
    expect(result.success).toBe(false);
    const problems = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^entries\.0\.description: /),
        'entries.1.podHeight: a Pod needs a podHeight',
        'entries.2.path: must start with /pod/?',
        expect.stringMatching(/^entries\.3: duplicate description:/),
      ]),
    );
  });
});
