import { afterAll, beforeAll, expect, it } from 'vitest';
import { createQuickBooksOAuth } from '../../server/ledgers/quickbooks/oauth.js';
import { startQuickBooksSim } from '../../sim/quickbooks/index.js';

let sim: Awaited<ReturnType<typeof startQuickBooksSim>>;
beforeAll(async () => {
  sim = await startQuickBooksSim({ authorizeRealmId: '4620816365', clients: { 'app-id': 'app-secret' } });
});
afterAll(() => sim.close());

it('authorize -> code -> tokens via intuit-oauth; refresh rotates; an old refresh token is invalid_grant', async () => {
  const oauth = createQuickBooksOAuth({
    clientId: 'app-id',
    clientSecret: 'app-secret',
    redirectUri: 'http://127.0.0.1:1/callback',
    environment: 'sandbox',
    endpoints: {
      authorize: `${sim.url}/oauth2/authorize`,
      token: `${sim.url}/oauth2/tokens/bearer`,
      revoke: `${sim.url}/oauth2/revoke`,
    },
  });
  const consent = await fetch(oauth.authorizeUrl('state-123'), { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callback = consent.headers.get('location')!;
  expect(new URL(callback).searchParams.get('state')).toBe('state-123');

  const first = await oauth.exchangeCode(callback);
  expect(first.realmId).toBe('4620816365');
  expect(first.accessExpiresAt.getTime() - Date.now()).toBeGreaterThan(3_500_000);

  const second = await oauth.refresh(first.refreshToken, first.realmId);
  expect(second.refreshToken).not.toBe(first.refreshToken);
  const reused = await oauth
    .refresh(first.refreshToken, first.realmId)
    .catch((e: { providerCode?: string }) => e);
  expect(reused).toMatchObject({
    code: 'ledger_unauthorized',
    providerCode: 'invalid_grant',
    retryable: false,
  });
  expect(sim.sim.state().tokenRefreshes).toBe(1);

  await oauth.revoke(second.refreshToken);
  const revoked = await oauth
    .refresh(second.refreshToken, first.realmId)
    .catch((e: { providerCode?: string }) => e);
  expect(revoked).toMatchObject({
    code: 'ledger_unauthorized',
    providerCode: 'invalid_grant',
    retryable: false,
  });
});
