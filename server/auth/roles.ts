import type { TenantSettings } from '../tenants/tenant-store.js';

export type Role = 'viewer' | 'accountant' | 'admin';

const rank: Record<Role, number> = { viewer: 0, accountant: 1, admin: 2 };

export const roleAtLeast = (role: Role, needed: Role): boolean => rank[role] >= rank[needed];

/**
 * Maps a ConnectWise security role name to a Ledgerpod role: the tenant's own map first, then
 * defaults (a role named like Admin -> admin, Finance/Accounting -> accountant, others viewer).
 * `undefined` means the tenant shut this CW role out.
 */
export function roleForSecurityRole(
  securityRole: string,
  settings: Pick<TenantSettings, 'roleMap'>,
): Role | undefined {
  const mapped = Object.entries(settings.roleMap).find(
    ([name]) => name.toLowerCase() === securityRole.toLowerCase(),
  )?.[1];
  if (mapped) return mapped === 'none' ? undefined : mapped;
  if (/admin/i.test(securityRole)) return 'admin';
  if (/financ|account/i.test(securityRole)) return 'accountant';
  return 'viewer';
}
