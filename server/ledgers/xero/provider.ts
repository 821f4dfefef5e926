import { ledgerLabels, ledgerShortLabels } from '../../../contract/ledger-kinds.js';
import { type CallLimits, providerLimits } from '../../outbound/call-limiter.js';
import type { OAuthTokens } from '../connections/connection-store.js';
import {
  invalidGrantOf,
  type LedgerProvider,
  type ProviderOAuth,
  type ProviderSettings,
} from '../provider.js';
import { XeroApi } from './api.js';
import { createXeroLedger } from './client.js';
import { XERO_AMOUNT_DECIMALS } from './currency.js';
import { readOrganisationLock } from './lock-dates.js';
import {
  createXeroOAuth,
  type XeroIdentityEndpoints,
  xeroProductionEndpoints,
  xeroSimEndpoints,
} from './oauth.js';
import { xeroEventsOf } from './webhooks.js';

export interface XeroSettings extends ProviderSettings {
  kind: 'xero';
  scopes: string[];
  identity: XeroIdentityEndpoints;
}

const xeroScopes = [
  'openid',
  'profile',
  'email',
  'offline_access',
  'accounting.transactions',
  'accounting.contacts',
  'accounting.settings.read',
];

const plain = (t: OAuthTokens): OAuthTokens => ({
  accessToken: t.accessToken,
  refreshToken: t.refreshToken,
  accessExpiresAt: t.accessExpiresAt,
});

/** Xero: the entry providers.ts lists. */
export const xeroProvider: LedgerProvider<XeroSettings> = {
  kind: 'xero',
  label: ledgerLabels.xero,
  shortLabel: ledgerShortLabels.xero,
  envPrefix: 'XERO',

  settingsFrom(config, limits?: CallLimits) {
    const xero = config.xero;
    if (!xero) return undefined;
    return {
      kind: 'xero',
      label: ledgerLabels.xero,
      clientId: xero.clientId,
      clientSecret: xero.clientSecret,
      apiUrl: xero.apiUrl,
      appUrl: xero.appUrl,
      limits: limits ?? providerLimits.xero,
      scopes: xeroScopes,
      identity: xero.identityUrl ? xeroSimEndpoints(xero.identityUrl) : xeroProductionEndpoints,
    };
  },

  oauth(settings, redirectUri): ProviderOAuth {
    const oauth = createXeroOAuth({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      redirectUri,
      scopes: settings.scopes,
      endpoints: settings.identity,
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
  },

  createLedger: (settings, context) =>
    createXeroLedger({
      apiBaseUrl: settings.apiUrl,
      xeroTenantId: context.connection.external_id,
      tokens: context.tokens,
      appUrl: settings.appUrl,
      timeoutMs: context.timeoutMs,
      gate: context.gate,
    }),

  readLock: (settings, context) =>
    readOrganisationLock(
      new XeroApi({
        apiBaseUrl: settings.apiUrl,
        xeroTenantId: context.connection.external_id,
        tokens: context.tokens,
        timeoutMs: context.timeoutMs,
        gate: context.gate,
      }),
    ),

  refusedGrant: invalidGrantOf,

  // 2 in every currency ("Rounding in Xero", domain.md §8).
  amountDecimals: () => XERO_AMOUNT_DECIMALS,

  // Xero reports input tax from the lines' tax codes: purchase tax goes per code; no line needs an
  // exempt code.
  taxRules: () => ({ exemptCodeRequired: false, taxPerCode: true }),

  webhook: {
    signatureHeader: 'x-xero-signature',
    secretOf: (config) => config.xero?.webhookKey,
    answers: { kind: 'empty' },
    eventsOf: xeroEventsOf,
  },
  // Xero sends no payment events; it caps every call, reads and writes alike (domain.md §8).
  paymentsCadence: 'poll',
  unmeteredWrites: false,
};
