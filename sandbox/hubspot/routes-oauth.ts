import { HubSpotHttpError, notFound } from './errors.ts';
import type { RouteRequest, RouteResult, Router } from './router.ts';
import { ALL_SCOPES, type EmulatorState } from './state.ts';
import { ACCESS_TOKEN_TTL_MS, AUTH_CODE_TTL_MS } from './tokens.ts';

/**
 * OAuth as HubSpot runs it (hubspot.md §1): the authorize page redirects with `code` and `state`
 * (or `error` and `error_description`); `POST /oauth/v1/token` takes a form-encoded body for the
 * authorization_code and refresh_token grants and answers 30-minute access tokens; errors carry
 * RFC 6749 `error`/`error_description` plus HubSpot's `status`/`message` (no category).
 */

export interface AuthorizeDecision {
  /** Approve (default) or answer this OAuth error code, e.g. `access_denied`. */
  error?: string;
  /** Which portal the installing user picks; the account-specific URL wins over it. */
  portalId?: number;
}

function oauthError(error: string, status: string, message: string): HubSpotHttpError {
  return new HubSpotHttpError(400, { error, error_description: message, status, message });
}

function page(status: number, title: string, text: string): RouteResult {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status,
    html: `<!doctype html><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>`,
  };
}

function redirect(target: URL): RouteResult {
  return { status: 302, headers: { Location: target.toString() } };
}

function redirectAllowed(state: EmulatorState, uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return state.app.redirectUrls.length === 0 || state.app.redirectUrls.includes(uri);
}

function authorize(state: EmulatorState, decision: () => AuthorizeDecision, req: RouteRequest): RouteResult {
  const q = req.query;
  const clientId = q.get('client_id');
  const redirectUri = q.get('redirect_uri');
  // Never redirect to an unverified URL: a bad client or redirect_uri gets an error page instead.
  if (clientId !== state.app.clientId)
    return page(400, 'Authorization failed', `Unknown client_id "${clientId ?? ''}".`);
  if (redirectUri === null || !redirectAllowed(state, redirectUri)) {
    return page(
      400,
      'Authorization failed',
      `redirect_uri "${redirectUri ?? ''}" does not match the app's redirect URLs.`,
    );
  }
  const target = new URL(redirectUri);
  const withState = (): URL => {
    const st = q.get('state');
    if (st !== null) target.searchParams.set('state', st);
    return target;
  };
  const fail = (error: string, description: string): RouteResult => {
    target.searchParams.set('error', error);
    target.searchParams.set('error_description', description);
    return redirect(withState());
  };
  // Scopes are "separated by URL-encoded spaces (%20)".
  const scopes = (q.get('scope') ?? '').split(' ').filter((s) => s !== '');
  const optional = (q.get('optional_scope') ?? '').split(' ').filter((s) => s !== '');
  if (scopes.length === 0) return fail('invalid_scope', 'scope is required');
  const known = new Set<string>(ALL_SCOPES);
  const unknown = scopes.filter((s) => !known.has(s));
  if (unknown.length > 0) return fail('invalid_scope', `Unknown scopes: ${unknown.join(', ')}`);
  const d = decision();
  if (d.error !== undefined) return fail(d.error, 'The user did not approve the app');
  const pathPortal = req.params.portalId === undefined ? undefined : Number(req.params.portalId);
  const portalId = pathPortal ?? d.portalId ?? [...state.portals.keys()][0];
  if (portalId === undefined || !state.portals.has(portalId))
    return fail('invalid_request', 'No such HubSpot account');
  // Optional scopes are "dropped if the selected HubSpot portal does not have access"; every emulated portal has them all.
  const granted = [...new Set([...scopes, ...optional.filter((s) => known.has(s))])];
  const code = state.tokens.issueCode({
    portalId,
    scopes: granted,
    clientId,
    redirectUri,
    expiresAt: req.now + AUTH_CODE_TTL_MS,
    userId: 1001,
    user: 'admin@example.com',
  });
  target.searchParams.set('code', code);
  return redirect(withState());
}

function token(state: EmulatorState, req: RouteRequest): RouteResult {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw oauthError(
      'invalid_request',
      'BAD_REQUEST',
      'The token endpoint takes an application/x-www-form-urlencoded body',
    );
  }
  const form = new URLSearchParams(req.rawBody.toString('utf8'));
  const grantType = form.get('grant_type');
  if (form.get('client_id') !== state.app.clientId)
    throw oauthError('invalid_client', 'BAD_CLIENT_ID', 'missing or unknown client id');
  if (form.get('client_secret') !== state.app.clientSecret)
    throw oauthError('invalid_client', 'BAD_CLIENT_SECRET', 'missing or invalid client secret');
  let grant: { portalId: number; scopes: readonly string[]; clientId: string; userId: number; user: string };
  let refresh: string | undefined;
  if (grantType === 'authorization_code') {
    const code = state.tokens.takeCode(form.get('code') ?? '', req.now);
    if (code === undefined)
      throw oauthError('invalid_grant', 'BAD_AUTH_CODE', 'missing or unknown auth code');
    if (form.get('redirect_uri') !== code.redirectUri)
      throw oauthError(
        'invalid_grant',
        'BAD_REDIRECT_URI',
        'redirect_uri does not match the one used to authorize',
      );
    grant = code;
  } else if (grantType === 'refresh_token') {
    refresh = form.get('refresh_token') ?? '';
    const found = state.tokens.findRefresh(refresh);
    if (found === undefined || found.clientId !== state.app.clientId) {
      throw oauthError('invalid_grant', 'BAD_REFRESH_TOKEN', 'refresh token is invalid, expired or revoked');
    }
    grant = found;
  } else {
    throw oauthError(
      'unsupported_grant_type',
      'BAD_GRANT_TYPE',
      `unsupported grant_type "${grantType ?? ''}"`,
    );
  }
  const issued = state.tokens.issueOAuthTokens(grant, state.app.appId, req.now, refresh);
  return {
    status: 200,
    body: {
      token_type: 'bearer',
      refresh_token: issued.refreshToken,
      access_token: issued.accessToken.token,
      expires_in: ACCESS_TOKEN_TTL_MS / 1000,
      token_use: 'access_token',
    },
  };
}

export function registerOAuthRoutes(
  router: Router,
  state: EmulatorState,
  decision: () => AuthorizeDecision,
): void {
  const auth = { auth: 'none', limit: 'none' } as const;
  router.add({
    method: 'GET',
    pattern: '/oauth/authorize',
    ...auth,
    handler: (req) => authorize(state, decision, req),
  });
  router.add({
    method: 'GET',
    pattern: '/oauth/:portalId/authorize',
    ...auth,
    handler: (req) => authorize(state, decision, req),
  });
  router.add({ method: 'POST', pattern: '/oauth/v1/token', ...auth, handler: (req) => token(state, req) });

  router.add({
    method: 'GET',
    pattern: '/oauth/v1/access-tokens/:token',
    ...auth,
    handler: (req) => {
      const t = state.tokens.lookup(req.params.token ?? '');
      // An expired token is as unknown as a made-up one (the exact answer is UNVERIFIED; 404 is the stricter).
      if (t === undefined || t.kind !== 'oauth' || t.expiresAt === null || t.expiresAt <= req.now) {
        throw notFound('The access token is invalid, expired or revoked');
      }
      const portal = state.portals.get(t.portalId);
      return {
        status: 200,
        body: {
          token: t.token,
          user: t.user,
          hub_domain: portal?.domain ?? '',
          scopes: t.scopes,
          hub_id: t.portalId,
          app_id: t.appId,
          expires_in: Math.floor((t.expiresAt - req.now) / 1000),
          user_id: t.userId,
          token_type: 'access',
        },
      };
    },
  });

  router.add({
    method: 'GET',
    pattern: '/oauth/v1/refresh-tokens/:token',
    ...auth,
    handler: (req) => {
      const t = state.tokens.findRefresh(req.params.token ?? '');
      if (t === undefined) throw notFound('The refresh token is invalid or revoked');
      return {
        status: 200,
        body: {
          token: t.token,
          user: t.user,
          hub_domain: state.portals.get(t.portalId)?.domain ?? '',
          scopes: t.scopes,
          hub_id: t.portalId,
          client_id: t.clientId,
          user_id: t.userId,
          token_type: 'refresh',
        },
      };
    },
  });

  router.add({
    method: 'DELETE',
    pattern: '/oauth/v1/refresh-tokens/:token',
    ...auth,
    handler: (req) => {
      if (!state.tokens.deleteRefresh(req.params.token ?? ''))
        throw notFound('The refresh token is invalid or revoked');
      return { status: 204 };
    },
  });
}
