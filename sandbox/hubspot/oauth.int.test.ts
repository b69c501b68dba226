import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from './emulator.ts';
import { sdkClient } from './testing.ts';

const REDIRECT = 'http://localhost:8080/install/hubspot/callback';
let emulator: HubSpotEmulator;
let clock: ManualClock;
let portalId: number;

beforeEach(async () => {
  clock = new ManualClock();
  emulator = await startHubSpotEmulator({ clock });
  portalId = emulator.portals.create().id;
});
afterEach(async () => {
  await emulator.close();
});

async function authorize(query: Record<string, string>): Promise<URL> {
  const url = new URL('/oauth/authorize', emulator.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

const baseQuery = (): Record<string, string> => ({
  client_id: emulator.app.clientId,
  redirect_uri: REDIRECT,
  scope: 'oauth crm.objects.contacts.read crm.objects.contacts.write',
  state: 'st-123',
});

async function codeFor(): Promise<string> {
  const location = await authorize(baseQuery());
  return location.searchParams.get('code') ?? '';
}

describe('authorize', () => {
  it('redirects with code and state when approved', async () => {
    const location = await authorize(baseQuery());
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('code')).toMatch(/.+/);
  });

  it('redirects with error and error_description when the user declines', async () => {
    emulator.oauth.setDecision({ error: 'access_denied' });
    const location = await authorize(baseQuery());
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toMatch(/.+/);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('shows an error page instead of redirecting for an unknown client', async () => {
    const url = new URL('/oauth/authorize', emulator.url);
    url.search = new URLSearchParams({ ...baseQuery(), client_id: 'nope' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('token exchange through the SDK', () => {
  it('exchanges a code for a 30-minute token and learns the hub id', async () => {
    const client = sdkClient(emulator.url, '');
    const tokens = await client.oauth.tokensApi.create(
      'authorization_code',
      await codeFor(),
      REDIRECT,
      emulator.app.clientId,
      emulator.app.clientSecret,
    );
    expect(tokens.expiresIn).toBe(1800);
    expect(tokens.tokenType).toBe('bearer');
    const info = await client.oauth.accessTokensApi.get(tokens.accessToken);
    expect(info.hubId).toBe(portalId);
    expect(info.scopes).toEqual(['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write']);
  });

  it('refreshes with the refresh token and keeps the same refresh token', async () => {
    const client = sdkClient(emulator.url, '');
    const first = await client.oauth.tokensApi.create(
      'authorization_code',
      await codeFor(),
      REDIRECT,
      emulator.app.clientId,
      emulator.app.clientSecret,
    );
    await clock.advance(31 * 60_000);
    const refreshed = await client.oauth.tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      emulator.app.clientId,
      emulator.app.clientSecret,
      first.refreshToken,
    );
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(refreshed.refreshToken).toBe(first.refreshToken);
    await expect(
      sdkClient(emulator.url, refreshed.accessToken).crm.contacts.basicApi.getPage(1),
    ).resolves.toBeDefined();
  });

  it('rejects a used code with invalid_grant / BAD_AUTH_CODE', async () => {
    const client = sdkClient(emulator.url, '');
    const code = await codeFor();
    await client.oauth.tokensApi.create(
      'authorization_code',
      code,
      REDIRECT,
      emulator.app.clientId,
      emulator.app.clientSecret,
    );
    await expect(
      client.oauth.tokensApi.create(
        'authorization_code',
        code,
        REDIRECT,
        emulator.app.clientId,
        emulator.app.clientSecret,
      ),
    ).rejects.toMatchObject({
      code: 400,
      body: { error: 'invalid_grant', status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code' },
    });
  });

  it('rejects an unknown refresh token with the documented body', async () => {
    const client = sdkClient(emulator.url, '');
    await expect(
      client.oauth.tokensApi.create(
        'refresh_token',
        undefined,
        undefined,
        emulator.app.clientId,
        emulator.app.clientSecret,
        'na1-bogus',
      ),
    ).rejects.toMatchObject({
      code: 400,
      body: {
        error: 'invalid_grant',
        error_description: 'refresh token is invalid, expired or revoked',
        status: 'BAD_REFRESH_TOKEN',
        message: 'refresh token is invalid, expired or revoked',
      },
    });
  });

  it('answers 401 EXPIRED_AUTHENTICATION once the access token is 30 minutes old', async () => {
    const { accessToken } = emulator.oauth.issueTokens(portalId, ['crm.objects.contacts.read']);
    await clock.advance(30 * 60_000);
    await expect(sdkClient(emulator.url, accessToken).crm.contacts.basicApi.getPage(1)).rejects.toMatchObject(
      {
        code: 401,
        body: { status: 'error', category: 'EXPIRED_AUTHENTICATION' },
      },
    );
  });

  it('accepts the portal private-app token', async () => {
    const portal = emulator.portals.get(portalId);
    await expect(
      sdkClient(emulator.url, portal.privateAppToken).crm.companies.basicApi.getPage(1),
    ).resolves.toMatchObject({ results: [] });
  });
});
