import { type InstallReport, installHostedApi } from '../../manifest/install.js';
import { type HostedApiManifest, loadManifest } from '../../manifest/manifest-schema.js';
import { ConnectWiseError } from '../../server/connectwise/index.js';
import type { SecretBox } from '../../server/crypto/secret-box.js';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import type { Db } from '../../server/db/database.js';
import { cwOriginOf } from '../../server/tenants/frame-origins.js';
import { TenantConnectWise } from '../../server/tenants/tenant-connectwise.js';
import { TenantStore } from '../../server/tenants/tenant-store.js';
import { type CliFailure, formatFailure, type Output, parseFlags } from './cli.js';
import { openConfiguredDatabase } from './open-configured-database.js';

export const manifestInstallUsage =
  'npm run manifest:install -- --tenant <tenant id> [--public-url https://...]';

export type ManifestInstallResult =
  | { ok: true; tenant: { id: string; name: string }; podBaseUrl: string; report: InstallReport }
  | { ok: false; error: CliFailure };

/** Installs the manifest into one tenant's ConnectWise, with the tenant's own sealed API keys. */
export async function manifestInstall(
  deps: { db: Db; box: SecretBox; manifest?: HostedApiManifest },
  input: { tenantId: string; publicUrl: string },
): Promise<ManifestInstallResult> {
  const tenants = new TenantStore(deps.db, deps.box);
  const tenant = await tenants.get(input.tenantId);
  if (!tenant) {
    return {
      ok: false,
      error: {
        code: 'unknown_tenant',
        what: `no tenant ${input.tenantId}`,
        why: 'the id matches no tenant in this database',
        fix: 'use the tenant id printed by npm run tenant:add (or add the tenant first)',
      },
    };
  }
  const cw = new TenantConnectWise(tenants).for(tenant);
  try {
    const report = await installHostedApi({
      cw,
      manifest: deps.manifest ?? (await loadManifest()),
      podBaseUrl: input.publicUrl,
      cwOrigin: cwOriginOf(tenant),
      clientId: tenant.cw_client_id,
      tenantId: tenant.id,
    });
    return { ok: true, tenant: { id: tenant.id, name: tenant.name }, podBaseUrl: input.publicUrl, report };
  } catch (error) {
    if (!(error instanceof ConnectWiseError)) throw error;
    return {
      ok: false,
      error: {
        code: 'install_failed',
        what: `ConnectWise refused the installation (${error.code})`,
        why: error.message,
        fix:
          error.code === 'cw_forbidden'
            ? "give the API member's role System > Manage Hosted API access, then run again"
            : 'fix the cause above and run again: what was already registered is recognised, not duplicated',
      },
    };
  }
}

export function formatManifestInstall(result: ManifestInstallResult): string[] {
  if (!result.ok) return formatFailure(result.error);
  const { report } = result;
  const placed = (p: { description: string; type: string | null; screen: string }) =>
    `${p.description} (${p.type} on ${p.screen})`;
  const lines = [`Hosted API for ${result.tenant.name} (${result.tenant.id}) at ${result.podBaseUrl}`];
  const section = (title: string, items: string[]) => {
    if (items.length > 0) lines.push(`${title}:`, ...items.map((item) => `  - ${item}`));
  };
  section('created', report.created.map(placed));
  section(
    'updated',
    report.updated.map((u) => `${placed(u)}: ${u.changed.join(', ')}`),
  );
  section('unchanged', report.unchanged.map(placed));
  section(
    'fell back',
    report.fellBack.map((f) => `${f.entry}: ${f.reason}`),
  );
  section(
    'skipped',
    report.skipped.map((s) => `${s.entry}: ${s.reason}`),
  );
  section(
    'left in place (remove by hand in System > Setup Tables > Manage Hosted API if unwanted)',
    report.stale.map((s) => `${s.entry}: setup ${s.id} on ${s.screen}`),
  );
  const changed = report.created.length + report.updated.length;
  lines.push(changed === 0 ? 'Nothing to change.' : `${changed} change(s) made.`);
  return lines;
}

/** `npm run manifest:install`: returns the exit code. */
export async function runManifestInstall(
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<number> {
  const parsed = parseFlags(
    argv,
    { tenant: { type: 'string' }, 'public-url': { type: 'string' } },
    manifestInstallUsage,
  );
  const failure = (error: CliFailure, code: number) => {
    for (const line of formatFailure(error)) output.err(line);
    return code;
  };
  if (!parsed.ok) return failure(parsed.error, 2);
  if (!parsed.values.tenant) {
    return failure(
      {
        code: 'missing_flags',
        what: 'missing --tenant',
        why: 'the installer registers pods in one tenant’s ConnectWise, with that tenant’s API keys',
        fix: `usage: ${manifestInstallUsage}`,
      },
      2,
    );
  }
  const opened = await openConfiguredDatabase(env, output);
  if (!opened) return 1;
  const { config, database } = opened;
  try {
    const publicUrl = parsed.values['public-url'] ?? config.publicUrl;
    if (!publicUrl || !/^https?:\/\//.test(publicUrl)) {
      return failure(
        {
          code: 'no_public_url',
          what: 'no public URL to register',
          why: 'ConnectWise loads pods from Ledgerpod’s public address, and none is configured',
          fix: 'set PUBLIC_URL (e.g. https://ledgerpod.example.com) or pass --public-url',
        },
        1,
      );
    }
    const result = await manifestInstall(
      { db: database.db, box: createSecretBox(config.secretKeys) },
      { tenantId: parsed.values.tenant, publicUrl },
    );
    for (const line of formatManifestInstall(result)) (result.ok ? output.out : output.err)(line);
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
