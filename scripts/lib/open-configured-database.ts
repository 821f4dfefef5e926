import { type DatabaseHandle, openDatabase } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { type Config, loadConfig } from '../../server/shared/config.js';
import type { Output } from './cli.js';

/**
 * Loads the configuration the server would load and opens (and migrates) its database. Bad
 * configuration prints the same `config error:` lines the server prints and returns undefined.
 */
export async function openConfiguredDatabase(
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<{ config: Config; database: DatabaseHandle } | undefined> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    for (const line of loaded.errors) output.err(`config error: ${line}`);
    return undefined;
  }
  const { config } = loaded;
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
  });
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return { config, database };
}
