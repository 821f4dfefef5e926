import type { AccessTokenSource, SalesOrBillDocument } from '../../server/ledgers/ledger.js';
import { createQuickBooksLedger } from '../../server/ledgers/quickbooks/client.js';
import { type QuickBooksSimOptions, startQuickBooksSim } from '../../sim/quickbooks/index.js';

/** A running simulator with one company holding the default chart, and a ledger pointed at it. */
export async function startHarness(options: QuickBooksSimOptions = {}) {
  const running = await startQuickBooksSim(options);
  const realmId = '9130350000000001';
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${running.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  await control('POST', '/__sim/realms', { realmId, defaults: true });
  await control('POST', '/__sim/seed', {
    realms: { [realmId]: { Customer: [{ Id: '100', DisplayName: 'Acme Corp', AcctNum: 'ACME01' }] } },
  });
  let current = (await control('POST', '/__sim/oauth/tokens', { realmId })).access_token as string;
  const tokens: AccessTokenSource & { invalidated: number } = {
    invalidated: 0,
    async accessToken() {
      return current;
    },
    invalidate() {
      this.invalidated += 1;
    },
  };
  const ledger = createQuickBooksLedger({
    apiBaseUrl: `${running.url}/v3/company/`,
    realmId,
    tokens,
    appUrl: 'https://app.qbo.intuit.com',
    timeoutMs: 2_000,
  });
  return {
    ...running,
    realmId,
    ledger,
    tokens,
    control,
    async refreshAccessToken() {
      current = (await control('POST', '/__sim/oauth/tokens', { realmId })).access_token;
    },
    state: () => control('GET', '/__sim/state'),
  };
}

export function invoiceDoc(overrides: Partial<SalesOrBillDocument> = {}): SalesOrBillDocument {
  return {
    type: 'invoice',
    number: 'INV-1001',
    date: '2024-05-01',
    dueDate: '2024-05-31',
    currency: 'USD',
    decimals: 2,
    memo: 'CW invoice 1001',
    party: { kind: 'customer', cwId: '7', accountNumber: 'ACME01', name: 'Acme Corp', email: undefined },
    lines: [
      {
        description: 'Managed services May',
        quantity: '3',
        unitPrice: '33.33',
        amountMinor: 9999n,
        accountKey: '1',
        itemKey: '30',
        taxKey: '21',
        classKey: '40',
      },
      {
        description: 'Discount',
        quantity: '1',
        unitPrice: '-10.00',
        amountMinor: -1000n,
        accountKey: '1',
        itemKey: '32',
        taxKey: 'NON',
        classKey: undefined,
      },
    ],
    taxMinor: 825n,
    totalMinor: 9824n,
    terms: undefined,
    ...overrides,
  };
}
