import pg from 'pg';

/**
 * A real PostgreSQL server for tests that need what the embedded database cannot show (two sessions
 * waiting on each other's locks, a server going away): DATABASE_URL when set, else the machine's
 * local server if one answers. Undefined when there is none, so the test can skip saying why.
 */
export async function realPostgresUrl(): Promise<string | undefined> {
  const candidates = [process.env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/postgres'].filter(
    (url): url is string => Boolean(url),
  );
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return url;
    } catch {
      // Try the next one.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return undefined;
}

export const noRealPostgres =
  'skipped: needs a real PostgreSQL server (set DATABASE_URL, or run one on 127.0.0.1:5432); the embedded database runs a single session';
