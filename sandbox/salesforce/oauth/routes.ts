import { createHash, createHmac } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { formParams, queryParam, sendJson } from '../http.ts';
import type { Org, StoredRecord } from '../org.ts';
import type { EmulatorState } from '../state.ts';
import { JwtError, decodeAssertion, verifyRs256 } from './jwt.ts';
import type { ConnectedApp, Session } from './tokens.ts';

/** Token endpoint errors are HTTP 400 `{ error, error_description }` (salesforce.md §1.2). */
class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
// Salesforce allows about three minutes of clock skew on `exp`.
const JWT_SKEW_MS = 3 * 60_000;

const base64UrlSha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

export function oauthRouter(state: EmulatorState): Router {
  const router = Router();

  const appFor = (clientId: string | null | undefined): ConnectedApp => {
    const app = clientId ? state.tokens.apps.get(clientId) : undefined;
    if (!app) throw new OAuthError('invalid_client_id', 'client identifier invalid');
    return app;
  };

  const checkSecret = (app: ConnectedApp, secret: string | null): void => {
    if (secret === null ? app.requireSecret !== false : secret !== app.clientSecret) {
      throw new OAuthError('invalid_client', 'invalid client credentials');
    }
  };

  const tokenResponse = (
    session: Session,
    app: ConnectedApp,
    refreshToken?: string,
  ): Record<string, string> => {
    const id = state.identityUrl(session.orgId, session.userId);
    const issuedAt = String(session.issuedAt);
    const body: Record<string, string> = {
      access_token: session.accessToken,
      // signature: Base64 HMAC-SHA256 over id + issued_at keyed with the consumer secret.
      signature: createHmac('sha256', app.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
      scope: 'api refresh_token',
      instance_url: state.baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
    if (refreshToken !== undefined) body['refresh_token'] = refreshToken;
    return body;
  };

  router.get('/authorize', (req, res) => {
    const clientId = queryParam(req, 'client_id');
    const redirectUri = queryParam(req, 'redirect_uri');
    const app = clientId ? state.tokens.apps.get(clientId) : undefined;
    // Without a known client and registered callback there is nowhere safe to redirect to.
    if (!app) {
      sendJson(res, 400, {
        error: 'invalid_client_id',
        error_description: 'client identifier invalid',
      });
      return;
    }
    if (redirectUri === undefined || !app.redirectUris.includes(redirectUri)) {
      sendJson(res, 400, {
        error: 'redirect_uri_mismatch',
        error_description: 'redirect_uri must match configuration',
      });
      return;
    }
    const target = new URL(redirectUri);
    const stateParam = queryParam(req, 'state');
    if (stateParam !== undefined) target.searchParams.set('state', stateParam);
    const fail = (error: string, description: string): void => {
      target.searchParams.set('error', error);
      target.searchParams.set('error_description', description);
      res.redirect(302, target.toString());
    };
    if (queryParam(req, 'response_type') !== 'code') {
      fail('unsupported_response_type', 'response type not supported');
      return;
    }
    const hint = queryParam(req, 'login_hint');
    const found = hint !== undefined ? state.findUser(hint) : defaultUser(state);
    if (!found) {
      fail('access_denied', 'end-user denied authorization');
      return;
    }
    const challenge = queryParam(req, 'code_challenge');
    if (challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      fail('invalid_request', 'invalid code challenge');
      return;
    }
    const code = state.tokens.issueCode({
      orgId: found.org.id,
      userId: String(found.user.values['Id']),
      clientId: app.clientId,
      redirectUri,
      ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
    });
    target.searchParams.set('code', code.code);
    res.redirect(302, target.toString());
  });

  router.post('/token', (req, res) => {
    const p = formParams(req);
    const grantType = p.get('grant_type');
    if (grantType === 'authorization_code') {
      const app = appFor(p.get('client_id'));
      checkSecret(app, p.get('client_secret'));
      const code = state.tokens.code(p.get('code') ?? '');
      if (!code || code.clientId !== app.clientId)
        throw new OAuthError('invalid_grant', 'invalid authorization code');
      if (code.used) throw new OAuthError('invalid_grant', 'invalid authorization code');
      if (state.clock() > code.expiresAt) throw new OAuthError('invalid_grant', 'expired authorization code');
      if (p.get('redirect_uri') !== code.redirectUri) {
        throw new OAuthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
      }
      if (code.codeChallenge !== undefined) {
        // PKCE: no verifier → invalid_grant; a verifier that does not hash to the challenge → invalid_request.
        const verifier = p.get('code_verifier');
        if (verifier === null) throw new OAuthError('invalid_grant', 'invalid code verifier');
        if (base64UrlSha256(verifier) !== code.codeChallenge)
          throw new OAuthError('invalid_request', 'invalid code verifier');
      }
      code.used = true;
      const grant = state.tokens.issueRefreshToken(code.orgId, code.userId, app.clientId);
      const session = state.tokens.issueSession(code.orgId, code.userId, app.clientId, grant.refreshToken);
      sendJson(res, 200, tokenResponse(session, app, grant.refreshToken));
      return;
    }
    if (grantType === 'refresh_token') {
      const app = appFor(p.get('client_id'));
      const secret = p.get('client_secret');
      if (secret !== null && secret !== app.clientSecret)
        throw new OAuthError('invalid_client', 'invalid client credentials');
      const grant = state.tokens.refreshGrant(p.get('refresh_token') ?? '');
      if (!grant || grant.clientId !== app.clientId)
        throw new OAuthError('invalid_grant', 'expired access/refresh token');
      const session = state.tokens.issueSession(grant.orgId, grant.userId, app.clientId, grant.refreshToken);
      // The documented refresh response carries no new refresh token.
      sendJson(res, 200, tokenResponse(session, app));
      return;
    }
    if (grantType === JWT_GRANT) {
      const session = jwtSession(state, p.get('assertion') ?? '');
      // The JWT bearer answer carries no refresh token, signature or issued_at.
      const body = tokenResponse(session, appFor(session.clientId));
      delete body['signature'];
      delete body['issued_at'];
      sendJson(res, 200, body);
      return;
    }
    throw new OAuthError('unsupported_grant_type', 'grant type not supported');
  });

  const revoke = (req: Request, res: Response): void => {
    const tokenValue = formParams(req).get('token');
    if (tokenValue === null || !state.tokens.revoke(tokenValue)) {
      sendJson(res, 400, {
        error: 'unsupported_token_type',
        error_description: 'this token type is not supported',
      });
      return;
    }
    res.status(200).end();
  };
  router.post('/revoke', revoke);
  router.get('/revoke', revoke);

  router.get('/userinfo', (req, res) => {
    const found = bearerUser(state, req);
    if (!found) {
      res.status(403).setHeader('Content-Type', 'text/plain');
      res.end('Bad_OAuth_Token');
      return;
    }
    const { org, user } = found;
    const userId = String(user.values['Id']);
    sendJson(res, 200, {
      sub: state.identityUrl(org.id, userId),
      user_id: userId,
      organization_id: org.id,
      preferred_username: user.values['Username'],
      name: user.values['Name'],
      email: user.values['Email'],
      email_verified: true,
      active: true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      is_app_installed: true,
    });
  });

  router.use((err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (err instanceof OAuthError || err instanceof JwtError) {
      sendJson(res, err instanceof OAuthError ? err.status : 400, {
        error: err.error,
        error_description: err.description,
      });
      return;
    }
    next(err);
  });
  return router;
}

function defaultUser(state: EmulatorState): { org: Org; user: StoredRecord } | undefined {
  for (const org of state.orgs.values()) {
    for (const user of org.all('User')) return { org, user };
  }
  return undefined;
}

/** Resolves `Authorization: Bearer|OAuth <token>` (or `oauth_token=`) to the session's org and user. */
export function bearerUser(
  state: EmulatorState,
  req: Request,
  options: { touch?: boolean } = {},
): { org: Org; user: StoredRecord; session: Session } | undefined {
  const header = req.header('authorization') ?? '';
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header);
  const tokenValue = match?.[1] ?? queryParam(req, 'oauth_token');
  if (tokenValue === undefined) return undefined;
  const session = state.tokens.session(tokenValue, options);
  const org = session ? state.orgs.get(session.orgId) : undefined;
  const user = session && org ? org.get(session.userId) : undefined;
  return session && org && user ? { org, user, session } : undefined;
}

function jwtSession(state: EmulatorState, assertion: string): Session {
  const { header, claims, signed, signature } = decodeAssertion(assertion);
  if (header['alg'] !== 'RS256') throw new JwtError('invalid_grant', 'invalid assertion');
  const app = typeof claims.iss === 'string' ? state.tokens.apps.get(claims.iss) : undefined;
  if (!app) throw new JwtError('invalid_client_id', 'client identifier invalid');
  if (app.certificate === undefined || !verifyRs256(signed, signature, app.certificate)) {
    throw new JwtError('invalid_grant', 'invalid assertion');
  }
  const audiences = [state.baseUrl, ...state.settings.jwtAudiences].map((a) => a.replace(/\/$/, ''));
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a.replace(/\/$/, '')))) {
    throw new JwtError('invalid_grant', 'audience is invalid');
  }
  // `exp` is epoch seconds; @salesforce/core sends milliseconds (far future), which Salesforce accepts.
  if (typeof claims.exp !== 'number' || claims.exp * 1000 + JWT_SKEW_MS < state.clock()) {
    throw new JwtError('invalid_grant', 'expired authorization code');
  }
  const found = typeof claims.sub === 'string' ? state.findUser(claims.sub) : undefined;
  if (!found) throw new JwtError('invalid_grant', "user hasn't approved this consumer");
  return state.tokens.issueSession(found.org.id, String(found.user.values['Id']), app.clientId);
}
