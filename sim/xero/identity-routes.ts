import express, { type Request, type Response, Router } from 'express';
import type { IdTokenSigner } from './id-token.js';
import { ACCESS_TOKEN_SECONDS, type IdentityState } from './identity-state.js';
import { sendUnauthorized } from './xero-errors.js';

const issuerOf = (req: Request) => `${req.protocol}://${req.get('host')}/identity`;

/**
 * identity.xero.com and login.xero.com under /identity, plus api.xero.com/connections. Consent is
 * granted at once; every organisation in the simulator is connected to the app that asks.
 */
export interface TenantDirectory {
  ids(): string[];
  name(tenantId: string): string;
}

export function identityRoutes(
  identity: IdentityState,
  signer: IdTokenSigner,
  tenants: TenantDirectory,
): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false });

  router.get('/identity/.well-known/openid-configuration', (req, res) => {
    const issuer = issuerOf(req);
    res.json({
      issuer,
      authorization_endpoint: `${issuer}/connect/authorize`,
      token_endpoint: `${issuer}/connect/token`,
      revocation_endpoint: `${issuer}/connect/revocation`,
      jwks_uri: `${issuer}/.well-known/openid-configuration/jwks`,
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  });

  router.get('/identity/.well-known/openid-configuration/jwks', (_req, res) => {
    res.json(signer.jwks());
  });

  router.get('/identity/connect/authorize', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const client = q.client_id ? identity.client(q.client_id) : undefined;
    if (!client || !q.redirect_uri || q.response_type !== 'code') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    identity.connect(client.clientId, tenants.ids());
    const code = identity.newCode({
      clientId: client.clientId,
      redirectUri: q.redirect_uri,
      scope: q.scope ?? '',
      nonce: q.nonce,
    });
    const target = new URL(q.redirect_uri);
    target.searchParams.set('code', code);
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    target.searchParams.set('scope', q.scope ?? '');
    res.redirect(302, target.toString());
  });

  router.post('/identity/connect/token', form, (req, res) => {
    const client = authenticateClient(req, identity);
    if (!client) {
      res.status(400).json({ error: 'invalid_client' });
      return;
    }
    const body = req.body as Record<string, string | undefined>;
    if (body.grant_type === 'authorization_code') {
      const pending = body.code ? identity.takeCode(body.code) : undefined;
      if (!pending || pending.clientId !== client || pending.redirectUri !== body.redirect_uri) {
        res.status(400).json({ error: 'invalid_grant' });
        return;
      }
      const tokens = identity.issue(client, pending.scope);
      res.json(tokenResponse(req, identity, signer, client, pending.scope, tokens, pending.nonce));
      return;
    }
    if (body.grant_type === 'refresh_token') {
      const rotated = body.refresh_token ? identity.rotate(body.refresh_token, client) : undefined;
      if (!rotated) {
        res.status(400).json({ error: 'invalid_grant' });
        return;
      }
      res.json(tokenResponse(req, identity, signer, client, rotated.scope, rotated, undefined));
      return;
    }
    res.status(400).json({ error: 'unsupported_grant_type' });
  });

  router.post('/identity/connect/revocation', form, (req, res) => {
    if (!authenticateClient(req, identity)) {
      res.status(400).json({ error: 'invalid_client' });
      return;
    }
    const token = (req.body as Record<string, string | undefined>).token;
    if (token) identity.revoke(token);
    res.status(200).end();
  });

  router.get('/connections', (req, res) => {
    const grant = bearerGrant(req, res, identity);
    if (!grant) return;
    res.json(
      identity.connectionsOf(grant.clientId).map((c) => ({
        id: c.id,
        authEventId: c.id,
        tenantId: c.tenantId,
        tenantType: 'ORGANISATION',
        tenantName: tenants.name(c.tenantId),
        createdDateUtc: new Date(c.createdMs).toISOString(),
        updatedDateUtc: new Date(c.updatedMs).toISOString(),
      })),
    );
  });

  router.delete('/connections/:id', (req, res) => {
    const grant = bearerGrant(req, res, identity);
    if (!grant) return;
    if (!identity.disconnect(grant.clientId, req.params.id)) {
      res.status(404).json({ Title: 'Not Found', Status: 404 });
      return;
    }
    res.status(204).end();
  });

  return router;
}

/** client_secret_basic (form-encoded id and secret inside Basic, per RFC 6749) or client_secret_post. */
function authenticateClient(req: Request, identity: IdentityState): string | undefined {
  const header = req.get('authorization');
  let id: string | undefined;
  let secret: string | undefined;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const at = decoded.indexOf(':');
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    id = unform(decoded.slice(0, at));
    secret = unform(decoded.slice(at + 1));
  } else {
    const body = req.body as Record<string, string | undefined>;
    id = body.client_id;
    secret = body.client_secret;
  }
  return id && secret && identity.client(id, secret) ? id : undefined;
}

function tokenResponse(
  req: Request,
  identity: IdentityState,
  signer: IdTokenSigner,
  clientId: string,
  scope: string,
  tokens: { accessToken: string; refreshToken: string },
  nonce: string | undefined,
) {
  const now = Math.floor(Date.now() / 1000);
  const idToken = scope.split(/\s+/).includes('openid')
    ? signer.sign({
        iss: issuerOf(req),
        aud: clientId,
        sub: identity.userId,
        iat: now,
        nbf: now,
        exp: now + 300,
        auth_time: now,
        xero_userid: identity.userId,
        global_session_id: identity.userId,
        email: 'accounts@example.test',
        given_name: 'Sim',
        family_name: 'User',
        preferred_username: 'accounts@example.test',
        ...(nonce ? { nonce } : {}),
      })
    : undefined;
  return {
    ...(idToken ? { id_token: idToken } : {}),
    access_token: tokens.accessToken,
    expires_in: ACCESS_TOKEN_SECONDS,
    token_type: 'Bearer',
    refresh_token: tokens.refreshToken,
    scope,
  };
}

/** The Bearer check shared by /connections and the accounting API. */
export function bearerGrant(req: Request, res: Response, identity: IdentityState) {
  const header = req.get('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  const grant = token ? identity.accessGrant(token) : undefined;
  if (!grant) {
    sendUnauthorized(res, 'AuthenticationUnsuccessful');
    return undefined;
  }
  if (grant.expired) {
    sendUnauthorized(res, `TokenExpired: token expired at ${new Date(grant.expiresAt).toISOString()}`);
    return undefined;
  }
  return grant;
}
