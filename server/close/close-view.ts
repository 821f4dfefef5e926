import type { CloseView } from '../../contract/close.js';
import { type CloseDeps, type ConnectionClose, readConnectionsClose } from './close-connections.js';
import { type PeriodClose, readPeriodClose } from './period-close.js';

/**
 * The close view of a period (contract/close.ts CloseView): the records' close (period-close.ts) and
 * each connection's payments and lock (close-connections.ts), with the checklist the view shows and
 * `ready` over all of it.
 */
export type { CloseView } from '../../contract/close.js';

/** The checklist of a close and its connections, and whether the period is ready. Pure. */
export function closeChecklist(close: PeriodClose, connections: ConnectionClose[], to: string) {
  const r = close.records;
  const checklist: CloseView['checklist'] = {
    recordsSynced: r.unposted + r.waiting + r.failed + r.not_closed === 0,
    paymentsWritten: close.payments.pending === 0 && close.payments.failed === 0,
    paymentsThroughPeriod: connections
      .filter((c) => c.booksPeriod)
      .every((c) => c.paymentsThrough !== null && c.paymentsThrough >= to),
    differencesAtZero: close.differences.count === 0,
    unappliedCredits: close.unappliedCredits.length,
  };
  return { checklist, ready: close.ready && checklist.paymentsThroughPeriod };
}

export async function readCloseView(
  deps: CloseDeps,
  tenantId: string,
  period: { from: string; to: string },
): Promise<CloseView> {
  const close = await readPeriodClose(deps.db, tenantId, period);
  const connections = await readConnectionsClose(deps, tenantId, period);
  return { ...close, connections, ...closeChecklist(close, connections, period.to) };
}
