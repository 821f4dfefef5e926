import { sql } from 'kysely';
import type { z } from 'zod';
import { type ConnectWiseConfig, ConnectWiseError, createConnectWiseClient } from '../connectwise/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { cwOriginOf } from './frame-origins.js';
import { newTenantSchema, TenantStore } from './tenant-store.js';

/** An expected failure: what went wrong, why, and how to fix it (for the CLI and the operator API). */
export interface TenantFailure {
  code: string;
  what: string;
  why: string;
  fix: string;
}

export interface AddTenantInput {
  name: string;
  site: string;
  company: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  apiUrl?: string;
  /** Call ConnectWise with the keys before storing anything. */
  check?: boolean;
}

export interface AddTenantDeps {
  db: Db;
  box: SecretBox;
  /** Where ConnectWise reaches this Ledgerpod (PUBLIC_URL). */
  publicUrl: string;
  /** Options for the check's ConnectWise client (tests shorten retries). */
  connectWise?: Partial<ConnectWiseConfig>;
}

export interface AddedTenant {
  tenant: { id: string; name: string; site: string; companyId: string };
  /** What ConnectWise said about itself during --check. */
  checked?: { companyName: string; codebase: string };
  configure: { podUrl: string; callbackUrl: string; frameOrigin: string; manifestCommand: string };
}

export type AddTenantResult = { ok: true; added: AddedTenant } | { ok: false; error: TenantFailure };

/** Registers a ConnectWise tenant: validates, refuses duplicates, optionally checks the keys, stores them sealed. */
export async function addTenant(deps: AddTenantDeps, input: AddTenantInput): Promise<AddTenantResult> {
  const parsed = newTenantSchema.safeParse({
    name: input.name,
    site: input.site,
    companyId: input.company,
    publicKey: input.publicKey,
    privateKey: input.privateKey,
    clientId: input.clientId,
    apiUrl: input.apiUrl,
  });
  if (!parsed.success) return { ok: false, error: invalidInput(parsed.error) };
  const t = parsed.data;

  const existing = await findTenant(deps.db, t.site, t.companyId);
  if (existing) return { ok: false, error: duplicate(t.site, t.companyId, existing.id) };

  let checked: AddedTenant['checked'];
  if (input.check) {
    const result = await checkKeys(deps, input, t);
    if (!result.ok) return result;
    checked = result.checked;
  }

  let tenant: Awaited<ReturnType<TenantStore['create']>>;
  try {
    tenant = await new TenantStore(deps.db, deps.box).create(t);
  } catch (error) {
    // A concurrent add of the same site+company lost the race against the unique constraint.
    if ((error as { code?: string }).code === '23505') {
      const other = await findTenant(deps.db, t.site, t.companyId);
      return { ok: false, error: duplicate(t.site, t.companyId, other?.id ?? 'unknown') };
    }
    throw error;
  }
  const base = deps.publicUrl.replace(/\/+$/, '');
  return {
    ok: true,
    added: {
      tenant: { id: tenant.id, name: tenant.name, site: tenant.cw_site, companyId: tenant.cw_company_id },
      ...(checked ? { checked } : {}),
      configure: {
        podUrl: `${base}/pod/`,
        callbackUrl: `${base}/webhooks/connectwise/${tenant.id}`,
        frameOrigin: cwOriginOf(tenant),
        manifestCommand: `npm run manifest:install -- --tenant ${tenant.id}`,
      },
    },
  };
}

function findTenant(db: Db, site: string, companyId: string) {
  return db
    .selectFrom('tenants')
    .select(['id'])
    .where('cw_site', '=', site)
    .where(sql<string>`lower(cw_company_id)`, '=', companyId.toLowerCase())
    .executeTakeFirst();
}

async function checkKeys(
  deps: AddTenantDeps,
  input: AddTenantInput,
  t: z.infer<typeof newTenantSchema>,
): Promise<{ ok: true; checked: NonNullable<AddedTenant['checked']> } | { ok: false; error: TenantFailure }> {
  const cw = createConnectWiseClient({
    site: t.site,
    companyId: t.companyId,
    publicKey: t.publicKey,
    privateKey: t.privateKey,
    clientId: t.clientId,
    ...(t.apiUrl ? { apiOrigin: new URL(t.apiUrl).origin } : {}),
    timeoutMs: 15_000,
    ...deps.connectWise,
  });
  const where = t.apiUrl ? new URL(t.apiUrl).origin : cw.apiOrigin;
  try {
    const info = await cw.companyInfo();
    // companyInfo is anonymous; this call is the first one that proves the keys and the clientId.
    await cw.countUnposted('invoices');
    return { ok: true, checked: { companyName: info.CompanyName, codebase: info.Codebase } };
  } catch (error) {
    if (!(error instanceof ConnectWiseError)) throw error;
    return { ok: false, error: checkFailure(error, input, where) };
  }
}

function checkFailure(error: ConnectWiseError, input: AddTenantInput, where: string): TenantFailure {
  const base = { code: 'check_failed', what: `ConnectWise at ${where} refused the check (${error.code})` };
  switch (error.code) {
    case 'cw_unknown_company':
      return {
        ...base,
        why: `ConnectWise knows no company "${input.company}" at this site`,
        fix: 'pass --company with the company id members type at the ConnectWise sign-in screen',
      };
    case 'cw_unauthorized':
      return {
        ...base,
        why: 'the API member keys were not accepted',
        fix: 'create keys under System > Members > API Members > API Keys and pass --public-key and --private-key',
      };
    case 'cw_forbidden':
      return {
        ...base,
        why: "the API member's security role may not read the Accounting Interface",
        fix: 'give the API member a role with Finance > Accounting Interface access, then run again',
      };
    case 'cw_invalid_request':
      return {
        ...base,
        why: `ConnectWise refused the request: ${error.message}`,
        fix: 'check --client-id: it is the clientId GUID from developer.connectwise.com',
      };
    case 'cw_network':
    case 'cw_timeout':
      return {
        ...base,
        why: `ConnectWise could not be reached: ${error.message}`,
        fix: 'check --site (and --api-url for on-premise instances) and this machine’s network',
      };
    default:
      return {
        ...base,
        why: error.message,
        fix: 'run again later, or add the tenant without --check and verify from the admin tab',
      };
  }
}

const flagOf: Record<string, string> = {
  name: '--name',
  site: '--site',
  companyId: '--company',
  publicKey: '--public-key',
  privateKey: '--private-key',
  clientId: '--client-id',
  apiUrl: '--api-url',
};

function invalidInput(error: z.ZodError): TenantFailure {
  const problems = error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    return `${flagOf[field] ?? field}: ${issue.message}`;
  });
  return {
    code: 'invalid_input',
    what: 'the tenant details are not valid',
    why: problems.join('; '),
    fix: 'correct the flags named above and run again',
  };
}

function duplicate(site: string, companyId: string, id: string): TenantFailure {
  return {
    code: 'duplicate_tenant',
    what: `a tenant for ${companyId} at ${site} already exists (${id})`,
    why: 'one ConnectWise company at one site maps to exactly one Ledgerpod tenant',
    fix: `use tenant ${id} (e.g. npm run manifest:install -- --tenant ${id}), or pass a different --site/--company`,
  };
}
