import { ConnectWiseError } from './errors.js';
import type { BillingStatus } from './schemas.js';

/**
 * How long a tenant's billing status table is trusted. Statuses are setup (an admin edits them on
 * CW's Billing Status screen), so reading them once per tenant per 10 minutes costs next to nothing
 * of the CW budget; a status added meanwhile is caught by the re-read for an unknown id.
 */
export const billingStatusTtlMs = 10 * 60_000;

interface Table {
  readAt: number;
  byId: Map<number, BillingStatus>;
  /** Ids looked for again after this table was read and still absent: not re-read until it expires. */
  absent: Set<number>;
  /** The API member may not read the table (403): nothing is known, nothing is re-read. */
  unreadable: boolean;
}

/**
 * A tenant's billing statuses by id, read through `read` (one paged list, through the client's call
 * gate like every CW read) and kept for `ttlMs`. Callers asking at once share one read. An id not in
 * the table is a status added since it was read: the table is read again once, and an id still absent
 * is not chased again until the table expires, so one odd invoice cannot cost a read per look-up.
 */
export function billingStatusTable(
  read: () => Promise<BillingStatus[]>,
  options: { ttlMs?: number; now?: () => number } = {},
) {
  const ttlMs = options.ttlMs ?? billingStatusTtlMs;
  const now = options.now ?? Date.now;
  let table: Table | undefined;
  let reading: Promise<Table> | undefined;

  const reread = (): Promise<Table> => {
    reading ??= read()
      .then(
        (rows): Table => ({
          readAt: now(),
          byId: new Map(rows.map((row) => [row.id, row])),
          absent: new Set(),
          unreadable: false,
        }),
        (error: unknown): Table => {
          // Without the setup table's permission the product is where it was before it read the
          // table: the status name decides (isClosed, invoice-columns.ts). Anything else fails the read.
          if (error instanceof ConnectWiseError && error.code === 'cw_forbidden')
            return { readAt: now(), byId: new Map(), absent: new Set(), unreadable: true };
          throw error;
        },
      )
      .then((fresh) => {
        table = fresh;
        return fresh;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return async (id: number): Promise<BillingStatus | undefined> => {
    const cached = table && now() - table.readAt < ttlMs ? table : undefined;
    let current = cached ?? (await reread());
    if (!current.unreadable && !current.byId.has(id) && !current.absent.has(id)) {
      // A table read for this very look-up is as new as a re-read would be.
      if (cached) current = await reread();
      if (!current.byId.has(id)) current.absent.add(id);
    }
    return current.byId.get(id);
  };
}
