import { ledgerLabels, ledgerShortLabels } from '../../../contract/ledger-kinds.js';
import { openGate } from '../../outbound/call-gate.js';
import { type CallLimits, providerLimits } from '../../outbound/call-limiter.js';
import type { OAuthTokens } from '../connections/connection-store.js';
import {
  invalidGrantOf,
  type LedgerContext,
  type LedgerProvider,
  type ProviderOAuth,
  type ProviderSettings,
} from '../provider.js';
import type { SdkSettings } from './api.js';
import { createQuickBooksLedger } from './client.js';
import { fixedToken, readCompanyTax } from './company-tax.js';
import { readClosingDate } from './lock-dates.js';
import { qboDecimals } from './mapping.js';
import { createQuickBooksOAuth } from './oauth.js';
import { quickbooksWebhookEventsOf } from './webhooks.js';

export interface QuickBooksSettings extends ProviderSettings {
  kind: 'qbo';
  environment: 'sandbox' | 'production';
  oauthEndpoints: { authorize: string; token: string; revoke: string };
}

const intuitOAuth = {
  authorize: 'https://appcenter.intuit.com/connect/oauth2',
  token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
  revoke: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
};

/** The minor version every call names: the one the wire schemas (wire.ts) were written against. */
const minorVersion = 75;

const plain = (t: OAuthTokens): OAuthTokens => ({
  accessToken: t.accessToken,
  refreshToken: t.refreshToken,
  accessExpiresAt: t.accessExpiresAt,
});

const sdkSettings = (settings: QuickBooksSettings, context: LedgerContext): SdkSettings => ({
  apiBaseUrl: settings.apiUrl,
  realmId: context.connection.external_id,
  tokens: context.tokens,
  minorVersion,
  timeoutMs: context.timeoutMs,
  gate: context.gate,
});

/** QuickBooks Online (Intuit): the entry providers.ts lists. */
export const quickbooksProvider: LedgerProvider<QuickBooksSettings> = {
  kind: 'qbo',
  label: ledgerLabels.qbo,
  shortLabel: ledgerShortLabels.qbo,
  envPrefix: 'QBO',

  settingsFrom(config, limits?: CallLimits) {
    const qbo = config.quickbooks;
    if (!qbo) return undefined;
    const oauth = qbo.oauthUrl;
    return {
      kind: 'qbo',
      label: ledgerLabels.qbo,
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      apiUrl: qbo.apiUrl,
      appUrl: qbo.appUrl,
      limits: limits ?? providerLimits.qbo,
      environment: qbo.environment,
      oauthEndpoints: oauth
        ? {
            authorize: `${oauth}/oauth2/authorize`,
            token: `${oauth}/oauth2/tokens/bearer`,
            revoke: `${oauth}/oauth2/revoke`,
          }
        : intuitOAuth,
    };
  },

  oauth(settings, redirectUri): ProviderOAuth {
    const oauth = createQuickBooksOAuth({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      redirectUri,
      environment: settings.environment,
      endpoints: settings.oauthEndpoints,
    });
    return {
      authorizeUrl: (state) => oauth.authorizeUrl(state),
      async exchange(callbackUrl) {
        const tokens = await oauth.exchangeCode(callbackUrl);
        // QBO names no company in the token answer: CompanyInfo does, and with Preferences says how the
        // company takes tax. Without them (a read refused) the realm id stands in and the ledger reads
        // the tax setup before its first document.
        const company = await readCompanyTax({
          apiBaseUrl: settings.apiUrl,
          realmId: tokens.realmId,
          tokens: fixedToken(tokens.accessToken),
          minorVersion,
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
  },

  createLedger(settings, context) {
    const { connection, store } = context;
    return createQuickBooksLedger({
      apiBaseUrl: settings.apiUrl,
      realmId: connection.external_id,
      tokens: context.tokens,
      appUrl: settings.appUrl,
      timeoutMs: context.timeoutMs,
      gate: context.gate,
      taxModel: connection.tax_setup?.model,
      onCompanyTax: ({ model, country, automatedSalesTax }) =>
        store.setTaxSetup(connection.id, { model, country, automatedSalesTax }),
    });
  },

  readLock: (settings, context) => readClosingDate(sdkSettings(settings, context)),

  refusedGrant: invalidGrantOf,

  // The currency's ISO 4217 decimals.
  amountDecimals: qboDecimals,

  // Outside the US (the `global` model) every line takes a tax code, untaxed ones the exempt code,
  // and purchase tax goes per code; QBO US keeps none, so a bill's tax stays lines on CW's purchase
  // tax account.
  taxRules(taxSetup) {
    const exemptCodeRequired = taxSetup?.model === 'global';
    return { exemptCodeRequired, taxPerCode: exemptCodeRequired };
  },

  webhook: {
    signatureHeader: 'intuit-signature',
    secretOf: (config) => config.quickbooks?.webhookVerifier,
    answers: {
      kind: 'json',
      secretEnv: 'QBO_WEBHOOK_VERIFIER',
      signerHint: 'Only Intuit, signing with this app’s verifier token, can send webhooks here.',
      payloadHint: 'Expected CloudEvents or eventNotifications.',
    },
    eventsOf: quickbooksWebhookEventsOf,
  },
  // Intuit's webhooks name each payment; Intuit meters reads, not creates and updates (domain.md §8).
  paymentsCadence: 'webhooks',
  unmeteredWrites: true,
};
