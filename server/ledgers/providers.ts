import type { ConnectionTaxSetup } from '../db/schema.js';
import { type CallLimits, providerLimits } from '../outbound/call-limiter.js';
import type { Config } from '../shared/config.js';
import { AppError } from '../shared/errors.js';
import type { OAuthTokens } from './connections/connection-store.js';
import { type LedgerKind, openGate } from './ledger.js';
import { fixedToken, readCompanyTax } from './quickbooks/company-tax.js';
import { createQuickBooksOAuth, type QuickBooksOAuth } from './quickbooks/oauth.js';
import {
  createXeroOAuth,
  type XeroIdentityEndpoints,
  type XeroOAuth,
  xeroProductionEndpoints,
  xeroSimEndpoints,
} from './xero/oauth.js';

/**
 * What differs between QuickBooks Online and Xero, as data: names, endpoints, limits, the redirect
 * URI. Code for their real quirks stays in quickbooks/ and xero/.
 */
interface ProviderBase {
  label: string;
  clientId: string;
  clientSecret: string;
  apiUrl: string;
  appUrl: string;
  limits: CallLimits;
}

export interface QuickBooksProvider extends ProviderBase {
  kind: 'qbo';
  environment: 'sandbox' | 'production';
  oauthEndpoints: { authorize: string; token: string; revoke: string };
}

export interface XeroProvider extends ProviderBase {
  kind: 'xero';
  scopes: string[];
  identity: XeroIdentityEndpoints;
}

export type Provider = QuickBooksProvider | XeroProvider;

export const providerLabels: Record<LedgerKind, string> = { qbo: 'QuickBooks Online', xero: 'Xero' };

const intuitOAuth = {
  authorize: 'https://appcenter.intuit.com/connect/oauth2',
  token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
  revoke: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
};

const xeroScopes = [
  'openid',
  'profile',
  'email',
  'offline_access',
  'accounting.transactions',
  'accounting.contacts',
  'accounting.settings.read',
];

/** Configured providers by kind; a kind is absent when its client id and secret are not set. */
export type Providers = Partial<Record<LedgerKind, Provider>>;

/** `${publicUrl}/oauth/{kind}/callback`: registered with the provider's app exactly so. */
export const redirectUriFor = (publicUrl: string, kind: LedgerKind) =>
  `${publicUrl.replace(/\/+$/, '')}/oauth/${kind}/callback`;

export function providersFrom(
  config: Pick<Config, 'quickbooks' | 'xero'>,
  limits: Partial<Record<LedgerKind, CallLimits>> = {},
): Providers {
  const providers: Providers = {};
  const qbo = config.quickbooks;
  if (qbo) {
    const oauth = qbo.oauthUrl;
    providers.qbo = {
      kind: 'qbo',
      label: providerLabels.qbo,
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      apiUrl: qbo.apiUrl,
      appUrl: qbo.appUrl,
      limits: limits.qbo ?? providerLimits.qbo,
      environment: qbo.environment,
      oauthEndpoints: oauth
        ? {
            authorize: `${oauth}/oauth2/authorize`,
            token: `${oauth}/oauth2/tokens/bearer`,
            revoke: `${oauth}/oauth2/revoke`,
          }
        : intuitOAuth,
    };
  }
  const xero = config.xero;
  if (xero) {
    providers.xero = {
      kind: 'xero',
      label: providerLabels.xero,
      clientId: xero.clientId,
      clientSecret: xero.clientSecret,
      apiUrl: xero.apiUrl,
      appUrl: xero.appUrl,
      limits: limits.xero ?? providerLimits.xero,
      scopes: xeroScopes,
      identity: xero.identityUrl ? xeroSimEndpoints(xero.identityUrl) : xeroProductionEndpoints,
    };
  }
  return providers;
}

/** The provider of a kind, or an AppError telling the operator which variables to set. */
export function providerOf(providers: Providers, kind: LedgerKind): Provider {
  const provider = providers[kind];
  if (provider) return provider;
  const prefix = kind === 'qbo' ? 'QBO' : 'XERO';
  throw new AppError(409, 'provider_not_configured', `${providerLabels[kind]} is not set up on this server`, {
    hint: `The operator must set ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET (from the ${providerLabels[kind]} developer app) and restart Ledgerpod.`,
  });
}

/** The OAuth steps the product needs, the same for both providers. */
export interface ProviderOAuth {
  authorizeUrl(state: string): string;
  /** Trades the callback for tokens and the organisations (QBO realm, Xero tenants) they open. */
  exchange(
    callbackUrl: string,
    state: string,
  ): Promise<{ tokens: OAuthTokens; organisations: Organisation[] }>;
  refresh(refreshToken: string, externalId: string): Promise<OAuthTokens>;
  revoke(refreshToken: string): Promise<void>;
}

export interface Organisation {
  externalId: string;
  name: string;
  /** QBO: how the company takes tax, from its Preferences and CompanyInfo. */
  taxSetup?: ConnectionTaxSetup;
}

/** The redirect URI only matters to authorize and exchange; refresh and revoke work with any. */
export function oauthFor(provider: Provider, redirectUri: string): ProviderOAuth {
  return provider.kind === 'qbo' ? quickbooksOAuth(provider, redirectUri) : xeroOAuth(provider, redirectUri);
}

const plain = (t: OAuthTokens): OAuthTokens => ({
  accessToken: t.accessToken,
  refreshToken: t.refreshToken,
  accessExpiresAt: t.accessExpiresAt,
});

function quickbooksOAuth(provider: QuickBooksProvider, redirectUri: string): ProviderOAuth {
  const oauth: QuickBooksOAuth = createQuickBooksOAuth({
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri,
    environment: provider.environment,
    endpoints: provider.oauthEndpoints,
  });
  return {
    authorizeUrl: (state) => oauth.authorizeUrl(state),
    async exchange(callbackUrl) {
      const tokens = await oauth.exchangeCode(callbackUrl);
      // QBO names no company in the token answer: CompanyInfo does, and with Preferences says how the
      // company takes tax. Without them (a read refused) the realm id stands in and the ledger reads
      // the tax setup before its first document.
      const company = await readCompanyTax({
        apiBaseUrl: provider.apiUrl,
        realmId: tokens.realmId,
        tokens: fixedToken(tokens.accessToken),
        minorVersion: 75,
        timeoutMs: 30_000,
        gate: openGate,
      }).catch(() => undefined);
      return {
        tokens: plain(tokens),
        organisations: [
          {
            externalId: tokens.realmId,
            name: company?.companyName ?? `Company ${tokens.realmId}`,
            ...(company
              ? {
                  taxSetup: {
                    model: company.model,
                    country: company.country,
                    automatedSalesTax: company.automatedSalesTax,
                  },
                }
              : {}),
          },
        ],
      };
    },
    refresh: async (refreshToken, realmId) => plain(await oauth.refresh(refreshToken, realmId)),
    revoke: (refreshToken) => oauth.revoke(refreshToken),
  };
}

function xeroOAuth(provider: XeroProvider, redirectUri: string): ProviderOAuth {
  const oauth: XeroOAuth = createXeroOAuth({
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri,
    scopes: provider.scopes,
    endpoints: provider.identity,
  });
  return {
    authorizeUrl: (state) => oauth.authorizeUrl(state),
    async exchange(callbackUrl, state) {
      const tokens = await oauth.exchangeCode(callbackUrl, state);
      // One consent can connect several organisations: each becomes its own connection.
      const organisations = (await oauth.connections(tokens.accessToken))
        .filter((c) => c.tenantType === 'ORGANISATION')
        .map((c) => ({ externalId: c.tenantId, name: c.tenantName ?? c.tenantId }));
      return { tokens: plain(tokens), organisations };
    },
    refresh: async (refreshToken) => plain(await oauth.refresh(refreshToken)),
    revoke: (refreshToken) => oauth.revoke(refreshToken),
  };
}
