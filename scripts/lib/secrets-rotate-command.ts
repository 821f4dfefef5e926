import { type ColumnReport, rotateSecrets } from '../../server/crypto/rotate-secrets.js';
import { createSecretBox } from '../../server/crypto/secret-box.js';
import { formatFailure, type Output, parseFlags } from './cli.js';
import { openConfiguredDatabase } from './open-configured-database.js';

export const secretsRotateUsage = 'npm run secrets:rotate [-- --batch-size 200]';

/** The report a person reads: per kind of secret, what was re-sealed and what could not be read. */
export function formatRotation(reports: ColumnReport[]): { lines: string[]; ok: boolean } {
  const lines = reports.map(
    (r) =>
      `${r.what} (${r.table}.${r.column}): ${r.checked} checked, ${r.rotated} re-sealed with the current key`,
  );
  const unreadable = reports.filter((r) => r.unreadable.length > 0);
  if (unreadable.length === 0) {
    lines.push('Every stored secret is sealed with the current SECRET_KEY: SECRET_KEYS_OLD can be removed.');
    return { lines, ok: true };
  }
  for (const r of unreadable)
    lines.push(
      ...formatFailure({
        code: 'secret_unreadable',
        what: `${r.unreadable.length} row(s) of ${r.table} cannot be opened with any configured key: ${r.unreadable.join(', ')}`,
        why: 'they were sealed with a key that is neither SECRET_KEY nor in SECRET_KEYS_OLD',
        fix: 'add the key they were sealed with to SECRET_KEYS_OLD and run the command again; keep SECRET_KEYS_OLD until it reports none',
      }),
    );
  return { lines, ok: false };
}

/** `npm run secrets:rotate`: returns the exit code. Safe to run again, and while Ledgerpod runs. */
export async function runSecretsRotate(
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<number> {
  const parsed = parseFlags(argv, { 'batch-size': { type: 'string' } } as const, secretsRotateUsage);
  if (!parsed.ok) {
    for (const line of formatFailure(parsed.error)) output.err(line);
    return 2;
  }
  const batchSize = Number(parsed.values['batch-size'] ?? 200);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    for (const line of formatFailure({
      code: 'bad_arguments',
      what: `--batch-size ${parsed.values['batch-size']} is not a whole number of rows`,
      why: 'rows are re-sealed a batch at a time',
      fix: `usage: ${secretsRotateUsage}`,
    }))
      output.err(line);
    return 2;
  }
  const opened = await openConfiguredDatabase(env, output);
  if (!opened) return 1;
  const { config, database } = opened;
  try {
    const reports = await rotateSecrets(database.db, createSecretBox(config.secretKeys), { batchSize });
    const { lines, ok } = formatRotation(reports);
    for (const line of lines) (ok ? output.out : output.err)(line);
    return ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
