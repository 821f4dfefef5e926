import { sql } from 'kysely';
import type { CloseConnection } from '../../contract/close.js';
import type { Db } from '../db/database.js';
import type { LedgerConnection } from '../db/schema.js';
import { booksLockSourceOf, lockConfirmMs } from '../ledgers/books-lock.js';
import type { LedgerFactory } from '../ledgers/ledger.js';

/**
 * Each ledger connection as the month-end close sees it: how far its payments are written to
 * ConnectWise, and whether the books lock a period (books-lock.ts), so the close view shows both
 * per connection. The shape is the API's (contract/close.ts CloseConnection).
 */
export type ConnectionClose = CloseConnection;

const dayBefore = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * The last day through which every payment the books held when last checked is written to CW: the
 * day before the check's (a payment entered later that day may be dated that day), and before the
 * first payment still pending or failed. Null when the payments were never checked. Pure.
 */
export function paymentsThroughOf(checkedAt: Date | null, firstUnwritten: string | null): string | null {
  if (!checkedAt) return null;
  const checked = dayBefore(checkedAt.toISOString().slice(0, 10));
  if (!firstUnwritten) return checked;
  const before = dayBefore(firstUnwritten);
  return before < checked ? before : checked;
}

/** A lock read that failed or could not be made, in one sentence for the view. */
const unknownLock = (message: string) => ({ state: 'unknown' as const, message });

async function lockOf(
  ledgers: LedgerFactory,
  connection: LedgerConnection,
): Promise<ConnectionClose['lock']> {
  if (connection.status !== 'active')
    return unknownLock(
      `The lock of ${connection.name} cannot be read while the connection is ${connection.status.replace('_', ' ')}; reconnect it in the admin tab.`,
    );
  const source = booksLockSourceOf(ledgers.for(connection));
  if (!source) return unknownLock(`${connection.name} does not show a lock date.`);
  try {
    // A read at most a minute old (a push trusts one for an hour): an accountant who just locked or
    // reopened the period sees it here the next minute. One settings read a minute while viewed.
    const lock = await source.booksLock(lockConfirmMs);
    return lock ? { state: 'locked', through: lock.through, what: lock.what } : { state: 'open' };
  } catch (error) {
    return unknownLock(
      `The lock of ${connection.name} could not be read (${error instanceof Error ? error.message : String(error)}); open the close view again later.`,
    );
  }
}

/** What reading a tenant's close needs: its database, its connections and their ledgers. */
export interface CloseDeps {
  db: Db;
  ledgers: LedgerFactory;
  connections: { list(tenantId: string): Promise<LedgerConnection[]> };
}

export async function readConnectionsClose(
  deps: CloseDeps,
  tenantId: string,
  period: { from: string; to: string },
): Promise<ConnectionClose[]> {
  const connections = (await deps.connections.list(tenantId)).filter((c) => c.status !== 'disconnected');
  if (connections.length === 0) return [];
  const unwritten = await deps.db
    .selectFrom('payments')
    .select(['connection_id', sql<string>`to_char(min(paid_on), 'YYYY-MM-DD')`.as('first')])
    .where('tenant_id', '=', tenantId)
    .where('state', 'in', ['pending', 'error'])
    .groupBy('connection_id')
    .execute();
  const booking = await deps.db
    .selectFrom('records')
    .select('connection_id')
    .distinct()
    .where('tenant_id', '=', tenantId)
    .where('connection_id', 'is not', null)
    .where('record_date', '>=', sql<Date>`${period.from}::date`)
    .where('record_date', '<=', sql<Date>`${period.to}::date`)
    .execute();
  const firstOf = new Map(unwritten.map((u) => [u.connection_id, u.first]));
  const booked = new Set(booking.map((b) => b.connection_id));
  return Promise.all(
    connections.map(async (c) => {
      const checkedAt = c.payments_checked_at ? new Date(c.payments_checked_at) : null;
      const first = firstOf.get(c.id) ?? null;
      return {
        id: c.id,
        kind: c.kind,
        name: c.name,
        status: c.status,
        booksPeriod: booked.has(c.id),
        paymentsCheckedAt: checkedAt?.toISOString() ?? null,
        firstUnwrittenPayment: first,
        paymentsThrough: paymentsThroughOf(checkedAt, first),
        lock: await lockOf(deps.ledgers, c),
      };
    }),
  );
}
