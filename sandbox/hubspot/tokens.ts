import { randomBytes, randomUUID } from 'node:crypto';

/**
 * OAuth codes, access tokens and refresh tokens, and the private-app token of each portal.
 * Access tokens last 30 minutes (hubspot.md §1.2); refresh tokens are long-lived and are not
 * rotated by a refresh; a code is single-use.
 */
export const ACCESS_TOKEN_TTL_MS = 30 * 60_000;
/** The lifetime of an authorization code is not documented; ten minutes follows RFC 6749 §4.1.2. */
export const AUTH_CODE_TTL_MS = 10 * 60_000;

export interface AccessToken {
  token: string;
  kind: 'oauth' | 'private';
  portalId: number;
  scopes: readonly string[];
  /** Null for private-app tokens, which do not expire. */
  expiresAt: number | null;
  appId: number | null;
  userId: number;
  user: string;
}

interface RefreshToken {
  token: string;
  portalId: number;
  scopes: readonly string[];
  clientId: string;
  userId: number;
  user: string;
}

interface AuthCode {
  code: string;
  portalId: number;
  scopes: readonly string[];
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  userId: number;
  user: string;
}

export class TokenRegistry {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, AuthCode>();

  issueCode(input: Omit<AuthCode, 'code'>): string {
    const code = `na1-${randomUUID()}`;
    this.codes.set(code, { ...input, code });
    return code;
  }

  /** Consumes a code (single use); undefined when unknown, used or expired. */
  takeCode(code: string, now: number): AuthCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    if (found === undefined || found.expiresAt <= now) return undefined;
    return found;
  }

  issueOAuthTokens(
    grant: { portalId: number; scopes: readonly string[]; clientId: string; userId: number; user: string },
    appId: number,
    now: number,
    refreshToken?: string,
  ): { accessToken: AccessToken; refreshToken: string } {
    const accessToken: AccessToken = {
      token: `CJ${randomBytes(48).toString('base64url')}`,
      kind: 'oauth',
      portalId: grant.portalId,
      scopes: [...grant.scopes],
      expiresAt: now + ACCESS_TOKEN_TTL_MS,
      appId,
      userId: grant.userId,
      user: grant.user,
    };
    this.access.set(accessToken.token, accessToken);
    const rt = refreshToken ?? `na1-${randomUUID()}`;
    if (!this.refresh.has(rt)) this.refresh.set(rt, { ...grant, token: rt, scopes: [...grant.scopes] });
    return { accessToken, refreshToken: rt };
  }

  findRefresh(token: string): RefreshToken | undefined {
    return this.refresh.get(token);
  }

  /** Deleting a refresh token leaves access tokens it minted alive (hubspot.md §1.2). */
  deleteRefresh(token: string): boolean {
    return this.refresh.delete(token);
  }

  registerPrivate(portalId: number, token: string, scopes: readonly string[]): void {
    this.access.set(token, {
      token,
      kind: 'private',
      portalId,
      scopes,
      expiresAt: null,
      appId: null,
      userId: 1,
      user: 'private-app',
    });
  }

  lookup(token: string): AccessToken | undefined {
    return this.access.get(token);
  }

  /** Drops every token of a portal (uninstall). */
  revokePortal(portalId: number): void {
    for (const [k, v] of this.access)
      if (v.portalId === portalId && v.kind === 'oauth') this.access.delete(k);
    for (const [k, v] of this.refresh) if (v.portalId === portalId) this.refresh.delete(k);
  }
}
