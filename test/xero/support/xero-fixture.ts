import type { AccessTokenSource, Party, SalesOrBillDocument } from '../../../server/ledgers/ledger.js';
import { createXeroLedger } from '../../../server/ledgers/xero/client.js';
import { startXeroSim, type XeroSimOptions } from '../../../sim/xero/index.js';

export const TENANT = 'b1c2d3e4-0000-4000-8000-000000000001';

/** A running simulator seeded with one organisation, and a product ledger pointed at it. */
export async function startXeroFixture(options: XeroSimOptions & { timeoutMs?: number } = {}) {
  const running = await startXeroSim(options);
  const { sim } = running;
  const seed = () =>
    sim.seed({
      defaults: true,
      tenants: {
        [TENANT]: {
          name: 'Contoso Managed IT',
          Contacts: [{ Name: 'Existing Customer', AccountNumber: 'CW-1' }],
        },
      },
    });
  seed();
  const tokens = new SimTokens(() => sim.issueTokens().accessToken);
  const ledger = createXeroLedger({
    apiBaseUrl: `${running.url}/api.xro/2.0`,
    xeroTenantId: TENANT,
    tokens,
    appUrl: 'https://go.xero.com',
    timeoutMs: options.timeoutMs ?? 2_000,
  });
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${running.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { ...running, ledger, tokens, seed, control, books: () => sim.tenants.get(TENANT)! };
}

/** Hands out the current token; after invalidate() the next call gets a fresh one, like the real wrapper. */
export class SimTokens implements AccessTokenSource {
  invalidations = 0;
  private token: string | undefined;
  constructor(private readonly mint: () => string) {}
  async accessToken(): Promise<string> {
    this.token ??= this.mint();
    return this.token;
  }
  invalidate(): void {
    this.invalidations += 1;
    this.token = undefined;
  }
}

export const customer = (overrides: Partial<Party> = {}): Party => ({
  kind: 'customer',
  cwId: '250',
  accountNumber: 'CW-250',
  name: 'Fabrikam “North” Ltd',
  email: 'ap@fabrikam.test',
  ...overrides,
});

export function invoiceDoc(overrides: Partial<SalesOrBillDocument> = {}): SalesOrBillDocument {
  return {
    type: 'invoice',
    number: 'CW-1001',
    date: '2024-03-11',
    dueDate: '2024-04-10',
    currency: 'USD',
    decimals: 2,
    memo: 'March services',
    party: customer(),
    lines: [
      {
        description: 'Labor',
        quantity: '2.5',
        unitPrice: '120',
        amountMinor: 30000n,
        accountKey: '200',
        itemKey: 'LABOR',
        taxKey: 'OUTPUT',
        classKey: undefined,
      },
      {
        description: 'Discount',
        quantity: '1',
        unitPrice: '-20',
        amountMinor: -2000n,
        accountKey: '200',
        itemKey: undefined,
        taxKey: 'OUTPUT',
        classKey: undefined,
      },
    ],
    taxMinor: 2800n,
    totalMinor: 30800n,
    terms: undefined,
    ...overrides,
  };
}
