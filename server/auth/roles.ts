import type { TenantSettings } from '../tenants/tenant-store.js';

export type Role = 'viewer' | 'accountant' | 'admin';

const rank: Record<Role, number> = { viewer: 0, accountant: 1, admin: 2 };

export const roleAtLeast = (role: Role, needed: Role): boolean => rank[role] >= rank[needed];

/** The lesser of two roles. */
export const lesserRole = (a: Role, b: Role): Role => (rank[a] <= rank[b] ? a : b);

/**
 * What a ConnectWise security role gets while the tenant's role map does not name it: only these
 * exact names (any case), never a name that merely contains one. "Admin" is the security role
 * ConnectWise ships for administrators (vendors' setup guides, e.g. N-able's, tell admins to use
 * "the Admin security role" or make their own). "Finance" and "Technician" are our guess at the other
 * shipped names, unverified: wrong, they give nothing, and an admin maps the tenant's real names.
 */
export const defaultRoleMap: Readonly<Record<string, Role>> = {
  Admin: 'admin',
  Finance: 'accountant',
  Technician: 'viewer',
};

// Case-insensitive, as the admin tab's role rows match (pod-ui role-rows.ts).
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Maps a ConnectWise security role name to a Ledgerpod role by exact name: the tenant's own map
 * first, then `defaultRoleMap`. `undefined` means no access: the tenant shut this CW role out, or
 * nobody mapped it (least privilege: "Account Manager" is no accountant, "Non-Admin Technician" no
 * admin).
 */
export function roleForSecurityRole(
  securityRole: string,
  settings: Pick<TenantSettings, 'roleMap'>,
): Role | undefined {
  const mapped = Object.entries(settings.roleMap).find(([name]) => sameName(name, securityRole))?.[1];
  if (mapped) return mapped === 'none' ? undefined : mapped;
  return Object.entries(defaultRoleMap).find(([name]) => sameName(name, securityRole))?.[1];
}

/** The CW security role names that give admin in this tenant: whom a member without access asks. */
export function adminSecurityRoles(settings: Pick<TenantSettings, 'roleMap'>): string[] {
  const names = new Map<string, string>();
  for (const [name, role] of [...Object.entries(defaultRoleMap), ...Object.entries(settings.roleMap)])
    names.set(name.toLowerCase(), name);
  return [...names.values()].filter((name) => roleForSecurityRole(name, settings) === 'admin').sort();
}
