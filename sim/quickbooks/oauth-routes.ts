import { Router, urlencoded } from 'express';
import type { TokenBook } from './token-book.js';

export interface OAuthSettings {
  /** The company the simulated user picks on the consent screen. */
  authorizeRealmId: string;
  /** client_id -> client_secret; when empty, any non-empty client pair is accepted. */
  clients: Record<string, string>;
}

/** Intuit's OAuth2 endpoints as intuit-oauth calls them: authorize, token (bearer) and revoke. */
export function oauthRoutes(tokens: TokenBook, settings: OAuthSettings): Router {
  const router = Router();

  // Consent is given at once: the simulated user always approves for the configured company.
  router.get('/oauth2/authorize', (req, res) => {
    const { client_id, redirect_uri, state, response_type } = req.query as Record<string, string | undefined>;
    if (!client_id || !redirect_uri || response_type !== 'code') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const target = new URL(redirect_uri);
    target.searchParams.set('code', tokens.issueCode(settings.authorizeRealmId, client_id, redirect_uri));
    if (state !== undefined) target.searchParams.set('state', state);
    target.searchParams.set('realmId', settings.authorizeRealmId);
    res.redirect(302, target.toString());
  });

  router.post('/oauth2/tokens/bearer', urlencoded({ extended: false }), (req, res) => {
    const clientId = basicClient(req.headers.authorization, settings.clients);
    if (!clientId) {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    const body = req.body as Record<string, string | undefined>;
    const issued =
      body.grant_type === 'authorization_code'
        ? tokens.exchangeCode(body.code ?? '', clientId, body.redirect_uri ?? '')
        : body.grant_type === 'refresh_token'
          ? tokens.useRefreshToken(body.refresh_token ?? '', clientId)
          : undefined;
    if (!issued) {
      res.status(400).json({ error: 'invalid_grant' });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(issued);
  });

  // intuit-oauth posts the token to revoke as JSON.
  router.post('/oauth2/revoke', urlencoded({ extended: false }), (req, res) => {
    if (!basicClient(req.headers.authorization, settings.clients)) {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    const token = (req.body as { token?: string } | undefined)?.token;
    if (!token) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    tokens.revoke(token);
    res.status(200).end();
  });
  return router;
}

function basicClient(header: string | undefined, clients: Record<string, string>): string | undefined {
  const match = /^Basic (.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const id = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (!secret) return undefined;
  if (Object.keys(clients).length > 0 && clients[id] !== secret) return undefined;
  return id;
}
