/**
 * The ledger providers: THE one list. Everything else (the registry, token source, OAuth pages,
 * webhooks, config hints, booking options) looks a provider up here by kind.
 *
 * Adding a third ledger, say `sage`:
 *   1. server/ledgers/sage/ with the core files (provider.ts lists them) and its `sageProvider`
 *      entry (provider.ts in that folder);
 *   2. one line here: `[quickbooksProvider, xeroProvider, sageProvider]`;
 *   3. its kind and label in contract/ledger-kinds.ts (the pod reads them there; routes, OAuth
 *      pages and the admin tab follow), its env variables in server/shared/config.ts (the
 *      `LedgerConfig` section its entry reads) and its call limits in server/outbound/call-limiter.ts;
 *   4. a migration widening the kind checks (ledger_connections.kind, oauth_states.kind,
 *      webhook_events.provider and the other ledger_kind columns) to the new kind;
 *   5. a simulator in sim/ for its tests and the demo.
 * A provider whose webhook must be read as raw bytes also needs its path skipped by the JSON parser
 * in server/app/app.ts (as /webhooks/xero is).
 */
import type { CallLimits } from '../outbound/call-limiter.js';
import { AppError } from '../shared/errors.js';
import type { LedgerKind } from './ledger.js';
import type { LedgerConfig, LedgerProvider, ProviderOAuth, ProviderSettings } from './provider.js';
import { quickbooksProvider } from './quickbooks/provider.js';
import { xeroProvider } from './xero/provider.js';

export const ledgerProviders: readonly LedgerProvider[] = [quickbooksProvider, xeroProvider];

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
