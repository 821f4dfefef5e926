import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTenantAdd, parseTenantAddArgs, runTenantAdd } from '../../scripts/lib/tenant-add-command.js';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import type { DatabaseHandle } from '../../server/db/database.js';
import { type AddTenantInput, addTenant } from '../../server/tenants/add-tenant.js';
import { TenantStore } from '../../server/tenants/tenant-store.js';
import { testApiMember, testClientId } from '../../sim/connectwise/index.js';
import { type CwSim, startSeededConnectWise } from '../support/cw-tenant.js';
import { createTestDatabase } from '../support/test-database.js';

const privateKey = 'very-secret-private-key-7f3a';
const box = createSecretBox([randomBytes(32)]);

const acme = (overrides: Partial<AddTenantInput> = {}): AddTenantInput => ({
  name: 'Acme MSP',
  site: 'na.myconnectwise.net',
  company: 'acme',
  publicKey: 'pub-acme',
  privateKey,
  clientId: testClientId,
  ...overrides,
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('tenant:add', () => {
  let database: DatabaseHandle;
  let sim: CwSim;
  const deps = () => ({
    db: database.db,
    box,
    publicUrl: 'https://ledgerpod.example.com/',
    connectWise: { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, timeoutMs: 2_000 },
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSeededConnectWise();
  });
  afterAll(async () => {
    await sim.close();
    await database.close();
  });

  it('stores the tenant with its keys sealed and prints what to configure, never the private key', async () => {
    const result = await addTenant(deps(), acme({ site: 'HTTPS://NA.myconnectwise.net/v4_6_release' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { tenant, configure } = result.added;
    expect(tenant.site).toBe('na.myconnectwise.net');
    expect(configure.callbackUrl).toBe(`https://ledgerpod.example.com/webhooks/connectwise/${tenant.id}`);
    expect(configure.podUrl).toBe('https://ledgerpod.example.com/pod/');
    expect(configure.frameOrigin).toBe('https://na.myconnectwise.net');

    const row = await database.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(row.cw_keys_enc).not.toContain(privateKey);
    expect(new TenantStore(database.db, box).keysOf(row)).toEqual({ publicKey: 'pub-acme', privateKey });

    const printed = formatTenantAdd(result).join('\n');
    expect(printed).toContain(tenant.id);
    expect(printed).toContain(configure.callbackUrl);
    expect(printed).toContain(`npm run manifest:install -- --tenant ${tenant.id}`);
    expect(printed).not.toContain(privateKey);
  });

  it('refuses a second tenant for the same site and company, naming the existing one', async () => {
    const first = await addTenant(deps(), acme({ site: 'eu.myconnectwise.net', company: 'dup' }));
    expect(first.ok).toBe(true);
    const again = await addTenant(
      deps(),
      acme({ site: 'eu.myconnectwise.net', company: 'DUP', name: 'Other' }),
    );
    expect(again.ok).toBe(false);
    if (again.ok || !first.ok) return;
    expect(again.error.code).toBe('duplicate_tenant');
    expect(again.error.what).toContain(first.added.tenant.id);
    expect(again.error.fix).toContain('--tenant');
    const count = await database.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('cw_site', '=', 'eu.myconnectwise.net')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('names every missing flag, and takes the private key from CW_PRIVATE_KEY', () => {
    const missing = parseTenantAddArgs(['--name', 'X', '--site', 'na.myconnectwise.net'], {});
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error.what).toBe('missing --company, --public-key, --private-key, --client-id');
      expect(missing.error.why).toContain('developer.connectwise.com');
      expect(missing.error.fix).toContain('npm run tenant:add');
    }
    const fromEnv = parseTenantAddArgs(
      ['--name', 'X', '--site', 's', '--company', 'c', '--public-key', 'p', '--client-id', 'g', '--check'],
      { CW_PRIVATE_KEY: privateKey },
    );
    expect(fromEnv.ok && fromEnv.input.privateKey === privateKey && fromEnv.input.check).toBe(true);
    const unknown = parseTenantAddArgs(['--nmae', 'X'], {});
    expect(!unknown.ok && unknown.error.code).toBe('bad_arguments');
  });

  it('explains an invalid API URL by its flag', async () => {
    const result = await addTenant(deps(), acme({ company: 'badurl', apiUrl: 'ftp://cw.example.com' }));
    expect(!result.ok && result.error.code).toBe('invalid_input');
    expect(!result.ok && result.error.why).toContain('--api-url');
  });

  it('--check: proves the keys against ConnectWise before storing anything', async () => {
    const simInput = acme({
      site: new URL(sim.url).host,
      company: testApiMember.companyId,
      publicKey: testApiMember.publicKey,
      privateKey: testApiMember.privateKey,
      apiUrl: sim.url,
      check: true,
    });
    const wrongKey = await addTenant(deps(), { ...simInput, privateKey: 'wrong-private-key' });
    expect(!wrongKey.ok && wrongKey.error.code).toBe('check_failed');
    expect(!wrongKey.ok && wrongKey.error.why).toBe('the API member keys were not accepted');
    expect(formatTenantAdd(wrongKey).join('\n')).not.toContain('wrong-private-key');

    const wrongCompany = await addTenant(deps(), { ...simInput, company: 'nosuchco' });
    expect(!wrongCompany.ok && wrongCompany.error.why).toContain('no company "nosuchco"');

    const stored = await database.db
      .selectFrom('tenants')
      .select('id')
      .where('cw_site', '=', simInput.site)
      .execute();
    expect(stored).toHaveLength(0);

    const good = await addTenant(deps(), simInput);
    expect(good.ok).toBe(true);
    if (good.ok)
      expect(good.added.checked).toEqual({ companyName: 'Ledgerpod Demo MSP', codebase: 'v4_6_release/' });
  });

  it('prints the config error lines and exits 1 on bad configuration, before touching a database', async () => {
    const io = capture();
    const code = await runTenantAdd(
      [
        '--name',
        'X',
        '--site',
        's',
        '--company',
        'c',
        '--public-key',
        'p',
        '--private-key',
        privateKey,
        '--client-id',
        'g',
      ],
      { SECRET_KEY: 'short', SESSION_KEY: 'also-short', DEMO: 'off' },
      io.output,
    );
    expect(code).toBe(1);
    expect(io.err.some((line) => line.startsWith('config error: SECRET_KEY'))).toBe(true);
    expect(io.err.join('\n')).not.toContain(privateKey);
  });

  it('runs end to end from the command line against the configured database', async () => {
    // The kind of database the server would open: a fresh one of its own on the CI server when
    // DATABASE_URL is set (never the server's default database), else an embedded one under a
    // throw-away DATA_DIR.
    const dataDir = await mkdtemp(join(tmpdir(), 'ledgerpod-tenant-add-'));
    const own = process.env.DATABASE_URL ? await createTestDatabase({ migrate: false }) : undefined;
    try {
      const io = capture();
      const code = await runTenantAdd(
        [
          '--name',
          'CLI MSP',
          '--site',
          'au.myconnectwise.net',
          '--company',
          'cli',
          '--public-key',
          'p',
          '--client-id',
          'g',
        ],
        {
          DATABASE_URL: own?.url ?? '',
          SECRET_KEY: randomBytes(32).toString('hex'),
          SESSION_KEY: randomBytes(32).toString('hex'),
          DEMO: 'off',
          PUBLIC_URL: 'https://pods.example.com',
          DATA_DIR: dataDir,
          CW_PRIVATE_KEY: privateKey,
        },
        io.output,
      );
      expect(io.err).toEqual([]);
      expect(code).toBe(0);
      expect(io.out.join('\n')).toMatch(/tenant id: +[0-9a-f-]{36}/);
      expect(io.out.join('\n')).toContain('https://pods.example.com/webhooks/connectwise/');
      expect(io.out.join('\n')).not.toContain(privateKey);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await own?.close();
    }
  });
});
