import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/shared/paths.js';

/*
 * The layer rules `npm run lint` enforces (.dependency-cruiser.cjs), run by the same CLI on small
 * made-up trees: a lower layer importing a higher one, two siblings importing each other, and a
 * cycle must each fail it; the real tree must pass.
 */

const run = promisify(execFile);
const cli = join(projectRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = join(projectRoot, '.dependency-cruiser.cjs');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (path -> the paths it imports) under a fresh folder and cruises it with our rules. */
async function cruise(files: Record<string, string[]>): Promise<{ ok: boolean; output: string }> {
  const root = mkdtempSync(join(tmpdir(), 'ledgerpod-layers-'));
  made.push(root);
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { allowJs: true } }));
  for (const [path, imports] of Object.entries(files)) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    const lines = imports.map((to) => {
      const from = dirname(path).split('/').length;
      return `import '${'../'.repeat(from)}${to}';`;
    });
    writeFileSync(join(root, path), `${lines.join('\n')}\nexport const here = 1;\n`);
  }
  try {
    const { stdout } = await run(process.execPath, [cli, 'server', '--config', config], { cwd: root });
    return { ok: true, output: stdout };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the layer rules', () => {
  it('accept an import of a lower layer', async () => {
    const result = await cruise({
      'server/http/routes.js': ['server/records/store.js'],
      'server/records/store.js': ['server/db/database.js'],
      'server/db/database.js': ['server/shared/money.js'],
      'server/shared/money.js': [],
    });
    expect(result.output).toMatch(/no dependency violations/);
    expect(result.ok).toBe(true);
  });

  it('refuse a backwards import (the database importing a route)', async () => {
    const result = await cruise({
      'server/db/database.js': ['server/http/routes.js'],
      'server/http/routes.js': [],
    });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/layer-db: server\/db\/database\.js → server\/http\/routes\.js/);
  });

  it('refuse siblings importing each other (ConnectWise importing the ledgers)', async () => {
    const result = await cruise({
      'server/connectwise/transport.js': ['server/ledgers/ledger.js'],
      'server/ledgers/ledger.js': [],
    });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/layer-connectwise/);
  });

  it('refuse a cycle inside one folder', async () => {
    const result = await cruise({
      'server/pipeline/a.js': ['server/pipeline/b.js'],
      'server/pipeline/b.js': ['server/pipeline/a.js'],
    });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/no-circular/);
  });

  it('pass on the real tree, as npm run lint runs them', async () => {
    const { stdout } = await run(
      process.execPath,
      [cli, 'server', 'sim', 'pod-ui/src', 'contract', '--config', config],
      { cwd: projectRoot },
    );
    expect(stdout).toMatch(/no dependency violations/);
  });
});
