import { createHash } from 'node:crypto';
import jsforce from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type OrgHandle, type SalesforceEmulator } from './index.ts';

const app = { clientId: 'leadgate-app', clientSecret: 'shh', redirectUris: ['http://127.0.0.1:9/callback'] };
let emulator: SalesforceEmulator;
let org: OrgHandle;
let now = Date.parse('2026-03-02T23:00:00Z');

beforeEach(async () => {
  emulator = await startSalesforceEmulator({ clock: () => now, connectedApps: [app] });
  org = emulator.createOrg({ dailyApiLimit: 5 });
});

afterEach(async () => {
  await emulator.close();
});

const oauth2 = () =>
  new jsforce.OAuth2({
    loginUrl: emulator.url,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: app.redirectUris[0] ?? '',
    useVerifier: true,
  });

/** Follows the authorize redirect the way a browser would, returning the callback's query. */
async function approve(authUrl: string): Promise<URLSearchParams> {
  const res = await fetch(authUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '').searchParams;
}

describe('web-server flow with PKCE', () => {
  it('exchanges the code for tokens pointing back at the emulator', async () => {
    const o = oauth2();
    const callback = await approve(o.getAuthorizationUrl({ state: 'st-1', login_hint: org.username }));
    expect(callback.get('state')).toBe('st-1');
    const conn = new jsforce.Connection({ oauth2: o, version: '64.0' });
    const info = await conn.authorize(callback.get('code') ?? '');
    expect(info).toEqual({
      id: org.userId,
      organizationId: org.id,
      url: `${emulator.url}/id/${org.id}/${org.userId}`,
    });
    expect(conn.instanceUrl).toBe(emulator.url);
    expect(conn.refreshToken).toBeTruthy();
    const identity = await conn.identity();
    expect(identity.username).toBe(org.username);
  });

  it('signs id + issued_at with the client secret', async () => {
    const o = oauth2();
    const code = (await approve(o.getAuthorizationUrl())).get('code') ?? '';
    const res = await o.requestToken(code);
    const expected = (await import('node:crypto'))
      .createHmac('sha256', app.clientSecret)
      .update(res.id + res.issued_at)
      .digest('base64');
    expect(res.signature).toBe(expected);
    expect(res.token_type).toBe('Bearer');
  });

  it('refuses a verifier that does not match the challenge with invalid_request', async () => {
    const o = oauth2();
    const code = (await approve(o.getAuthorizationUrl())).get('code') ?? '';
    o.codeVerifier = 'not-the-verifier-that-made-the-challenge-at-all-0123456789';
    await expect(o.requestToken(code)).rejects.toMatchObject({
      name: 'invalid_request',
      message: 'invalid code verifier',
    });
  });

  it('refuses a reused code with invalid_grant', async () => {
    const o = oauth2();
    const code = (await approve(o.getAuthorizationUrl())).get('code') ?? '';
    await o.requestToken(code);
    await expect(o.requestToken(code)).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('checks the challenge as base64url(SHA-256(verifier))', async () => {
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = `${emulator.url}/services/oauth2/authorize?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent(app.redirectUris[0] ?? '')}&code_challenge=${challenge}`;
    const code = (await approve(url)).get('code') ?? '';
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: app.redirectUris[0] ?? '',
    });
    const missing = await fetch(`${emulator.url}/services/oauth2/token`, { method: 'POST', body });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'invalid code verifier',
    });
  });
});

describe('refresh and expiry', () => {
  it('refreshes an expired session inside jsforce and retries the call', async () => {
    const { accessToken, refreshToken } = org.issueToken({ clientId: app.clientId, withRefreshToken: true });
    const conn = new jsforce.Connection({
      oauth2: oauth2(),
      instanceUrl: emulator.url,
      accessToken,
      refreshToken: refreshToken ?? '',
      version: '64.0',
    });
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    org.expireSessions();
    const result = await conn.query('SELECT Id FROM Lead');
    expect(result.totalSize).toBe(0);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).toBe(refreshed[0]);
  });

  it('answers INVALID_SESSION_ID for a revoked token', async () => {
    const { accessToken } = org.issueToken({ clientId: app.clientId, withRefreshToken: true });
    await oauth2().revokeToken(accessToken);
    const conn = new jsforce.Connection({ instanceUrl: emulator.url, accessToken, version: '64.0' });
    await expect(conn.query('SELECT Id FROM Lead')).rejects.toMatchObject({
      errorCode: 'INVALID_SESSION_ID',
    });
  });

  it('refuses a revoked refresh token with invalid_grant', async () => {
    const { refreshToken } = org.issueToken({ clientId: app.clientId, withRefreshToken: true });
    await oauth2().revokeToken(refreshToken ?? '');
    await expect(oauth2().refreshToken(refreshToken ?? '')).rejects.toMatchObject({ name: 'invalid_grant' });
  });
});

describe('daily API allocation', () => {
  it('refuses calls with REQUEST_LIMIT_EXCEEDED once spent and resets the next day', async () => {
    const conn = new jsforce.Connection({
      instanceUrl: emulator.url,
      accessToken: org.issueToken().accessToken,
      version: '64.0',
    });
    for (let i = 0; i < 5; i += 1) await conn.query('SELECT Id FROM Lead');
    expect(conn.limitInfo.apiUsage).toEqual({ used: 5, limit: 5 });
    await expect(conn.query('SELECT Id FROM Lead')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    now += 2 * 60 * 60 * 1000; // past midnight UTC
    const fresh = new jsforce.Connection({
      instanceUrl: emulator.url,
      accessToken: org.issueToken().accessToken,
      version: '64.0',
    });
    await fresh.query('SELECT Id FROM Lead');
    expect(fresh.limitInfo.apiUsage).toEqual({ used: 1, limit: 5 });
  });
});
