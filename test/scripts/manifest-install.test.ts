import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatManifestInstall,
  manifestInstall,
  runManifestInstall,
} from '../../scripts/lib/manifest-install-command.js';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import type { DatabaseHandle } from '../../server/db/database.js';
import { TenantStore } from '../../server/tenants/tenant-store.js';
import { testApiMember, testClientId } from '../../sim/connectwise/index.js';
import { type CwSim, startSeededConnectWise } from '../support/cw-tenant.js';
import { createTestDatabase } from '../support/test-database.js';

describe('manifest:install', () => {
  let database: DatabaseHandle;
  let sim: CwSim;
  let tenantId: string;
  const box = createSecretBox([randomBytes(32)]);

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSeededConnectWise();
    const tenant = await new TenantStore(database.db, box).create({
      name: 'Sim MSP',
      site: new URL(sim.url).host,
      companyId: testApiMember.companyId,
      publicKey: testApiMember.publicKey,
      privateKey: testApiMember.privateKey,
      clientId: testClientId,
      apiUrl: sim.url,
    });
    tenantId = tenant.id;
  });
  afterAll(async () => {
    await sim.close();
    await database.close();
  });

  it("installs with the tenant's own keys and origin, then reports nothing to change", async () => {
    const deps = { db: database.db, box };
    const first = await manifestInstall(deps, { tenantId, publicUrl: 'https://pods.example.com' });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.report.created).toHaveLength(4);
    expect(first.report.created[0]?.url).toContain(`cwOrigin=${encodeURIComponent(sim.url)}`);
    const text = formatManifestInstall(first).join('\n');
    expect(text).toContain('created:');
    expect(text).toContain('Ledgerpod: accounting sync status (Pod on Invoice)');
    expect(text).not.toContain(testApiMember.privateKey);

    const second = await manifestInstall(deps, { tenantId, publicUrl: 'https://pods.example.com' });
    expect(second.ok && second.report.unchanged).toHaveLength(4);
    expect(formatManifestInstall(second).at(-1)).toBe('Nothing to change.');
  });

  it('reports an unknown tenant and a missing --tenant plainly', async () => {
    const unknown = await manifestInstall(
      { db: database.db, box },
      { tenantId: '00000000-0000-4000-8000-000000000000', publicUrl: 'https://x.example' },
    );
    expect(!unknown.ok && unknown.error.code).toBe('unknown_tenant');
    const err: string[] = [];
    const code = await runManifestInstall([], {}, { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err[0]).toBe('error: missing --tenant');
  });

  it('turns a ConnectWise refusal into a failure with a fix, not a crash', async () => {
    await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        method: 'GET',
        path: '/v4_6_release/apis/3.0/system/connectWiseHostedScreens',
        kind: 'http500',
        times: 10,
      }),
    });
    const failed = await manifestInstall(
      { db: database.db, box },
      { tenantId, publicUrl: 'https://pods.example.com' },
    );
    expect(!failed.ok && failed.error.code).toBe('install_failed');
  });
});
