/**
 * What a ledger provider is to the rest of the server: one entry per provider folder
 * (quickbooks/provider.ts, xero/provider.ts), listed once in providers.ts. Everything that used to
 * switch on the kind (config, OAuth, building the Ledger, the books lock, webhooks, refusals) asks
 * the entry instead.
 *
 * Every provider folder has the same core files, so a reader finds the same thing in the same place:
 *   provider.ts        the entry below
 *   client.ts          the Ledger (ledger.ts) over the provider's API
 *   api.ts             calls to the API, through the call gate, with its errors mapped
 *   wire.ts            schemas of what the API answers (tolerant readers)
 *   mapping.ts         Ledgerpod documents to the provider's bodies
 *   tax.ts             the provider's tax rules on lines and documents
 *   payments.ts        payments and credits read back
 *   document-state.ts  a booked document's state (paid, voided, credited)
 *   lock-dates.ts      the books' lock (books-lock.ts)
 *   errors.ts          provider answers as LedgerErrors
 *   oauth.ts           authorize, code exchange, refresh, revoke
 *   webhooks.ts        the events of a verified webhook delivery
 * A file only one provider needs is named for what it does (quickbooks/company-tax.ts,
 * xero/currency.ts, ...).
 */
import type { ConnectionTaxSetup, LedgerConnection } from '../db/schema.js';
import type { CallGate } from '../outbound/call-gate.js';
import type { CallLimits } from '../outbound/call-limiter.js';
import type { Config } from '../shared/config.js';
import type { BooksLock } from './books-lock.js';
import type { ConnectionStore, OAuthTokens } from './connections/connection-store.js';
import type { AccessTokenSource, Ledger, LedgerKind } from './ledger.js';

/** The sections of the configuration the providers read (shared/config.ts reads their env variables). */
export type LedgerConfig = Pick<Config, 'quickbooks' | 'xero'>;

/** A configured provider: what its entry read from the configuration. */
export interface ProviderSettings {
  kind: LedgerKind;
  label: string;
  clientId: string;
  clientSecret: string;
  apiUrl: string;
  appUrl: string;
  limits: CallLimits;
}

/** The OAuth steps the product needs, the same for every provider. */
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

/** What building one connection's Ledger is given (ledger-registry.ts wraps the result). */
export interface LedgerContext {
  connection: LedgerConnection;
  /** The connection's tokens, refreshed under its lock. */
  tokens: AccessTokenSource;
  /** The connection's share of the call limits; every call goes through it. */
  gate: CallGate;
  timeoutMs: number;
  store: ConnectionStore;
}

/** One change a webhook names. */
export interface LedgerEvent {
  /** De-duplication key: the provider's event id, or what identifies the change. */
  id: string;
  externalId: string;
  entity: string;
  /** The entity's id and what happened to it; without them the connection is swept instead. */
  entityId?: string;
  operation?: string;
}

/**
 * How a provider's webhook is verified and read. Both sign base64(HMAC-SHA256(secret, raw body));
 * they differ in the header, the secret, the payload and how a refusal is answered.
 */
export interface LedgerWebhook {
  signatureHeader: string;
  secretOf(config: LedgerConfig): string | undefined;
  /**
   * `json`: refusals are Ledgerpod's JSON errors and a delivery is answered with its count.
   * `empty`: Xero's "intent to receive" expects 401 with an empty body for a bad signature and 200
   * with an empty body for everything else; such a body is read by its route after the signature
   * check, never by the app's JSON parser (server/app/app.ts skips it).
   */
  answers: { kind: 'json'; secretEnv: string; signerHint: string; payloadHint: string } | { kind: 'empty' };
  /** The events of a verified delivery; undefined when the body is not this provider's payload at all. */
  eventsOf(body: unknown): { events: LedgerEvent[]; skipped: number } | undefined;
}

/**
 * One ledger provider. Methods (not function properties) so that a provider's entry, typed with
 * its own settings, is one of the list: settings only ever reach the entry that made them.
 */
export interface LedgerProvider<S extends ProviderSettings = ProviderSettings> {
  kind: LedgerKind;
  label: string;
  /** The one-word name in sentences ("Paid in QuickBooks by credit CM-1009"): contract/ledger-kinds.ts. */
  shortLabel: string;
  /** The env variables' prefix: `${envPrefix}_CLIENT_ID`, `${envPrefix}_CLIENT_SECRET`. */
  envPrefix: string;
  /** The provider's settings; undefined when its client id and secret are not set. */
  settingsFrom(config: LedgerConfig, limits?: CallLimits): S | undefined;
  /** The redirect URI only matters to authorize and exchange; refresh and revoke work with any. */
  oauth(settings: S, redirectUri: string): ProviderOAuth;
  createLedger(settings: S, context: LedgerContext): Ledger;
  /** The books' lock from the settings the ledger keeps it in (books-lock.ts). */
  readLock(settings: S, context: LedgerContext): Promise<BooksLock | undefined>;
  /**
   * Refusal rule: the reason when a failed refresh means the grant is gone (revoked, expired,
   * rotated out) and the connection needs reconnecting; undefined for any other failure.
   */
  refusedGrant(error: unknown): string | undefined;
  /** The decimals the ledger keeps for amounts in a currency: what a document is rounded to. */
  amountDecimals(currency: string): number;
  /**
   * Whether every line needs a tax code (untaxed ones then take the exempt code), and whether
   * purchase tax goes per code on the lines, for a connection's tax setup (amount-precision.ts).
   */
  taxRules(taxSetup: { model?: string } | null | undefined): {
    exemptCodeRequired: boolean;
    taxPerCode: boolean;
  };
  webhook: LedgerWebhook;
  /**
   * How payments reach ConnectWise (payments/payments-schedule.ts). `webhooks`: the webhooks name
   * each payment, so a full check only closes gaps (at start-up, hourly, and when webhooks go quiet
   * while documents are open). `poll`: no payment events, so payments are polled while documents
   * are open, more often the busier the connection.
   */
  paymentsCadence: 'webhooks' | 'poll';
  /**
   * The provider meters reads only: writes are counted apart (outbound/metering/periods.ts) and
   * shown on the health tab, never capped.
   */
  unmeteredWrites: boolean;
}

/**
 * The OAuth refusal both providers' helpers report: intuit-oauth throws an OAuthError whose
 * `error` or message is the OAuth error; our helpers a LedgerError with `providerCode`.
 */
export function invalidGrantOf(error: unknown): string | undefined {
  const e = error as
    | {
        error?: unknown;
        message?: unknown;
        providerCode?: unknown;
        description?: unknown;
        providerMessage?: unknown;
      }
    | undefined;
  const refused =
    e?.error === 'invalid_grant' || e?.message === 'invalid_grant' || e?.providerCode === 'invalid_grant';
  if (!refused) return undefined;
  return String(e.providerMessage ?? e.description ?? e.message ?? 'invalid_grant');
}
