import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { providersFrom, redirectUriFor } from '../../server/ledgers/providers.js';
import { providerLimits } from '../../server/outbound/call-limiter.js';
import { parseConfig } from '../../server/shared/config.js';

const keys = () => ({
  SECRET_KEY: randomBytes(32).toString('hex'),
  SESSION_KEY: randomBytes(32).toString('hex'),
});

describe('provider settings', () => {
  it('leaves a provider out when its client id and secret are not set', () => {
    const result = parseConfig(keys());
    expect(result.ok && result.config).toMatchObject({ quickbooks: undefined, xero: undefined });
    if (result.ok) expect(providersFrom(result.config)).toEqual({});
  });

  it('names each bad or half-set variable on its own line', () => {
    const result = parseConfig({
      ...keys(),
      QBO_CLIENT_ID: 'abc',
      QBO_ENVIRONMENT: 'staging',
      XERO_API_URL: 'not a url',
      XERO_CLIENT_SECRET: 'shh',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const name of ['QBO_ENVIRONMENT', 'XERO_API_URL']) {
      expect(result.errors.filter((l) => l.startsWith(`${name}:`))).toHaveLength(1);
    }
    const pair = parseConfig({ ...keys(), QBO_CLIENT_ID: 'abc', XERO_CLIENT_SECRET: 'shh' });
    expect(pair.ok || pair.errors).toEqual([
      expect.stringMatching(/^QBO_CLIENT_SECRET: missing while QBO_CLIENT_ID is set; expected/),
      expect.stringMatching(/^XERO_CLIENT_ID: missing while XERO_CLIENT_SECRET is set; expected/),
    ]);
  });

  it("uses Intuit's and Xero's own endpoints by default", () => {
    const result = parseConfig({
      ...keys(),
      QBO_CLIENT_ID: 'q',
      QBO_CLIENT_SECRET: 's',
      XERO_CLIENT_ID: 'x',
      XERO_CLIENT_SECRET: 'y',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const providers = providersFrom(result.config);
    expect(providers.qbo).toMatchObject({
      environment: 'production',
      apiUrl: 'https://quickbooks.api.intuit.com/v3/company/',
      appUrl: 'https://app.qbo.intuit.com',
      oauthEndpoints: { token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer' },
      limits: providerLimits.qbo,
    });
    expect(providers.xero).toMatchObject({
      apiUrl: 'https://api.xero.com/api.xro/2.0',
      identity: {
        tokenEndpoint: 'https://identity.xero.com/connect/token',
        connectionsUrl: 'https://api.xero.com/connections',
      },
      limits: providerLimits.xero,
    });
    expect(redirectUriFor('https://pod.example.com/', 'xero')).toBe(
      'https://pod.example.com/oauth/xero/callback',
    );
  });

  it('points every endpoint at a simulator origin', () => {
    const sim = 'http://127.0.0.1:4010';
    const result = parseConfig({
      ...keys(),
      QBO_CLIENT_ID: 'q',
      QBO_CLIENT_SECRET: 's',
      QBO_API_URL: `${sim}/v3/company/`,
      QBO_OAUTH_URL: `${sim}/`,
      XERO_CLIENT_ID: 'x',
      XERO_CLIENT_SECRET: 'y',
      XERO_API_URL: `${sim}/api.xro/2.0`,
      XERO_IDENTITY_URL: sim,
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const providers = providersFrom(result.config);
    expect(providers.qbo).toMatchObject({
      apiUrl: `${sim}/v3/company/`,
      oauthEndpoints: {
        authorize: `${sim}/oauth2/authorize`,
        token: `${sim}/oauth2/tokens/bearer`,
        revoke: `${sim}/oauth2/revoke`,
      },
    });
    expect(providers.xero).toMatchObject({
      apiUrl: `${sim}/api.xro/2.0`,
      identity: { issuer: `${sim}/identity`, connectionsUrl: `${sim}/connections` },
    });
  });
});
