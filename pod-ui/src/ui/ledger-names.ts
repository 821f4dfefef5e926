/** The books' names as the pod writes them in sentences and links. */
export const ledgerNames = { qbo: 'QuickBooks Online', xero: 'Xero' } as const;
