import type pg from 'pg';

/**
 * SQL texts that run as named prepared statements. PostgreSQL parses and plans an unnamed
 * statement anew on every execution: for the status read (one record, its payments and events as
 * JSON) planning costs the server ~5x what executing does. A named statement is parsed once per
 * connection and its plan kept. Kysely hands the driver only text and parameters, so the pool's
 * clients look the text up here.
 */
const names = new Map<string, string>();

/** Registers `sqlText` (exactly as compiled) under `name`; the name must be unique per text. */
export function prepareStatement(sqlText: string, name: string): void {
  const known = [...names].find(([text, n]) => n === name && text !== sqlText);
  if (known) throw new Error(`prepared statement name ${name} is already used by another query`);
  names.set(sqlText, name);
}

/**
 * Makes the pool's clients run registered texts as named statements. Only for a real PostgreSQL
 * server: the embedded database serves every pool connection from one session, where a second
 * connection preparing the same name would fail.
 */
export function useNamedStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const name = typeof text === 'string' && args.length === 2 ? names.get(text) : undefined;
      return name ? query({ name, text, values }) : query(...args);
    }) as typeof client.query;
  });
}
