import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { SecretBox } from './secret-box.js';

/**
 * Every column holding a value sealed with the SecretBox, with its table's key. A test checks that
 * every `*_enc` column of the schema is listed here, so a new one cannot be left out of a rotation.
 */
export const sealedColumns = [
  { table: 'tenants', column: 'cw_keys_enc', what: "tenants' ConnectWise API keys" },
  { table: 'ledger_connections', column: 'tokens_enc', what: 'ledger OAuth tokens' },
] as const;

export interface ColumnReport {
  table: string;
  column: string;
  what: string;
  /** Rows looked at. */
  checked: number;
  /** Rows re-sealed with the current key by this run. */
  rotated: number;
  /** Rows that could not be opened with any configured key (their ids), left untouched. */
  unreadable: string[];
}

/**
 * Re-seals every stored secret that is not sealed with the current key (the first of SECRET_KEY,
 * SECRET_KEYS_OLD). Idempotent: a row already on the current key is left alone, so a second run
 * changes nothing. Resumable: rows are taken in id order, a batch at a time, each row updated on its
 * own; a run stopped midway leaves every row readable (old or new key) and the next run does the rest.
 * Each update is compare-and-set on the sealed value, so a token refresh that rewrote the row
 * meanwhile (already with the current key) is never overwritten with older tokens.
 */
export async function rotateSecrets(
  db: Db,
  box: SecretBox,
  options: { batchSize?: number } = {},
): Promise<ColumnReport[]> {
  const batchSize = options.batchSize ?? 200;
  const reports: ColumnReport[] = [];
  for (const { table, column, what } of sealedColumns) {
    const report: ColumnReport = { table, column, what, checked: 0, rotated: 0, unreadable: [] };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await sql<{ id: string; sealed: string }>`
        select id::text as id, ${sql.ref(column)} as sealed from ${sql.table(table)}
        where id > ${after}::uuid order by id limit ${batchSize}`.execute(db);
      if (rows.rows.length === 0) break;
      for (const row of rows.rows) {
        report.checked += 1;
        if (box.sealedWithCurrentKey(row.sealed)) continue;
        let plaintext: string;
        try {
          plaintext = box.open(row.sealed);
        } catch {
          report.unreadable.push(row.id);
          continue;
        }
        const updated = await sql`
          update ${sql.table(table)} set ${sql.ref(column)} = ${box.seal(plaintext)}
          where id = ${row.id}::uuid and ${sql.ref(column)} = ${row.sealed}`.execute(db);
        if (Number(updated.numAffectedRows ?? 0) > 0) report.rotated += 1;
      }
      after = rows.rows[rows.rows.length - 1]!.id;
    }
    reports.push(report);
  }
  return reports;
}
