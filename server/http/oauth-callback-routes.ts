import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { errors, jwtVerify, SignJWT } from 'jose';
import { sql } from 'kysely';
import { z } from 'zod';
import { ledgerKinds, ledgerLabels } from '../../contract/ledger-kinds.js';
import type { Db } from '../db/database.js';
import type { LedgerConnection, LedgerKind } from '../db/schema.js';
import type { ConnectionStore } from '../ledgers/connections/connection-store.js';
import { LedgerError } from '../ledgers/ledger-error.js';
import type { Organisation, ProviderOAuth } from '../ledgers/provider.js';
import { ledgerProviderOf, oauthFor, type Providers, redirectUriFor } from '../ledgers/providers.js';
import { escapeHtml } from './escape-html.js';

const issuer = 'ledgerpod';
const audience = 'ledgerpod-oauth-state';
export const stateLifetimeSeconds = 10 * 60;

interface OAuthStatesTable {
  jti: string;
  tenant_id: string;
  kind: LedgerKind;
  member_id: string;
  expires_at: Date | string;
  used_at: Date | string | null;
}

const claimsSchema = z.object({
  jti: z.uuid(),
  tid: z.uuid(),
  kind: z.enum(ledgerKinds),
  sub: z.string().min(1),
});
export type StateClaims = z.infer<typeof claimsSchema>;

export type StateCheck =
  | { ok: true; claims: StateClaims }
  | { ok: false; problem: 'expired' | 'invalid' | 'wrong_kind' | 'replayed' | 'unknown' | 'other_browser' };

const ticketAudience = 'ledgerpod-oauth-ticket';
/** A ticket is handed from the pod to its popup at once: two minutes is plenty. */
const ticketLifetimeSeconds = 120;
const ticketSchema = z.object({ st: z.string().min(1), kind: z.enum(ledgerKinds) });

/** The cookie that ties a consent to the browser whose admin session started it. */
export const bindingCookieOf = (jti: string) => `lp_oauth_${jti.replaceAll('-', '')}`;

/**
 * OAuth `state`: a signed (HS256, session key) token naming the tenant, member and provider, with
 * a row that lets it complete exactly one callback within ten minutes.
 */
export class OAuthStates {
  private readonly db;

  constructor(
    db: Db,
    private readonly key: Uint8Array,
  ) {
    this.db = db.withTables<{ oauth_states: OAuthStatesTable }>();
  }

  async issue(input: { tenantId: string; memberId: string; kind: LedgerKind }): Promise<string> {
    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    await this.db
      .insertInto('oauth_states')
      .values({
        jti,
        tenant_id: input.tenantId,
        kind: input.kind,
        member_id: input.memberId,
        expires_at: new Date((now + stateLifetimeSeconds) * 1000),
        used_at: null,
      })
      .execute();
    // Expired states are of no use to anyone: tidy them while issuing.
    await this.db
      .deleteFrom('oauth_states')
      .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
      .execute();
    return new SignJWT({ tid: input.tenantId, kind: input.kind })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(jti)
      .setSubject(input.memberId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + stateLifetimeSeconds)
      .sign(this.key);
  }

  /**
   * A one-time hand-over of `state` from the pod (which holds the admin's session) to the popup
   * it opened: the popup trades it at `begin` for the provider's URL and the binding cookie.
   */
  async ticketFor(state: string, kind: LedgerKind): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ st: state, kind })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(ticketAudience)
      .setIssuedAt(now)
      .setExpirationTime(now + ticketLifetimeSeconds)
      .sign(this.key);
  }

  /** The state a ticket hands over, with the binding its browser must present at the callback. */
  async openTicket(
    ticket: string,
    kind: LedgerKind,
  ): Promise<{ state: string; cookie: string; binding: string } | undefined> {
    try {
      const { payload } = await jwtVerify(ticket, this.key, {
        issuer,
        audience: ticketAudience,
        algorithms: ['HS256'],
      });
      const parsed = ticketSchema.safeParse(payload);
      if (!parsed.success || parsed.data.kind !== kind) return undefined;
      const claims = await this.verify(parsed.data.st);
      if (!('jti' in claims)) return undefined;
      return {
        state: parsed.data.st,
        cookie: bindingCookieOf(claims.jti),
        binding: this.bindingOf(claims.jti),
      };
    } catch {
      return undefined;
    }
  }

  /** What the binding cookie of a state holds: only this server can make it. */
  private bindingOf(jti: string): string {
    return createHmac('sha256', this.key).update(`oauth-binding:${jti}`).digest('base64url');
  }

  private async verify(state: string): Promise<StateClaims | { problem: 'expired' | 'invalid' }> {
    try {
      const { payload } = await jwtVerify(state, this.key, { issuer, audience, algorithms: ['HS256'] });
      const parsed = claimsSchema.safeParse(payload);
      return parsed.success ? parsed.data : { problem: 'invalid' };
    } catch (error) {
      return { problem: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  /**
   * Verifies the state for the callback of `kind` and spends it; a second use is `replayed`.
   * `cookies` are the callback request's: the state's binding cookie must be among them, or the
   * consent was completed in a browser that did not start it (`other_browser`, state not spent).
   * Without `cookies` (a refusal the provider reports) the binding is not asked for.
   */
  async consume(state: string, kind: LedgerKind, cookies?: Record<string, string>): Promise<StateCheck> {
    const verified = await this.verify(state);
    if ('problem' in verified) return { ok: false, problem: verified.problem };
    const claims = verified;
    if (claims.kind !== kind) return { ok: false, problem: 'wrong_kind' };
    if (cookies) {
      const given = Buffer.from(cookies[bindingCookieOf(claims.jti)] ?? '');
      const expected = Buffer.from(this.bindingOf(claims.jti));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        // A spent state says so (its cookie went with the success); any other is refused unspent.
        const row = await this.db
          .selectFrom('oauth_states')
          .select('used_at')
          .where('jti', '=', claims.jti)
          .where('tenant_id', '=', claims.tid)
          .executeTakeFirst();
        return { ok: false, problem: row?.used_at ? 'replayed' : 'other_browser' };
      }
    }
    // The row must match every claim: a state is bound to the tenant and member it was issued to.
    const spent = await this.db
      .updateTable('oauth_states')
      .set({ used_at: sql<Date>`now()` })
      .where('jti', '=', claims.jti)
      .where('tenant_id', '=', claims.tid)
      .where('member_id', '=', claims.sub)
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    if (spent.numUpdatedRows > 0n) return { ok: true, claims };
    const row = await this.db
      .selectFrom('oauth_states')
      .select(['used_at', 'tenant_id'])
      .where('jti', '=', claims.jti)
      .executeTakeFirst();
    if (row?.used_at && row.tenant_id === claims.tid) return { ok: false, problem: 'replayed' };
    return { ok: false, problem: 'unknown' };
  }
}

export interface ConnectFlowDeps {
  states: OAuthStates;
  providers: Providers;
  connections: ConnectionStore;
  /** PUBLIC_URL; without it, the origin the browser used (development, demo on localhost). */
  publicUrl: string | undefined;
}

const oauthCache = new WeakMap<Providers, Map<string, ProviderOAuth>>();

/** The OAuth helpers of a kind for the redirect URI this server answers on. */
export function connectOAuth(
  deps: ConnectFlowDeps,
  req: Request,
  kind: LedgerKind,
): ProviderOAuth | undefined {
  const provider = deps.providers[kind];
  if (!provider) return undefined;
  const redirectUri = redirectUriFor(deps.publicUrl ?? `${req.protocol}://${req.get('host')}`, kind);
  let byUri = oauthCache.get(deps.providers);
  if (!byUri) {
    byUri = new Map();
    oauthCache.set(deps.providers, byUri);
  }
  let oauth = byUri.get(redirectUri);
  if (!oauth) {
    oauth = oauthFor(provider, redirectUri);
    byUri.set(redirectUri, oauth);
  }
  return oauth;
}

const kindSchema = z.enum(ledgerKinds);

const problems: Record<
  Exclude<StateCheck, { ok: true }>['problem'],
  { status: number; message: string; fix: string }
> = {
  expired: {
    status: 400,
    message: 'This connection attempt took longer than 10 minutes and has expired.',
    fix: 'Close this window and press Connect again in the Ledgerpod admin tab.',
  },
  invalid: {
    status: 400,
    message: 'This connection attempt was not started by this Ledgerpod server.',
    fix: 'Close this window and start again from the Ledgerpod admin tab; do not reuse links from elsewhere.',
  },
  wrong_kind: {
    status: 400,
    message: 'This connection attempt was started for another accounting system.',
    fix: `Check that the redirect URI registered in each provider's developer app ends in ${ledgerKinds.map((k) => `/oauth/${k}/callback`).join(' or ')} respectively, then press Connect again.`,
  },
  replayed: {
    status: 409,
    message: 'This connection link has already been used.',
    fix: 'Close this window; if the connection is not listed in the admin tab, press Connect again.',
  },
  other_browser: {
    status: 403,
    message:
      'This connection was not started in this browser: it must be finished in the browser where a Ledgerpod admin pressed Connect.',
    fix: 'If someone sent you this link, do not use it. To connect your books, press Connect in the Ledgerpod admin tab inside ConnectWise, signed in as an admin of your own company.',
  },
  unknown: {
    status: 400,
    message: 'This connection attempt does not belong to your Ledgerpod account.',
    fix: 'Close this window and press Connect again in the Ledgerpod admin tab, signed in as an admin of your own company.',
  },
};

/** GET /oauth/:kind/callback: the provider sends the admin's browser (a popup) back here. */
export function oauthCallbackRoutes(deps: ConnectFlowDeps): Router {
  const router = Router();
  router.get('/oauth/:kind/callback', async (req, res) => {
    const kind = kindSchema.safeParse(req.params.kind);
    if (!kind.success)
      return page(res, 404, 'Unknown accounting system', 'There is no such connection type.', '');
    const label = ledgerLabels[kind.data];
    const query = req.query as Record<string, unknown>;
    const stateParam = typeof query.state === 'string' ? query.state : '';
    if (typeof query.error === 'string') {
      // The admin declined (access_denied) or the provider refused the request. The state is spent
      // anyway so that the same link cannot be finished later.
      if (stateParam) await deps.states.consume(stateParam, kind.data);
      return page(
        res,
        400,
        `${label} was not connected`,
        `${label} answered: ${String(query.error_description ?? query.error)}.`,
        'Press Connect again in the Ledgerpod admin tab and approve access to your company.',
      );
    }
    const oauth = connectOAuth(deps, req, kind.data);
    if (!oauth) {
      return page(
        res,
        409,
        `${label} is not set up on this server`,
        'This Ledgerpod server has no app credentials for it.',
        `Ask the operator to set ${ledgerProviderOf(kind.data).envPrefix}_CLIENT_ID and _CLIENT_SECRET.`,
      );
    }
    if (!stateParam || typeof query.code !== 'string')
      return page(
        res,
        400,
        'Incomplete answer',
        `${label} did not send back a code and state.`,
        problems.invalid.fix,
      );
    const check = await deps.states.consume(stateParam, kind.data, cookiesOf(req));
    if (!check.ok) {
      const p = problems[check.problem];
      req.log?.warn({ kind: kind.data, problem: check.problem }, 'oauth callback refused');
      return page(res, p.status, `${label} was not connected`, p.message, p.fix);
    }
    const callbackUrl = `${redirectUriFor(deps.publicUrl ?? `${req.protocol}://${req.get('host')}`, kind.data)}?${new URLSearchParams(
      Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ).toString()}`;
    let saved: LedgerConnection;
    try {
      const { tokens, organisations } = await oauth.exchange(callbackUrl, stateParam);
      const existing = await deps.connections.list(check.claims.tid);
      const organisation = pickOrganisation(organisations, existing, kind.data);
      if (!organisation)
        return page(
          res,
          400,
          `${label} was not connected`,
          `${label} granted access to no organisation.`,
          'Press Connect again and pick an organisation on the consent screen.',
        );
      saved = await deps.connections.save({
        tenantId: check.claims.tid,
        kind: kind.data,
        externalId: organisation.externalId,
        name: organisation.name,
        tokens,
        taxSetup: organisation.taxSetup,
      });
    } catch (error) {
      const message = error instanceof LedgerError ? error.providerMessage : 'the token exchange failed';
      req.log?.warn({ err: error, kind: kind.data }, 'oauth code exchange failed');
      return page(
        res,
        502,
        `${label} was not connected`,
        `${label} refused the connection: ${message}.`,
        'Press Connect again in the Ledgerpod admin tab; if it keeps failing, check the app credentials on the server.',
      );
    }
    req.log?.info(
      { tenantId: check.claims.tid, kind: kind.data, connectionId: saved.id },
      'ledger connected',
    );
    res.append('set-cookie', `${bindingCookieOf(check.claims.jti)}=; ${cookieAttributes(req)}; Max-Age=0`);
    return connectedPage(res, kind.data, saved.name);
  });

  // The popup's first page: takes the ticket from the pod that opened it (same origin only, so a
  // link sent to someone else has no pod to take it from) and trades it for the binding cookie.
  router.get('/oauth/:kind/start', (req, res) => {
    const kind = kindSchema.safeParse(req.params.kind);
    if (!kind.success)
      return page(res, 404, 'Unknown accounting system', 'There is no such connection type.', '');
    const label = ledgerLabels[kind.data];
    send(
      res,
      200,
      `Connecting ${label}`,
      `<p id="status">Opening ${escapeHtml(label)}…</p><p id="fix" hidden><strong>How to fix:</strong> ${escapeHtml(
        'Press Connect in the Ledgerpod admin tab inside ConnectWise; this window cannot be opened on its own.',
      )}</p>`,
      startScript(kind.data),
      "connect-src 'self'",
    );
  });

  router.post('/oauth/:kind/begin', async (req, res) => {
    const kind = kindSchema.safeParse(req.params.kind);
    const body = z.object({ ticket: z.string().min(1).max(8192) }).safeParse(req.body);
    const opened =
      kind.success && body.success ? await deps.states.openTicket(body.data.ticket, kind.data) : undefined;
    const oauth = kind.success ? connectOAuth(deps, req, kind.data) : undefined;
    if (!opened || !oauth || !kind.success) {
      res.status(400).json({
        error: {
          code: 'oauth_ticket_invalid',
          message: 'This connection attempt has expired or was not started by Ledgerpod.',
          hint: 'Close this window and press Connect again in the Ledgerpod admin tab.',
        },
      });
      return;
    }
    res.append(
      'set-cookie',
      `${opened.cookie}=${opened.binding}; ${cookieAttributes(req)}; Max-Age=${stateLifetimeSeconds}`,
    );
    res.set('cache-control', 'no-store').json({ url: oauth.authorizeUrl(opened.state) });
  });
  return router;
}

/**
 * Sent on the provider's redirect back (a top-level GET from another site), so SameSite=Lax;
 * HttpOnly, and only to the OAuth pages.
 */
function cookieAttributes(req: Request): string {
  return `Path=/oauth; HttpOnly; SameSite=Lax${req.secure ? '; Secure' : ''}`;
}

function cookiesOf(req: Request): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return cookies;
}

/**
 * The start page's script: says it is ready to the pod that opened it, takes the ticket only from a
 * window of our own origin that is its opener, trades it at `begin`, and goes on to the provider.
 */
function startScript(kind: LedgerKind): string {
  return [
    'var opener=window.opener,done=false;',
    "function fail(m){document.getElementById('status').textContent=m;document.getElementById('fix').hidden=false;}",
    "if(!opener){fail('This window was not opened by Ledgerpod.');}",
    "else{window.addEventListener('message',function(e){",
    'if(done||e.origin!==location.origin||e.source!==opener)return;',
    'var d;try{d=JSON.parse(e.data);}catch(x){return;}',
    "if(!d||d.ledgerpod!=='oauth-ticket'||typeof d.ticket!=='string')return;done=true;",
    `fetch('/oauth/${kind}/begin',{method:'POST',credentials:'same-origin',headers:{'content-type':'application/json'},body:JSON.stringify({ticket:d.ticket})})`,
    ".then(function(r){return r.json();}).then(function(b){if(b&&b.url)location.replace(b.url);else fail((b&&b.error&&b.error.message)||'Ledgerpod refused this connection attempt.');})",
    ".catch(function(){fail('Ledgerpod could not be reached.');});",
    '});',
    "opener.postMessage(JSON.stringify({ledgerpod:'oauth-ready'}),location.origin);}",
  ].join('');
}

/**
 * One connection per consent. A Xero consent can name several organisations, but they share one
 * rotating refresh token; stored as several connections, refreshing one would spend the others'.
 * So: the one needing reconnection first, then one not yet connected, then the first.
 */
function pickOrganisation(
  organisations: Organisation[],
  existing: LedgerConnection[],
  kind: LedgerKind,
): Organisation | undefined {
  const status = (o: Organisation) =>
    existing.find((c) => c.kind === kind && c.external_id === o.externalId)?.status;
  return (
    organisations.find((o) => status(o) === 'needs_reconnect') ??
    organisations.find((o) => status(o) === undefined || status(o) === 'disconnected') ??
    organisations[0]
  );
}

function send(
  res: Response,
  status: number,
  title: string,
  body: string,
  script?: string,
  extraCsp = '',
): void {
  const scriptHash = script ? `'sha256-${createHash('sha256').update(script).digest('base64')}'` : "'none'";
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Only this page's own inline script may run.
      'content-security-policy': `default-src 'none'; script-src ${scriptHash}; style-src 'unsafe-inline'; frame-ancestors 'none'${extraCsp ? `; ${extraCsp}` : ''}`,
      'referrer-policy': 'no-referrer',
      // The popup arrives here from the provider's pages (another origin): any stricter policy puts
      // it in a browsing context group of its own, which cuts window.opener and the pod never hears.
      'cross-origin-opener-policy': 'unsafe-none',
    })
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
        '<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:36rem;color:#1f2933}</style></head>' +
        `<body><h1>${escapeHtml(title)}</h1>${body}${script ? `<script>${script}</script>` : ''}</body></html>`,
    );
}

function page(res: Response, status: number, title: string, what: string, fix: string): void {
  send(
    res,
    status,
    title,
    `<p>${escapeHtml(what)}</p>${fix ? `<p><strong>How to fix:</strong> ${escapeHtml(fix)}</p>` : ''}`,
  );
}

function connectedPage(res: Response, kind: LedgerKind, name: string): void {
  const message = JSON.stringify(JSON.stringify({ ledgerpod: 'connected', kind }));
  const script = `window.opener?.postMessage(${message}, '*');setTimeout(function(){window.close()},300);`;
  send(
    res,
    200,
    `${ledgerLabels[kind]} connected`,
    `<p>${escapeHtml(name)} is connected to Ledgerpod. You can close this window.</p>`,
    script,
  );
}
