import type { Db } from '../db/database.js';

export type MappingKind = 'gl_account' | 'tax_code' | 'class' | 'item' | 'terms';

/** CW key -> ledger key lookups for one ledger connection, loaded once per record push. */
export interface Mappings {
  get(kind: MappingKind, cwKey: string): string | undefined;
}

/** The GL account mapping key under which the rounding-adjustment account is kept. */
export const roundingAccountKey = '__rounding__';

export function mappingsFrom(rows: { kind: MappingKind; cw_key: string; ledger_key: string }[]): Mappings {
  const table = new Map(rows.map((r) => [`${r.kind}\u0000${r.cw_key.toLowerCase()}`, r.ledger_key]));
  return { get: (kind, cwKey) => table.get(`${kind}\u0000${cwKey.toLowerCase()}`) };
}

export async function loadMappings(db: Db, connectionId: string): Promise<Mappings> {
  const rows = await db
    .selectFrom('mappings')
    .select(['kind', 'cw_key', 'ledger_key'])
    .where('connection_id', '=', connectionId)
    .execute();
  return mappingsFrom(rows);
}
