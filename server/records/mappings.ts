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

/** A connection's mappings as the admin editor lists them (kind, then CW key). */
export function listMappingRows(db: Db, tenantId: string, connectionId: string) {
  return db
    .selectFrom('mappings')
    .select(['kind', 'cw_key', 'ledger_key', 'ledger_name'])
    .where('tenant_id', '=', tenantId)
    .where('connection_id', '=', connectionId)
    .orderBy('kind')
    .orderBy('cw_key')
    .execute();
}

/** Maps one CW key to one ledger key (replacing its mapping, if any) and answers the row stored. */
export function saveMapping(
  db: Db,
  mapping: {
    tenantId: string;
    connectionId: string;
    kind: MappingKind;
    cwKey: string;
    ledgerKey: string;
    ledgerName: string;
  },
) {
  return db
    .insertInto('mappings')
    .values({
      tenant_id: mapping.tenantId,
      connection_id: mapping.connectionId,
      kind: mapping.kind,
      cw_key: mapping.cwKey,
      ledger_key: mapping.ledgerKey,
      ledger_name: mapping.ledgerName,
    })
    .onConflict((oc) =>
      oc.columns(['connection_id', 'kind', 'cw_key']).doUpdateSet({
        ledger_key: mapping.ledgerKey,
        ledger_name: mapping.ledgerName,
        updated_at: new Date(),
      }),
    )
    .returning(['kind', 'cw_key', 'ledger_key', 'ledger_name'])
    .executeTakeFirstOrThrow();
}
