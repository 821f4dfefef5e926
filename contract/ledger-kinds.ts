/**
 * The ledgers Ledgerpod books into, as the server and the pod both name them. Types and constants
 * only: the pod bundle reads this file and must not pull in server code. The server's provider
 * entries (server/ledgers/<kind>/provider.ts) take their labels from here, so a ledger is named the
 * same in the admin tab, the OAuth pages and the stored errors.
 */
export const ledgerKinds = ['qbo', 'xero'] as const;

export type LedgerKind = (typeof ledgerKinds)[number];

/** The product's full name, as in "Connect QuickBooks Online". */
export const ledgerLabels: Record<LedgerKind, string> = { qbo: 'QuickBooks Online', xero: 'Xero' };

/** The short name where the ledger is one word in a sentence ("QuickBooks #1042"). */
export const ledgerShortLabels: Record<LedgerKind, string> = { qbo: 'QuickBooks', xero: 'Xero' };

export const isLedgerKind = (value: unknown): value is LedgerKind =>
  typeof value === 'string' && (ledgerKinds as readonly string[]).includes(value);
