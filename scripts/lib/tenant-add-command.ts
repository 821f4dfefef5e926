import { createSecretBox } from '../../server/crypto/secret-box.js';
import { type AddTenantInput, type AddTenantResult, addTenant } from '../../server/tenants/add-tenant.js';
import { type CliFailure, formatFailure, type Output, parseFlags } from './cli.js';
import { openConfiguredDatabase } from './open-configured-database.js';

export const tenantAddUsage =
  'npm run tenant:add -- --name "Acme MSP" --site na.myconnectwise.net --company acme ' +
  '--public-key KEY --private-key KEY --client-id GUID [--api-url https://...] [--public-url https://...] [--check]';

const flags = {
  name: { type: 'string' },
  site: { type: 'string' },
  company: { type: 'string' },
  'public-key': { type: 'string' },
  'private-key': { type: 'string' },
  'client-id': { type: 'string' },
  'api-url': { type: 'string' },
  'public-url': { type: 'string' },
  check: { type: 'boolean' },
} as const;

const required = ['name', 'site', 'company', 'public-key', 'private-key', 'client-id'] as const;

const hints: Record<(typeof required)[number], string> = {
  name: 'a display name, e.g. "Acme MSP"',
  site: 'the ConnectWise site members sign in to, e.g. na.myconnectwise.net',
  company: 'the company id typed at the ConnectWise sign-in screen',
  'public-key': "the API member's public key",
  'private-key': "the API member's private key (or set CW_PRIVATE_KEY to keep it out of shell history)",
  'client-id': 'the clientId GUID from developer.connectwise.com',
};

/** Reads the command line; the private key may come from CW_PRIVATE_KEY instead of a flag. */
export function parseTenantAddArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { ok: true; input: AddTenantInput; publicUrl?: string } | { ok: false; error: CliFailure } {
  const parsed = parseFlags(argv, flags, tenantAddUsage);
  if (!parsed.ok) return parsed;
  const v = { ...parsed.values };
  if (!v['private-key'] && env.CW_PRIVATE_KEY) v['private-key'] = env.CW_PRIVATE_KEY;
  const missing = required.filter((name) => !v[name]?.trim());
  if (missing.length > 0) {
    return {
      ok: false,
      error: {
        code: 'missing_flags',
        what: `missing ${missing.map((m) => `--${m}`).join(', ')}`,
        why: `a tenant needs ${missing.map((m) => `--${m} (${hints[m]})`).join('; ')}`,
        fix: `usage: ${tenantAddUsage}`,
      },
    };
  }
  return {
    ok: true,
    input: {
      name: v.name!,
      site: v.site!,
      company: v.company!,
      publicKey: v['public-key']!,
      privateKey: v['private-key']!,
      clientId: v['client-id']!,
      ...(v['api-url'] ? { apiUrl: v['api-url'] } : {}),
      check: v.check ?? false,
    },
    ...(v['public-url'] ? { publicUrl: v['public-url'] } : {}),
  };
}

/** The report a person reads after adding a tenant. Never includes a key. */
export function formatTenantAdd(result: AddTenantResult): string[] {
  if (!result.ok) return formatFailure(result.error);
  const { tenant, checked, configure } = result.added;
  return [
    `Tenant added: ${tenant.name}`,
    `  tenant id:      ${tenant.id}`,
    `  ConnectWise:    ${tenant.companyId} at ${tenant.site}`,
    ...(checked
      ? [`  keys checked:   ok (${checked.companyName}, codebase ${checked.codebase})`]
      : ['  keys checked:   no (pass --check to call ConnectWise with the keys)']),
    '',
    'Configure:',
    `  pod URL:        ${configure.podUrl}`,
    `  callback URL:   ${configure.callbackUrl}`,
    `  framed by:      ${configure.frameOrigin}`,
    '',
    'Next: register the pods and tabs in ConnectWise with',
    `  ${configure.manifestCommand}`,
  ];
}

/** `npm run tenant:add`: returns the exit code. */
export async function runTenantAdd(argv: string[], env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  const args = parseTenantAddArgs(argv, env);
  if (!args.ok) {
    for (const line of formatFailure(args.error)) output.err(line);
    return 2;
  }
  const opened = await openConfiguredDatabase(env, output);
  if (!opened) return 1;
  const { config, database } = opened;
  try {
    const result = await addTenant(
      {
        db: database.db,
        box: createSecretBox(config.secretKeys),
        publicUrl: args.publicUrl ?? config.publicUrl ?? `http://localhost:${config.port}`,
      },
      args.input,
    );
    const lines = formatTenantAdd(result);
    for (const line of lines) (result.ok ? output.out : output.err)(line);
    if (result.ok && !args.publicUrl && !config.publicUrl) {
      output.err('note: PUBLIC_URL is not set, so these URLs use localhost; ConnectWise must reach a public');
      output.err('      https URL: set PUBLIC_URL (or pass --public-url) before registering pods.');
    }
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
