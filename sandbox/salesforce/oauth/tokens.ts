import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** PEM certificate or public key that verifies JWT bearer assertions. */
  certificate?: string;
  /** Salesforce can require the consumer secret with PKCE for server clients; default true. */
  requireSecret?: boolean;
}

export interface Session {
  accessToken: string;
  orgId: string;
  userId: string;
  clientId: string;
  issuedAt: number;
  lastUsedAt: number;
  refreshToken?: string;
  revoked: boolean;
}

export interface RefreshGrant {
  refreshToken: string;
  orgId: string;
  userId: string;
  clientId: string;
  revoked: boolean;
}

export interface AuthCode {
  code: string;
  orgId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
}

const token = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** Sessions, refresh tokens and authorization codes for every org of the emulator. */
export class TokenRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();
  private readonly codes = new Map<string, AuthCode>();
  readonly apps = new Map<string, ConnectedApp>();

  constructor(
    private readonly clock: Clock,
    /** Sessions end after this much inactivity (Salesforce's default session timeout is 2 hours). */
    private readonly sessionTimeoutMs: number,
  ) {}

  issueSession(orgId: string, userId: string, clientId: string, refreshToken?: string): Session {
    const now = this.clock();
    // Real access tokens start with the 15-character org id and a `!`.
    const session: Session = {
      accessToken: `${orgId.slice(0, 15)}!${token(48)}`,
      orgId,
      userId,
      clientId,
      issuedAt: now,
      lastUsedAt: now,
      revoked: false,
    };
    if (refreshToken !== undefined) session.refreshToken = refreshToken;
    this.sessions.set(session.accessToken, session);
    return session;
  }

  issueRefreshToken(orgId: string, userId: string, clientId: string): RefreshGrant {
    const grant: RefreshGrant = { refreshToken: `5Aep${token(60)}`, orgId, userId, clientId, revoked: false };
    this.refreshGrants.set(grant.refreshToken, grant);
    return grant;
  }

  /**
   * The live session for a bearer token, touching its inactivity timer unless `touch` is false (CometD
   * long polls do not keep a session alive); undefined when expired or revoked.
   */
  session(accessToken: string, options: { touch?: boolean } = {}): Session | undefined {
    const s = this.sessions.get(accessToken);
    if (!s || s.revoked) return undefined;
    const now = this.clock();
    if (now - s.lastUsedAt > this.sessionTimeoutMs) return undefined;
    if (options.touch !== false) s.lastUsedAt = now;
    return s;
  }

  refreshGrant(refreshToken: string): RefreshGrant | undefined {
    const g = this.refreshGrants.get(refreshToken);
    return g && !g.revoked ? g : undefined;
  }

  /** Revoking a refresh token also revokes the access tokens issued from it. Returns false for unknown tokens. */
  revoke(tokenValue: string): boolean {
    const s = this.sessions.get(tokenValue);
    if (s) {
      s.revoked = true;
      return true;
    }
    const g = this.refreshGrants.get(tokenValue);
    if (!g) return false;
    g.revoked = true;
    for (const session of this.sessions.values())
      if (session.refreshToken === tokenValue) session.revoked = true;
    return true;
  }

  /** Test hook: end every session (of one org, or all), as a timeout or an admin would. */
  expireSessions(orgId?: string): void {
    for (const s of this.sessions.values()) if (orgId === undefined || s.orgId === orgId) s.revoked = true;
  }

  issueCode(code: Omit<AuthCode, 'code' | 'used' | 'expiresAt'>): AuthCode {
    // Authorization codes are valid for 15 minutes and only once.
    const full: AuthCode = {
      ...code,
      code: `aPrx${token(36)}`,
      used: false,
      expiresAt: this.clock() + 15 * 60_000,
    };
    this.codes.set(full.code, full);
    return full;
  }

  code(code: string): AuthCode | undefined {
    return this.codes.get(code);
  }
}
