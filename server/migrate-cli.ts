import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { loadConfig } from './shared/config.js';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const line of loaded.errors) process.stderr.write(`config error: ${line}\n`);
  process.exit(1);
}
const database = await openDatabase({
  databaseUrl: loaded.config.databaseUrl,
  dataDir: loaded.config.dataDir,
});
try {
  const result = await migrateToLatest(database.db);
  const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
} finally {
  await database.close();
}
