import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { podUiDistDir } from './paths.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A 32-byte key given as 64 hex characters or as base64 (43/44 characters). */
const key32 = z.string().transform((value, ctx) => {
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (bytes.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'expected 32 bytes as 64 hex characters or base64' });
    return z.NEVER;
  }
  return bytes;
});

const origin = z.url({ protocol: /^https?$/ }).transform((value) => new URL(value).origin);

/** An http(s) URL kept without its trailing slash. */
const httpUrl = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ''));

const listOf = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  SECRET_KEY: key32.optional(),
  /** Older encryption keys still accepted for reading, so a key can be rotated. */
  SECRET_KEYS_OLD: listOf(key32.transform((b) => b.toString('base64'))).optional(),
  SESSION_KEY: key32.optional(),
  /** Default `info`; the demo's default is `warn`, so its terminal shows the URL to open, not request logs. */
  LOG_LEVEL: z.enum(logLevels).optional(),
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  CW_ALLOWED_ORIGINS: listOf(origin).default([]),
  DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
  POD_UI_DIR: z.string().min(1).optional(),
  OPERATOR_TOKEN: z.string().min(32).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  CW_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  // Below the ~1,000 a minute above which ConnectWise documents it will likely throttle (domain.md §8).
  CW_CALLS_PER_MINUTE: z.coerce.number().int().min(10).max(100_000).default(600),
  // Budgets (metering/budgets.ts). Intuit: reads are metered per app, 500,000 a month on the free
  // (Builder) tier, after which the app is blocked for every customer until the next month
  // (domain.md §8, Intuit partner programme 2025).
  QBO_APP_READS_PER_MONTH: z.coerce.number().int().min(1).default(500_000),
  // Our allocation of that app-wide allowance to one connection, not a published figure: 500,000
  // shared by 100 connections. Background work on a connection defers beyond it; pushes never do.
  QBO_CONNECTION_READS_PER_MONTH: z.coerce.number().int().min(1).default(5_000),
  // Xero's app tier (from 2 March 2026): Starter caps 1,000 calls a day per organisation, the
  // others 5,000; 60 a minute always (domain.md §8). XERO_CALLS_PER_DAY overrides the tier's cap.
  XERO_TIER: z.enum(['starter', 'core', 'plus', 'advanced']).default('starter'),
  XERO_CALLS_PER_DAY: z.coerce.number().int().min(1).optional(),
  XERO_CALLS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  // The guard's ConnectWise cap per tenant a minute; by default the pace itself (CW_CALLS_PER_MINUTE).
  CW_BUDGET_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  // Background work defers once a budget's use passes this share of its cap (pro rata over the
  // month or day for month and day budgets): pushes and sign-ins keep the rest.
  BUDGET_DEFER_AT: z.coerce.number().min(0.1).max(1).default(0.8),
  CW_CALLBACK_WATCH_MINUTES: z.coerce.number().int().min(0).max(59).default(15),
  PAYMENTS_CHECK_MINUTES: z.coerce.number().int().min(0).max(59).default(1),
  DRIFT_CHECK_MINUTES: z.coerce.number().int().min(0).max(59).default(15),
  LEDGER_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** Database statement and lock-wait limits of a process serving HTTP (web, all): a read fails fast. */
  DB_WEB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  DB_WEB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(3_000),
  /** The same for a worker process, whose jobs may wait longer. */
  DB_WORKER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  DB_WORKER_LOCK_TIMEOUT_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
  QBO_CLIENT_ID: z.string().min(1).optional(),
  QBO_CLIENT_SECRET: z.string().min(1).optional(),
  QBO_ENVIRONMENT: z.enum(['sandbox', 'production']).default('production'),
  QBO_API_URL: httpUrl.optional(),
  QBO_OAUTH_URL: httpUrl.optional(),
  QBO_APP_URL: httpUrl.default('https://app.qbo.intuit.com'),
  QBO_WEBHOOK_VERIFIER: z.string().min(1).optional(),
  XERO_CLIENT_ID: z.string().min(1).optional(),
  XERO_CLIENT_SECRET: z.string().min(1).optional(),
  XERO_API_URL: httpUrl.default('https://api.xero.com/api.xro/2.0'),
  XERO_IDENTITY_URL: httpUrl.optional(),
  XERO_APP_URL: httpUrl.default('https://go.xero.com'),
  XERO_WEBHOOK_KEY: z.string().min(1).optional(),
});

export type Role = 'all' | 'web' | 'worker';

export interface Config {
  port: number;
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  secretKeys: Buffer[];
  sessionKey: Buffer;
  logLevel: (typeof logLevels)[number];
  role: Role;
  cwAllowedOrigins: string[];
  demo: boolean;
  /** Jobs of each queue one worker process runs at once (ledger limits still apply across all). */
  workerConcurrency: number;
  /** Enables the operator API (adding tenants over HTTP); undefined keeps it off. */
  operatorToken: string | undefined;
  /** Where the built pod UI is served from. */
  podUiDir: string;
  /** How long one ConnectWise or ledger call may take before it counts as timed out. */
  timeouts: { connectWiseMs: number; ledgerMs: number };
  /**
   * This process's database session limits, by role: web and all take the web ones (an HTTP read
   * waiting on a lock answers 503 quickly), a worker the longer worker ones.
   */
  dbTimeouts: DbTimeouts;
  /**
   * Each tenant's ConnectWise budget: by default 600 a minute, under the ~1,000 above which CW says
   * it will likely throttle (domain.md §8); an operator can set what their instance bears.
   */
  cwCallsPerMinute: number;
  /** Each connection's budgets against its tier (metering/budgets.ts), from the published terms. */
  budgets: BudgetTiers;
  /** Minutes between callback watchdog passes per tenant (callback-watchdog.ts); 0 turns it off. */
  cwCallbackWatchMinutes: number;
  /** Minutes between payments schedule passes; 0 = off (payment-jobs.ts). */
  paymentsCheckMinutes: number;
  /** Minutes between ticks of the drift check's rolling pass; 0 = off (reconcile/drift-jobs.ts). */
  driftCheckMinutes: number;
  /** Undefined when QBO_CLIENT_ID / QBO_CLIENT_SECRET are not set: QuickBooks cannot be connected. */
  quickbooks: QuickBooksConfig | undefined;
  /** Undefined when XERO_CLIENT_ID / XERO_CLIENT_SECRET are not set: Xero cannot be connected. */
  xero: XeroConfig | undefined;
}

export type XeroTier = 'starter' | 'core' | 'plus' | 'advanced';

export interface BudgetTiers {
  qboAppReadsPerMonth: number;
  qboConnectionReadsPerMonth: number;
  xeroTier: XeroTier;
  xeroCallsPerDay: number;
  xeroCallsPerMinute: number;
  cwCallsPerMinute: number;
  /** Share of a cap (pro rata) beyond which background work is deferred. */
  deferAt: number;
}

/**
 * The budgets as the published terms set them (domain.md §8), which the environment's defaults
 * also give: what a caller without the configuration shows.
 */
export const publishedBudgetTiers: BudgetTiers = {
  qboAppReadsPerMonth: 500_000,
  qboConnectionReadsPerMonth: 5_000,
  xeroTier: 'starter',
  xeroCallsPerDay: 1_000,
  xeroCallsPerMinute: 60,
  cwCallsPerMinute: 600,
  deferAt: 0.8,
};

/** Xero's published per-organisation day caps by app tier (domain.md §8). */
export const xeroCallsPerDayOf: Record<XeroTier, number> = {
  starter: 1_000,
  core: 5_000,
  plus: 5_000,
  advanced: 5_000,
};

export interface DbTimeouts {
  statementMs: number;
  lockMs: number;
}

export interface QuickBooksConfig {
  clientId: string;
  clientSecret: string;
  environment: 'sandbox' | 'production';
  /** Base of the v3 API, ending in /v3/company/. */
  apiUrl: string;
  /** Base for /oauth2/authorize, /oauth2/tokens/bearer and /oauth2/revoke; undefined means Intuit's own. */
  oauthUrl: string | undefined;
  appUrl: string;
  webhookVerifier: string | undefined;
}

export interface XeroConfig {
  clientId: string;
  clientSecret: string;
  apiUrl: string;
  /** Base for /identity/... and /connections; undefined means Xero's own. */
  identityUrl: string | undefined;
  appUrl: string;
  webhookKey: string | undefined;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** No keys and no database configured means a newcomer's first run: the demo. */
const isDemo = (e: z.infer<typeof envSchema>) =>
  e.DEMO === 'on' || (e.DEMO === 'auto' && !e.SECRET_KEY && !e.SESSION_KEY && !e.DATABASE_URL);

const expected: Record<string, string> = {
  PORT: 'a port number 0-65535',
  PUBLIC_URL: 'an http(s) URL such as https://ledgerpod.example.com',
  DATABASE_URL: 'a postgres:// URL',
  SECRET_KEY: '32 random bytes as 64 hex characters (openssl rand -hex 32)',
  SECRET_KEYS_OLD: 'a comma-separated list of former SECRET_KEY values',
  SESSION_KEY: '32 random bytes as 64 hex characters (openssl rand -hex 32)',
  LOG_LEVEL: logLevels.join('|'),
  ROLE: 'all|web|worker',
  CW_ALLOWED_ORIGINS: 'a comma-separated list of origins such as https://na.myconnectwise.net',
  DEMO: 'auto|on|off',
  WORKER_CONCURRENCY: 'a number of jobs per queue one worker process runs at once, 1-64',
  OPERATOR_TOKEN: 'a random token of 32 characters or more (openssl rand -hex 32) enabling the operator API',
  POD_UI_DIR: 'the folder holding the built pod (npm run build:ui writes dist/pod-ui)',
  CW_TIMEOUT_MS: 'milliseconds, 100-300000',
  CW_CALLS_PER_MINUTE:
    'ConnectWise calls per minute per tenant, 10-100000 (default 600; CW documents throttling above ~1000)',
  CW_CALLBACK_WATCH_MINUTES: 'minutes between checks of each tenant’s ConnectWise callback, 0-59 (0 = off)',
  PAYMENTS_CHECK_MINUTES:
    'minutes between passes of the payments schedule (which connections are due a CDC or poll), 0-59 (0 = off)',
  DRIFT_CHECK_MINUTES:
    'minutes between ticks of the rolling check of synced records against the books, 0-59 (0 = off)',
  LEDGER_TIMEOUT_MS: 'milliseconds, 100-300000',
  DB_WEB_STATEMENT_TIMEOUT_MS: 'milliseconds, 100-600000 (default 10000)',
  DB_WEB_LOCK_TIMEOUT_MS: 'milliseconds, 50-600000 (default 3000)',
  DB_WORKER_STATEMENT_TIMEOUT_MS: 'milliseconds, 100-3600000 (default 120000)',
  DB_WORKER_LOCK_TIMEOUT_MS: 'milliseconds, 50-3600000 (default 30000)',
  QBO_CLIENT_ID: 'the Client ID of your Intuit developer app',
  QBO_CLIENT_SECRET: 'the Client Secret of your Intuit developer app',
  QBO_ENVIRONMENT: 'sandbox|production',
  QBO_API_URL: 'an http(s) URL such as https://quickbooks.api.intuit.com/v3/company/',
  QBO_OAUTH_URL: 'an http(s) origin serving /oauth2/authorize, /oauth2/tokens/bearer and /oauth2/revoke',
  QBO_APP_URL: 'an http(s) URL such as https://app.qbo.intuit.com',
  QBO_WEBHOOK_VERIFIER: 'the webhook verifier token of your Intuit app',
  XERO_CLIENT_ID: 'the client id of your Xero app',
  XERO_CLIENT_SECRET: 'the client secret of your Xero app',
  XERO_API_URL: 'an http(s) URL such as https://api.xero.com/api.xro/2.0',
  XERO_IDENTITY_URL: 'an http(s) origin serving /identity/connect/... and /connections',
  XERO_APP_URL: 'an http(s) URL such as https://go.xero.com',
  XERO_WEBHOOK_KEY: 'the webhooks key of your Xero app',
};

const emptyToUndefined = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));

/**
 * Parses settings from an environment. Pure: demo keys are filled in by `loadConfig`.
 * In demo mode missing keys are allowed; outside it they are required.
 */
export function parseConfig(
  env: NodeJS.ProcessEnv,
  demoKeys?: { secretKey: Buffer; sessionKey: Buffer },
): ConfigResult {
  const parsed = envSchema.safeParse(emptyToUndefined(env));
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `${name}: ${issue.message}; expected ${expected[name] ?? 'a valid value'}`;
    });
    return { ok: false, errors: [...new Set(errors)] };
  }
  const e = parsed.data;
  const demo = isDemo(e);
  const secretKey = e.SECRET_KEY ?? (demo ? demoKeys?.secretKey : undefined);
  const sessionKey = e.SESSION_KEY ?? (demo ? demoKeys?.sessionKey : undefined);
  const errors: string[] = [];
  if (!secretKey) errors.push(`SECRET_KEY: missing; expected ${expected.SECRET_KEY}`);
  if (!sessionKey) errors.push(`SESSION_KEY: missing; expected ${expected.SESSION_KEY}`);
  errors.push(...pairErrors(e, 'QBO_CLIENT_ID', 'QBO_CLIENT_SECRET'));
  errors.push(...pairErrors(e, 'XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'));
  if (secretKey && sessionKey && secretKey.equals(sessionKey)) {
    errors.push('SESSION_KEY: must differ from SECRET_KEY; expected a second independent random key');
  }
  if (errors.length > 0 || !secretKey || !sessionKey) return { ok: false, errors };
  return {
    ok: true,
    config: {
      port: e.PORT,
      publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
      databaseUrl: e.DATABASE_URL,
      dataDir: resolve(e.DATA_DIR),
      secretKeys: [secretKey, ...(e.SECRET_KEYS_OLD ?? []).map((k) => Buffer.from(k, 'base64'))],
      sessionKey,
      logLevel: e.LOG_LEVEL ?? (demo ? 'warn' : 'info'),
      role: e.ROLE,
      cwAllowedOrigins: e.CW_ALLOWED_ORIGINS,
      demo,
      operatorToken: e.OPERATOR_TOKEN,
      workerConcurrency: e.WORKER_CONCURRENCY,
      podUiDir: e.POD_UI_DIR ? resolve(e.POD_UI_DIR) : podUiDistDir,
      timeouts: { connectWiseMs: e.CW_TIMEOUT_MS, ledgerMs: e.LEDGER_TIMEOUT_MS },
      dbTimeouts:
        e.ROLE === 'worker'
          ? { statementMs: e.DB_WORKER_STATEMENT_TIMEOUT_MS, lockMs: e.DB_WORKER_LOCK_TIMEOUT_MS }
          : { statementMs: e.DB_WEB_STATEMENT_TIMEOUT_MS, lockMs: e.DB_WEB_LOCK_TIMEOUT_MS },
      cwCallsPerMinute: e.CW_CALLS_PER_MINUTE,
      cwCallbackWatchMinutes: e.CW_CALLBACK_WATCH_MINUTES,
      budgets: {
        qboAppReadsPerMonth: e.QBO_APP_READS_PER_MONTH,
        qboConnectionReadsPerMonth: e.QBO_CONNECTION_READS_PER_MONTH,
        xeroTier: e.XERO_TIER,
        xeroCallsPerDay: e.XERO_CALLS_PER_DAY ?? xeroCallsPerDayOf[e.XERO_TIER],
        // Per organisation always (domain.md §8).
        xeroCallsPerMinute: e.XERO_CALLS_PER_MINUTE,
        cwCallsPerMinute: e.CW_BUDGET_PER_MINUTE ?? e.CW_CALLS_PER_MINUTE,
        deferAt: e.BUDGET_DEFER_AT,
      },
      paymentsCheckMinutes: e.PAYMENTS_CHECK_MINUTES,
      driftCheckMinutes: e.DRIFT_CHECK_MINUTES,
      quickbooks: quickbooksConfig(e),
      xero: xeroConfig(e),
    },
  };
}

type Env = z.infer<typeof envSchema>;

/** A client id without its secret (or the reverse) is a half-done setup, not an absent provider. */
function pairErrors(
  e: Env,
  id: 'QBO_CLIENT_ID' | 'XERO_CLIENT_ID',
  secret: 'QBO_CLIENT_SECRET' | 'XERO_CLIENT_SECRET',
) {
  if (Boolean(e[id]) === Boolean(e[secret])) return [];
  const missing = e[id] ? secret : id;
  return [`${missing}: missing while ${missing === id ? secret : id} is set; expected ${expected[missing]}`];
}

const intuitApi = {
  production: 'https://quickbooks.api.intuit.com/v3/company/',
  sandbox: 'https://sandbox-quickbooks.api.intuit.com/v3/company/',
};

function quickbooksConfig(e: Env): QuickBooksConfig | undefined {
  if (!e.QBO_CLIENT_ID || !e.QBO_CLIENT_SECRET) return undefined;
  return {
    clientId: e.QBO_CLIENT_ID,
    clientSecret: e.QBO_CLIENT_SECRET,
    environment: e.QBO_ENVIRONMENT,
    apiUrl: e.QBO_API_URL ? `${e.QBO_API_URL}/` : intuitApi[e.QBO_ENVIRONMENT],
    oauthUrl: e.QBO_OAUTH_URL,
    appUrl: e.QBO_APP_URL,
    webhookVerifier: e.QBO_WEBHOOK_VERIFIER,
  };
}

function xeroConfig(e: Env): XeroConfig | undefined {
  if (!e.XERO_CLIENT_ID || !e.XERO_CLIENT_SECRET) return undefined;
  return {
    clientId: e.XERO_CLIENT_ID,
    clientSecret: e.XERO_CLIENT_SECRET,
    apiUrl: e.XERO_API_URL,
    identityUrl: e.XERO_IDENTITY_URL,
    appUrl: e.XERO_APP_URL,
    webhookKey: e.XERO_WEBHOOK_KEY,
  };
}

/** Demo keys live in DATA_DIR/demo-keys.json (mode 0600), generated on first start and reused. */
export function loadDemoKeys(dataDir: string): { secretKey: Buffer; sessionKey: Buffer } {
  const dir = resolve(dataDir);
  const file = join(dir, 'demo-keys.json');
  if (existsSync(file)) {
    const stored = z
      .object({ secretKey: z.string(), sessionKey: z.string() })
      .parse(JSON.parse(readFileSync(file, 'utf8')));
    return {
      secretKey: Buffer.from(stored.secretKey, 'hex'),
      sessionKey: Buffer.from(stored.sessionKey, 'hex'),
    };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = { secretKey: randomBytes(32), sessionKey: randomBytes(32) };
  const body = JSON.stringify({
    secretKey: keys.secretKey.toString('hex'),
    sessionKey: keys.sessionKey.toString('hex'),
  });
  writeFileSync(file, body, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return keys;
}

/** Reads the environment once; in demo mode fills in keys kept under DATA_DIR. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const probe = envSchema.safeParse(emptyToUndefined(env));
  const needsDemoKeys =
    probe.success && isDemo(probe.data) && (!probe.data.SECRET_KEY || !probe.data.SESSION_KEY);
  return parseConfig(env, needsDemoKeys ? loadDemoKeys(probe.data.DATA_DIR) : undefined);
}
