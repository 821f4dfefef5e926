import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerError } from '../../server/ledgers/ledger-error.js';
import { createXeroOAuth, xeroSimEndpoints } from '../../server/ledgers/xero/oauth.js';
import { defaultSimClient, startXeroSim } from '../../sim/xero/index.js';

let running: Awaited<ReturnType<typeof startXeroSim>>;
beforeAll(async () => {
  running = await startXeroSim();
  running.sim.seed({ tenants: { 'org-1': { name: 'Contoso Managed IT' } } });
});
afterAll(() => running.close());

const oauth = () =>
  createXeroOAuth({
    clientId: defaultSimClient.clientId,
    clientSecret: defaultSimClient.clientSecret,
    redirectUri: 'http://127.0.0.1:9/oauth/xero/callback',
    scopes: ['openid', 'profile', 'email', 'offline_access', 'accounting.transactions'],
    endpoints: xeroSimEndpoints(running.url),
  });

/** The browser's part: follow the authorize URL and read where Xero sends the user back. */
async function consent(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return response.headers.get('location')!;
}

describe('Xero OAuth with an injected openid-client Issuer', () => {
  it('authorize -> code -> tokens with a verified id_token; refresh rotates; the old refresh token is refused', async () => {
    const client = oauth();
    const url = client.authorizeUrl('state-123');
    expect(url.startsWith(`${running.url}/identity/connect/authorize?`)).toBe(true);
    const callback = await consent(url);
    const tokens = await client.exchangeCode(callback, 'state-123');
    expect(tokens.idTokenClaims).toMatchObject({
      iss: `${running.url}/identity`,
      aud: defaultSimClient.clientId,
      email: 'accounts@example.test',
    });
    expect(tokens.accessExpiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);

    const refreshesBefore = running.sim.identity.tokenRefreshes;
    const next = await client.refresh(tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(running.sim.identity.tokenRefreshes).toBe(refreshesBefore + 1);

    const error = await client.refresh(tokens.refreshToken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'ledger_unauthorized', providerCode: 'invalid_grant' });
  });

  it('a state mismatch is refused', async () => {
    const client = oauth();
    const callback = await consent(client.authorizeUrl('expected'));
    await expect(
      client.exchangeCode(callback.replace('state=expected', 'state=forged'), 'expected'),
    ).rejects.toBeInstanceOf(LedgerError);
  });

  it('/connections lists the organisation; disconnect removes it; revoke spends the refresh token', async () => {
    const client = oauth();
    const tokens = await client.exchangeCode(await consent(client.authorizeUrl('s')), 's');
    const connections = await client.connections(tokens.accessToken);
    expect(connections).toEqual([
      expect.objectContaining({
        tenantId: 'org-1',
        tenantType: 'ORGANISATION',
        tenantName: 'Contoso Managed IT',
      }),
    ]);
    await client.disconnect(tokens.accessToken, connections[0]!.id);
    expect(await client.connections(tokens.accessToken)).toEqual([]);
    await client.revoke(tokens.refreshToken);
    await expect(client.refresh(tokens.refreshToken)).rejects.toMatchObject({
      providerCode: 'invalid_grant',
    });
  });
});
