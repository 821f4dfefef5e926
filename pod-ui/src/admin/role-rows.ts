import type { SecurityRole, Settings } from '../api/admin-types.js';

export type RoleChoice = Settings['roleMap'][string];

export interface RoleRow {
  /** The CW security role name, as the role map keys it. */
  name: string;
  /** The map's entry, or undefined when the role falls back to its default. */
  mapped: RoleChoice | undefined;
  /** What the role gets unmapped; undefined for a mapped name ConnectWise no longer lists. */
  defaultRole: RoleChoice | undefined;
  inConnectWise: boolean;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * One row per ConnectWise security role, plus any name the map still holds that ConnectWise no
 * longer lists (so it can be removed). The map matches names case-insensitively, as roles.ts does.
 */
export function roleRows(roleMap: Settings['roleMap'], cwRoles: SecurityRole[] | undefined): RoleRow[] {
  const entries = Object.entries(roleMap);
  const rows: RoleRow[] = (cwRoles ?? []).map((role) => {
    const entry = entries.find(([name]) => same(name, role.name));
    return {
      name: entry?.[0] ?? role.name,
      mapped: entry?.[1],
      defaultRole: role.defaultRole,
      inConnectWise: true,
    };
  });
  for (const [name, mapped] of entries) {
    if (!rows.some((r) => same(r.name, name)))
      rows.push({ name, mapped, defaultRole: undefined, inConnectWise: false });
  }
  return rows;
}

/** The role map after choosing `choice` for `name`; `default` removes the entry. */
export function withChoice(
  roleMap: Settings['roleMap'],
  name: string,
  choice: RoleChoice | 'default',
): Settings['roleMap'] {
  const next = Object.fromEntries(Object.entries(roleMap).filter(([key]) => !same(key, name)));
  return choice === 'default' ? next : { ...next, [name]: choice };
}
