import { z } from 'zod';
import type { Tenant } from '../db/schema.js';
import { AppError } from '../shared/errors.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { adminSecurityRoles, type Role, roleForSecurityRole } from './roles.js';
import type { SignInSources } from './sign-in-sources.js';
import { tooManyUnproven, type UnauthenticatedBudget } from './unauthenticated-budget.js';

/** What ConnectWise hands a pod for `getMemberAuthentication` (extra fields are ignored). */
export const memberAuthenticationSchema = z.object({
  companyid: z.string().min(1).max(100),
  memberid: z.string().min(1).max(100),
  memberHash: z.string().min(1).max(4096),
  memberContext: z.string().max(4096).default(''),
  memberEmail: z.string().max(320).optional(),
  site: z.string().min(1).max(255),
  codeBase: z.string().max(100).optional(),
});
export type MemberAuthentication = z.output<typeof memberAuthenticationSchema>;

export interface VerifiedMember {
  identifier: string;
  name: string;
  email: string;
  securityRole: string;
}

/**
 * The slice of ConnectWise that sign-in needs: the member-cookie check (proves the browser's data
 * came from ConnectWise) and the member's security role, read with the tenant's own API keys.
 */
export interface MemberDirectory {
  /** null when ConnectWise does not accept the member cookie. */
  verifyMemberCookie(auth: MemberAuthentication): Promise<{ identifier: string } | null>;
  memberWithRole(identifier: string): Promise<VerifiedMember | null>;
}

export type MemberDirectoryFor = (tenant: Tenant) => MemberDirectory;

const normaliseSite = (site: string) =>
  site
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '');

/**
 * Finds the tenant, verifies the member with ConnectWise, and maps the security role.
 * Never trusts companyid, memberid or site from the browser without the ConnectWise call.
 */
export async function signInMember(
  auth: MemberAuthentication,
  tenants: TenantStore,
  directoryFor: MemberDirectoryFor,
  unproven?: { budget: UnauthenticatedBudget; source: string; sources: SignInSources },
): Promise<{ tenant: Tenant; member: VerifiedMember; role: Role }> {
  const candidates = await tenants.byCompanyId(auth.companyid);
  if (candidates.length === 0) {
    throw new AppError(
      401,
      'unknown_tenant',
      `ConnectWise company "${auth.companyid}" is not set up in Ledgerpod`,
      {
        hint: 'An administrator must add this ConnectWise company to Ledgerpod before its members can sign in.',
      },
    );
  }
  const tenant = candidates.find((t) => t.cw_site === normaliseSite(auth.site));
  if (!tenant) {
    throw new AppError(
      401,
      'site_mismatch',
      'This ConnectWise site is not the one configured for the company',
      {
        hint: 'Open Ledgerpod from your company’s own ConnectWise site, or ask an administrator to correct the site.',
      },
    );
  }
  const directory = directoryFor(tenant);
  // The cookie check goes first and alone: until ConnectWise confirms the member, the request is
  // anyone's, and may cost the tenant's CW budget one call, within the unproven budget (none when
  // it is spent). The member look-up runs only for a member CW confirmed. From a network where a
  // member signed in for real before, only that network's allowance is spent, not the tenant-wide
  // one forged sign-ins from many addresses can use up (sign-in-sources.ts).
  const spend = unproven
    ? await unproven.budget.spend('sign-in', tenant.id, unproven.source, {
        knownSource: () => unproven.sources.isKnown(tenant.id, unproven.source),
      })
    : undefined;
  if (spend && !spend.ok) throw tooManyUnproven('sign-ins', spend.retryAfterSeconds, spend.scope);
  let verified: { identifier: string } | null;
  try {
    verified = await directory.verifyMemberCookie(auth);
  } catch (error) {
    // ConnectWise failed, not the sender: the attempt does not count against them.
    await spend?.giveBack();
    throw error;
  }
  if (!verified || verified.identifier.toLowerCase() !== auth.memberid.toLowerCase()) {
    throw memberNotVerified();
  }
  await spend?.giveBack();
  // ConnectWise's own spelling of the identifier, which the look-up matches exactly.
  const member = await directory.memberWithRole(verified.identifier);
  if (!member || member.identifier.toLowerCase() !== verified.identifier.toLowerCase()) {
    throw memberNotVerified();
  }
  const settings = tenants.settingsOf(tenant);
  const role = roleForSecurityRole(member.securityRole, settings);
  if (!role) throw noAccess(member.securityRole, adminSecurityRoles(settings));
  await unproven?.sources.remember(tenant.id, member.identifier, unproven.source);
  return { tenant, member, role };
}

const memberNotVerified = () =>
  new AppError(401, 'member_not_verified', 'ConnectWise did not confirm this member', {
    hint: 'Reload the ConnectWise screen; if it persists, sign out of ConnectWise and back in.',
  });

/** A member whose security role maps to nothing: what they lack, and whom to ask for it. */
export function noAccess(securityRole: string, adminRoles: string[]): AppError {
  const who = adminRoles.length
    ? `a Ledgerpod admin (a member with the ConnectWise security role ${adminRoles.map((r) => `"${r}"`).join(' or ')})`
    : 'the person who set up Ledgerpod for your company';
  return new AppError(
    403,
    'forbidden_role',
    `Your ConnectWise security role "${securityRole || '(none)'}" has no access to Ledgerpod`,
    {
      hint: `Ask ${who} to map "${securityRole || '(none)'}" to viewer, accountant or admin under Ledgerpod › Admin › Settings › Roles, then reload this screen.`,
      details: { securityRole, adminSecurityRoles: adminRoles },
    },
  );
}
