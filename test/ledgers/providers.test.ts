import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerKinds, ledgerLabels } from '../../contract/ledger-kinds.js';
import { ledgerProviderOf, ledgerProviders } from '../../server/ledgers/providers.js';

const ledgersDir = join(import.meta.dirname, '../../server/ledgers');

/** The core files as ledgers/provider.ts lists them in its header. */
function coreFiles(): string[] {
  const header = readFileSync(join(ledgersDir, 'provider.ts'), 'utf8');
  const list = header.slice(
    header.indexOf('Every provider folder has the same core files'),
    header.indexOf('A file only one provider needs'),
  );
  return [...list.matchAll(/^ \* {3}([a-z-]+\.ts) /gm)].map((m) => m[1]!);
}

describe('ledger providers as data', () => {
  it('lists one entry per kind of the contract, labelled as the pod labels it', () => {
    expect(ledgerProviders.map((p) => p.kind)).toEqual([...ledgerKinds]);
    for (const kind of ledgerKinds) {
      expect(ledgerProviderOf(kind).kind).toBe(kind);
      expect(ledgerProviderOf(kind).label).toBe(ledgerLabels[kind]);
    }
  });

  it('gives every provider folder the core files provider.ts names', () => {
    const core = coreFiles();
    expect(core).toContain('provider.ts');
    expect(core.length).toBeGreaterThan(10);
    const folders = readdirSync(ledgersDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'connections')
      .map((d) => d.name);
    expect(folders).toHaveLength(ledgerProviders.length);
    for (const folder of folders) {
      const files = readdirSync(join(ledgersDir, folder));
      expect({ folder, missing: core.filter((f) => !files.includes(f)) }).toEqual({ folder, missing: [] });
    }
  });
});
