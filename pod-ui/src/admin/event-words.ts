/**
 * The audit log in words: what each event kind means and who each of the product's own actors is.
 * A kind not listed here reads as its name; a member reads as their ConnectWise identifier.
 */
export const eventKinds: Record<string, string> = {
  queued: 'Asked to sync',
  exported: 'Read from ConnectWise for the push',
  customer: 'Customer found or added in the books',
  vendor: 'Vendor found or added in the books',
  ledger_document: 'Document created in the books',
  batch_found: 'ConnectWise batch found',
  batched: 'Marked posted in ConnectWise (batch made)',
  failed: 'Push failed',
  retrying: 'Push failed for now, retrying',
  fixed_in_connectwise: 'Fixed in ConnectWise',
  book_old_confirmed: 'Admin confirmed booking an old record',
  refreshed: 'Read again from ConnectWise',
  discovered: 'Found in ConnectWise',
  reversed: 'Reversed',
  reversed_in_connectwise: 'Reversed in ConnectWise (batch deleted)',
  balance_changed: 'Balance changed in the books',
  payment_written: 'Payment written to ConnectWise',
  payment_refused: 'ConnectWise refused a payment',
  credit_applied: 'Credit applied in the books',
  credit_application_failed: 'Credit not applied in the books',
  credit_balance: 'Balance read after a credit',
  onboarding_exported: 'Read for onboarding',
  onboarded: 'Onboarded as history (not pushed)',
  onboarding_failed: 'Onboarding failed',
};

const actors: Record<string, string> = {
  connectwise: 'ConnectWise',
  callback: 'ConnectWise (callback)',
  refresh: 'Ledgerpod (refresh)',
  sweep: 'Ledgerpod (sweep)',
  schedule: 'Ledgerpod (schedule)',
  payments: 'Ledgerpod (payment sync)',
  onboarding: 'Ledgerpod (onboarding)',
};

export const kindText = (kind: string) => eventKinds[kind] ?? kind.replaceAll('_', ' ');
export const actorText = (actor: string) => actors[actor] ?? actor;

const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

/** The few details a person reads (what failed, which batch, which credit, how much); the rest is for support. */
export function detailText(detail: Record<string, unknown> | string): string {
  if (typeof detail === 'string') return detail;
  const parts: string[] = [];
  if (text(detail.creditMemo) && text(detail.invoice))
    parts.push(`${text(detail.creditMemo)} on ${text(detail.invoice)}`);
  if (text(detail.amount)) parts.push(text(detail.amount));
  if (text(detail.batchIdentifier)) parts.push(`batch ${text(detail.batchIdentifier)}`);
  if (text(detail.message)) parts.push(text(detail.message));
  const error = detail.error as { message?: unknown } | undefined;
  if (error && text(error.message)) parts.push(text(error.message));
  return parts.join('; ');
}
