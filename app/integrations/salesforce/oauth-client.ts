import { createHash, randomBytes } from 'node:crypto';
import jsforce from 'jsforce';

type OAuth2 = InstanceType<typeof jsforce.OAuth2>;
type TokenResponse = Awaited<ReturnType<OAuth2['requestToken']>>;

export const SALESFORCE_LOGIN_URL = 'https://login.salesforce.com';
/** Always explicit: jsforce defaults to API 50.0 (salesforce.md §0). */
export const SALESFORCE_API_VERSION = '64.0';

export interface SalesforceOAuthSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Login host without trailing slash (the emulator in the sandbox); login.salesforce.com when absent. */
  readonly loginUrl?: string;
}

/** What a token answer tells us. Salesforce sends no `expires_in`: sessions end on inactivity (§1.2). */
export interface SalesforceGrant {
  readonly accessToken: string;
  /** Absent for the JWT bearer flow and on refresh answers (salesforce.md §1.4, §1.5). */
  readonly refreshToken: string | null;
  readonly instanceUrl: string;
  readonly orgId: string;
  readonly userId: string;
}

/** The token endpoint said `invalid_grant`: refresh token revoked, code used or bad verifier. */
export class SalesforceInvalidGrantError extends Error {
  constructor(readonly description: string) {
    super(`Salesforce answered invalid_grant (${description})`);
    this.name = 'SalesforceInvalidGrantError';
  }
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

/** RFC 7636 S256: challenge = base64url(SHA-256(verifier)), no padding (salesforce.md §1.3). */
export function newPkce(): Pkce {
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}

/** `id` is `<login>/id/<orgId>/<userId>`; jsforce parses it the same way (salesforce.md §1.7). */
export function parseIdentityUrl(id: string): { orgId: string; userId: string } {
  const parts = new URL(id).pathname.split('/').filter((p) => p !== '');
  const userId = parts.at(-1);
  const orgId = parts.at(-2);
  if (parts.at(-3) !== 'id' || orgId === undefined || userId === undefined || !/^00D\w{12,15}$/.test(orgId)) {
    throw new Error('Salesforce token response has no identity URL with an org id');
  }
  return { orgId, userId };
}

export interface SalesforceOAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly loginUrl: string;
  authorizeUrl(redirectUri: string, state: string, verifier: string): string;
  exchangeCode(code: string, redirectUri: string, verifier: string): Promise<SalesforceGrant>;
  refresh(refreshToken: string): Promise<SalesforceGrant>;
}

function translate(error: unknown): unknown {
  // jsforce throws an Error named after the OAuth `error` field, message = error_description (§1.2).
  if (error instanceof Error && error.name === 'invalid_grant')
    return new SalesforceInvalidGrantError(error.message);
  return error;
}

/**
 * The org the token belongs to, from the identity URL, confirmed by `/services/oauth2/userinfo` on the
 * instance: the response's `signature` is the only other integrity check and its recipe is unverified
 * (salesforce.md §1.2), so we ask the server that honours the token instead.
 */
async function grantOf(res: TokenResponse, refreshToken: string | null): Promise<SalesforceGrant> {
  if (
    typeof res.access_token !== 'string' ||
    res.access_token === '' ||
    typeof res.instance_url !== 'string'
  ) {
    throw new Error('Salesforce token response lacks access_token or instance_url');
  }
  const { orgId, userId } = parseIdentityUrl(res.id);
  const conn = new jsforce.Connection({
    instanceUrl: res.instance_url,
    accessToken: res.access_token,
    version: SALESFORCE_API_VERSION,
  });
  const info = await conn.request<{ organization_id?: unknown }>('/services/oauth2/userinfo');
  if (info.organization_id !== orgId) throw new Error('Salesforce userinfo names another org than the token');
  return { accessToken: res.access_token, refreshToken, instanceUrl: res.instance_url, orgId, userId };
}

/** The web-server flow through jsforce's OAuth2, with our own PKCE verifier (salesforce.md §1.3). */
export function createSalesforceOAuthClient(settings: SalesforceOAuthSettings): SalesforceOAuthClient {
  const loginUrl = settings.loginUrl ?? SALESFORCE_LOGIN_URL;
  const oauth2 = (redirectUri?: string, verifier?: string): OAuth2 => {
    const o = new jsforce.OAuth2({
      loginUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      ...(redirectUri === undefined ? {} : { redirectUri }),
    });
    // jsforce keeps its verifier in memory only; the callback may land on another process, so the
    // verifier comes from the state row. With it set, the authorize URL carries `code_challenge` and
    // the token POST `code_verifier` (jsforce sends no `code_challenge_method`; S256 is the default).
    if (verifier !== undefined) o.codeVerifier = verifier;
    return o;
  };
  return {
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    loginUrl,
    authorizeUrl: (redirectUri, state, verifier) =>
      oauth2(redirectUri, verifier).getAuthorizationUrl({ state, scope: 'api refresh_token' }),
    exchangeCode: async (code, redirectUri, verifier) => {
      let res: TokenResponse;
      try {
        res = await oauth2(redirectUri, verifier).requestToken(code);
      } catch (error) {
        throw translate(error);
      }
      if (typeof res.refresh_token !== 'string' || res.refresh_token === '') {
        throw new Error('Salesforce gave no refresh token: the app needs the refresh_token scope');
      }
      return grantOf(res, res.refresh_token);
    },
    refresh: async (refreshToken) => {
      let res: TokenResponse;
      try {
        res = await oauth2().refreshToken(refreshToken);
      } catch (error) {
        throw translate(error);
      }
      // A refresh answer carries no new refresh token: the old one stays valid (salesforce.md §1.4).
      return grantOf(res, res.refresh_token ?? refreshToken);
    },
  };
}
