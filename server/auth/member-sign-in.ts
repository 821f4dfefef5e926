import { z } from 'zod';
import type { Tenant } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { type Role, roleForSecurityRole } from './roles.js';

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
  // Both ConnectWise calls at once: the role read takes the member id the browser claims, and its
  // answer is used only once the cookie check confirms that very member (else it is dropped). Two
  // calls in series were most of the pod's sign-in time.
  const roleRead = directory.memberWithRole(auth.memberid);
  roleRead.catch(() => undefined);
  const verified = await directory.verifyMemberCookie(auth);
  if (!verified || verified.identifier.toLowerCase() !== auth.memberid.toLowerCase()) {
    throw memberNotVerified();
  }
  // ConnectWise's own spelling of the identifier, should the claimed one differ in case and miss.
  const member =
    (await roleRead) ??
    (verified.identifier !== auth.memberid ? await directory.memberWithRole(verified.identifier) : null);
  if (!member || member.identifier.toLowerCase() !== verified.identifier.toLowerCase()) {
    throw memberNotVerified();
  }
  const role = roleForSecurityRole(member.securityRole, tenants.settingsOf(tenant));
  if (!role) {
    throw new AppError(
      403,
      'forbidden_role',
      `The ConnectWise security role "${member.securityRole}" has no access to Ledgerpod`,
      {
        hint: 'Ask a Ledgerpod admin to map this security role to viewer, accountant or admin.',
      },
    );
  }
  return { tenant, member, role };
}

const memberNotVerified = () =>
  new AppError(401, 'member_not_verified', 'ConnectWise did not confirm this member', {
    hint: 'Reload the ConnectWise screen; if it persists, sign out of ConnectWise and back in.',
  });
