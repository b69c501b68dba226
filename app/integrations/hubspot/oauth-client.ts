import { Client } from '@hubspot/api-client';
import { REDACTED, redactString } from '../../kit/logging/index.ts';

/** HubSpot's OAuth host for API calls; the authorize page is on app.hubspot.com (hubspot.md §1.1). */
export const HUBSPOT_API_BASE = 'https://api.hubapi.com';
export const HUBSPOT_AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';

export interface OAuthClientSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** API host without a trailing slash (the emulator in the sandbox); HubSpot's when absent. */
  readonly basePath?: string;
  /** The authorize page; HubSpot's when absent (the SDK hard-codes it and ignores basePath, §1.1). */
  readonly authorizeUrl?: string;
}

export interface TokenGrant {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds, as HubSpot answers (`expires_in`, 1800 for 30-minute tokens). */
  readonly expiresIn: number;
}

/** The token endpoint said `invalid_grant`: the refresh token is revoked (uninstall) or the code is bad. */
export class InvalidGrantError extends Error {
  constructor(readonly hubspotStatus: string) {
    super(`HubSpot answered invalid_grant (${hubspotStatus})`);
    this.name = 'InvalidGrantError';
  }
}

export interface HubSpotOAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly basePath: string;
  readonly authorizeUrl: string;
  exchangeCode(code: string, redirectUri: string): Promise<TokenGrant>;
  refresh(refreshToken: string): Promise<TokenGrant>;
  /** `GET /oauth/v1/access-tokens/{token}` → `hub_id`, the portal id (hubspot.md §1.3). */
  portalIdOf(accessToken: string): Promise<number>;
}

function invalidGrant(error: unknown): InvalidGrantError | undefined {
  if (typeof error !== 'object' || error === null || !('body' in error)) return undefined;
  const body: unknown = error.body;
  if (typeof body !== 'object' || body === null || !('error' in body) || body.error !== 'invalid_grant') {
    return undefined;
  }
  const status = 'status' in body && typeof body.status === 'string' ? body.status : 'invalid_grant';
  return new InvalidGrantError(status);
}

/**
 * The error of a call whose URL carries `secret` (the token introspection path), rebuilt without it:
 * node-fetch's network errors say `request to <url> failed`, and the message and stack end up in logs,
 * in a job's stored error and in any error that wraps this one. The original is dropped, not kept as
 * `cause`, since it would carry the token on. HTTP answers keep their status (`code`) and body, which
 * hold no token, so `invalidGrant` and callers can still tell a 401 from a 404.
 */
function withoutSecret(error: unknown, secret: string): Error {
  const scrub = (text: string): string =>
    redactString(text.split(secret).join(REDACTED).split(encodeURIComponent(secret)).join(REDACTED));
  // Built here from HubSpot's status word alone: nothing to scrub, and callers match on its class.
  if (error instanceof InvalidGrantError) return error;
  if (!(error instanceof Error)) return new Error(scrub(String(error)));
  const clean = new Error(scrub(error.message));
  clean.name = error.name;
  if (error.stack !== undefined) clean.stack = scrub(error.stack);
  const fields = error as unknown as Record<string, unknown>;
  for (const key of ['code', 'errno', 'type'] as const) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') Object.assign(clean, { [key]: value });
  }
  if (fields.body !== undefined) {
    const body: unknown = JSON.parse(scrub(JSON.stringify(fields.body)));
    Object.assign(clean, { body });
  }
  return clean;
}

function toGrant(t: { accessToken: string; refreshToken: string; expiresIn: number }): TokenGrant {
  if (typeof t.accessToken !== 'string' || t.accessToken === '' || typeof t.refreshToken !== 'string') {
    throw new Error('HubSpot token response lacks access_token or refresh_token');
  }
  if (!Number.isFinite(t.expiresIn) || t.expiresIn <= 0) {
    throw new Error('HubSpot token response has no positive expires_in');
  }
  return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresIn: t.expiresIn };
}

/** The token calls through the real SDK (`oauth.tokensApi.create` posts the v1 form, §1.2). */
export function createHubSpotOAuthClient(settings: OAuthClientSettings): HubSpotOAuthClient {
  const basePath = settings.basePath ?? HUBSPOT_API_BASE;
  // No access token on this client: the token endpoint authenticates with client id and secret.
  const client = new Client({ basePath });
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw invalidGrant(error) ?? error;
    }
  };
  return {
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    basePath,
    authorizeUrl: settings.authorizeUrl ?? HUBSPOT_AUTHORIZE_URL,
    exchangeCode: async (code, redirectUri) =>
      toGrant(
        await call(() =>
          client.oauth.tokensApi.create(
            'authorization_code',
            code,
            redirectUri,
            settings.clientId,
            settings.clientSecret,
          ),
        ),
      ),
    refresh: async (refreshToken) =>
      toGrant(
        await call(() =>
          client.oauth.tokensApi.create(
            'refresh_token',
            undefined,
            undefined,
            settings.clientId,
            settings.clientSecret,
            refreshToken,
          ),
        ),
      ),
    portalIdOf: async (accessToken) => {
      // The token is in the URL path (hubspot.md §1.3): no error of this call may carry it on.
      const info = await call(() => client.oauth.accessTokensApi.get(accessToken)).catch((error: unknown) => {
        throw withoutSecret(error, accessToken);
      });
      if (!Number.isSafeInteger(info.hubId) || info.hubId <= 0) {
        throw new Error('HubSpot access-token info has no hub_id');
      }
      return info.hubId;
    },
  };
}
