/**
 * The ledger providers: THE one list. Everything else (the registry, token source, OAuth pages,
 * webhooks and the app's body parsing, config hints, booking options, the payments schedule, the
 * books' name in sentences, the health tab) looks a provider up here by kind.
 *
 * Adding a third ledger, say `sage`:
 *   1. server/ledgers/sage/ with the core files (provider.ts lists them) and its `sageProvider`
 *      entry (provider.ts in that folder);
 *   2. one line here: `[quickbooksProvider, xeroProvider, sageProvider]`;
 *   3. its kind and labels in contract/ledger-kinds.ts, its env variables in server/shared/config.ts;
 *   4. its call limits in server/outbound/call-limiter.ts, and where it meters by day or month its
 *      counters and caps in server/outbound/metering/{periods,budgets}.ts: outbound sits below
 *      ledgers and cannot read the entry, so it keys them by the limiter key's prefix (`sage:`);
 *   5. a migration widening the kind checks (ledger_connections.kind, oauth_states.kind,
 *      webhook_events.provider and the other ledger_kind columns) to the new kind;
 *   6. a simulator in sim/ for its tests and the demo.
 */
import type { CallLimits } from '../outbound/call-limiter.js';
import { AppError } from '../shared/errors.js';
import type { LedgerKind } from './ledger.js';
import type { LedgerConfig, LedgerProvider, ProviderOAuth, ProviderSettings } from './provider.js';
import { quickbooksProvider } from './quickbooks/provider.js';
import { xeroProvider } from './xero/provider.js';

export const ledgerProviders: readonly LedgerProvider[] = [quickbooksProvider, xeroProvider];

/**
 * The webhook paths whose route reads the body as bytes, after the signature check (answers
 * `empty`, http/ledger-webhook-routes.ts): the app's JSON parser skips them (app/app.ts).
 */
export const rawBodyWebhookPaths: readonly string[] = ledgerProviders
  .filter((p) => p.webhook.answers.kind === 'empty')
  .map((p) => `/webhooks/${p.kind}`);

/** The entry of a kind; every LedgerKind has one. */
export function ledgerProviderOf(kind: LedgerKind): LedgerProvider {
  const provider = ledgerProviders.find((p) => p.kind === kind);
  if (!provider) throw new Error(`No ledger provider of kind ${kind}`);
  return provider;
}

/** A configured provider: what its entry read from the configuration (names, endpoints, limits). */
export type Provider = ProviderSettings;

/** Configured providers by kind; a kind is absent when its client id and secret are not set. */
export type Providers = Partial<Record<LedgerKind, Provider>>;

/** `${publicUrl}/oauth/{kind}/callback`: registered with the provider's app exactly so. */
export const redirectUriFor = (publicUrl: string, kind: LedgerKind) =>
  `${publicUrl.replace(/\/+$/, '')}/oauth/${kind}/callback`;

export function providersFrom(
  config: LedgerConfig,
  limits: Partial<Record<LedgerKind, CallLimits>> = {},
): Providers {
  const providers: Providers = {};
  for (const entry of ledgerProviders) {
    const settings = entry.settingsFrom(config, limits[entry.kind]);
    if (settings) providers[entry.kind] = settings;
  }
  return providers;
}

/** The provider of a kind, or an AppError telling the operator which variables to set. */
export function providerOf(providers: Providers, kind: LedgerKind): Provider {
  const provider = providers[kind];
  if (provider) return provider;
  const { label, envPrefix: prefix } = ledgerProviderOf(kind);
  throw new AppError(409, 'provider_not_configured', `${label} is not set up on this server`, {
    hint: `The operator must set ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET (from the ${label} developer app) and restart Ledgerpod.`,
  });
}

/** The OAuth helpers of a configured provider; the redirect URI only matters to authorize and exchange. */
export const oauthFor = (provider: Provider, redirectUri: string): ProviderOAuth =>
  ledgerProviderOf(provider.kind).oauth(provider, redirectUri);
