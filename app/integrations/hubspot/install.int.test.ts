import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HUBSPOT_SCOPES, LEADGATE_PROPERTIES } from '../../../connectors/hubspot/index.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../sandbox/hubspot/index.ts';
import { loadConfig } from '../../kit/config/index.ts';
import { loadTokens } from './index.ts';
import { buildRuntime, type Runtime } from '../../runtime/index.ts';
import { capturedLogger } from '../../runtime/testdata/support.ts';
import { createMetrics } from '../../kit/http/index.ts';
import { STATE_TTL_MS } from '../oauth-state.ts';

let dir: string;
let emulator: HubSpotEmulator;
let runtime: Runtime;
let offset = 0;
let portalId: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-install-'));
  offset = 0;
  emulator = await startHubSpotEmulator();
  portalId = emulator.portals.create().id;
  runtime = await buildRuntime(loadConfig({ LEADGATE_DATA_DIR: dir, PORT: '0' }), {
    logger: capturedLogger().logger,
    metrics: createMetrics(),
    clock: { now: () => Date.now() + offset },
    // No job types: these tests look at what is queued, not at the pipeline running it.
    handlers: {},
    hubspot: {
      clientId: emulator.app.clientId,
      clientSecret: emulator.app.clientSecret,
      basePath: emulator.url,
      authorizeUrl: `${emulator.url}/oauth/authorize`,
      appId: emulator.app.appId,
    },
  });
});

afterEach(async () => {
  await runtime.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Follows our redirect to the authorize page, which redirects back with code and state. */
async function authorize(): Promise<URL> {
  const start = await fetch(`${runtime.urls.base}/install/hubspot`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorizeAt = start.headers.get('location') ?? '';
  const approved = await fetch(authorizeAt, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  return new URL(approved.headers.get('location') ?? '');
}

describe('GET /install/hubspot', () => {
  it('redirects to the authorize page with client id, the scopes, the callback and a state', async () => {
    const res = await fetch(`${runtime.urls.base}/install/hubspot`, { redirect: 'manual' });
    const url = new URL(res.headers.get('location') ?? '');
    expect(url.origin + url.pathname).toBe(`${emulator.url}/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe(emulator.app.clientId);
    expect(url.searchParams.get('scope')).toBe(HUBSPOT_SCOPES.join(' '));
    expect(res.headers.get('location')).toContain('scope=oauth%20');
    expect(url.searchParams.get('redirect_uri')).toBe(`${runtime.urls.base}/install/hubspot/callback`);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('the OAuth callback', () => {
  it('stores the tenant and encrypted tokens, creates the properties and queues the backfill', async () => {
    const callback = await authorize();
    const res = await fetch(callback);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('leadgate is installed');

    const tenant = await runtime.store.findTenantByExternalId('hubspot', String(portalId));
    expect(tenant?.status).toBe('active');
    const tokens = await loadTokens(runtime.store, runtime.keyRing, tenant?.id ?? '');
    expect(tokens?.accessToken).toMatch(/.+/);
    // At rest only ciphertext: the raw database file holds neither token.
    const raw = readFileSync(join(dir, 'leadgate.sqlite3'));
    expect(raw.includes(tokens?.accessToken ?? 'x')).toBe(false);
    expect(raw.includes(tokens?.refreshToken ?? 'x')).toBe(false);

    const props = emulator.portals.get(portalId).propertyDefs('contacts');
    for (const p of LEADGATE_PROPERTIES) expect(props.has(p.name)).toBe(true);
    const counts = await runtime.store.countJobs(tenant?.id);
    expect(counts.queued).toBe(1);
    const audit = await runtime.store.listAuditRows(tenant?.id ?? '', 0, 10);
    expect(audit.map((a) => a.action)).toContain('install');
  });

  it('refuses a state used twice with 400 in the error shape', async () => {
    const callback = await authorize();
    expect((await fetch(callback)).status).toBe(200);
    const again = await fetch(callback);
    expect(again.status).toBe(400);
    const body = (await again.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toContain('state');
  });

  it('refuses a state older than 10 minutes', async () => {
    const callback = await authorize();
    offset = STATE_TTL_MS + 1;
    expect((await fetch(callback)).status).toBe(400);
    expect(await runtime.store.findTenantByExternalId('hubspot', String(portalId))).toBeUndefined();
  });

  it('refuses a callback without a state', async () => {
    const callback = await authorize();
    callback.searchParams.delete('state');
    expect((await fetch(callback)).status).toBe(400);
  });

  it('is idempotent on re-install: same tenant, one backfill, schema untouched', async () => {
    expect((await fetch(await authorize())).status).toBe(200);
    expect((await fetch(await authorize())).status).toBe(200);
    const tenants = (await runtime.store.listTenants()).filter((t) => t.externalId === String(portalId));
    expect(tenants).toHaveLength(1);
    expect((await runtime.store.countJobs(tenants[0]?.id)).queued).toBe(1);
  });

  it('answers a clear page and creates no tenant when the user declines', async () => {
    emulator.oauth.setDecision({ error: 'access_denied' });
    const callback = await authorize();
    const res = await fetch(callback);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('leadgate was not installed');
    expect(await runtime.store.findTenantByExternalId('hubspot', String(portalId))).toBeUndefined();
  });
});

describe('tokens after install', () => {
  it('refreshes the access token when it is within 5 minutes of expiry and saves the new one', async () => {
    await fetch(await authorize());
    const tenant = await runtime.store.findTenantByExternalId('hubspot', String(portalId));
    if (tenant === undefined) throw new Error('no tenant');
    const before = await loadTokens(runtime.store, runtime.keyRing, tenant.id);
    offset = 26 * 60_000;
    const connector = await runtime.connectorFor(tenant);
    await connector.listPeople(undefined);
    const after = await loadTokens(runtime.store, runtime.keyRing, tenant.id);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.expiresAt).toBeGreaterThan((before?.expiresAt ?? 0) + 20 * 60_000);
  });

  it('marks the tenant uninstalled when the refresh answers invalid_grant', async () => {
    await fetch(await authorize());
    const tenant = await runtime.store.findTenantByExternalId('hubspot', String(portalId));
    if (tenant === undefined) throw new Error('no tenant');
    emulator.oauth.revoke(portalId);
    offset = 29 * 60_000;
    await expect((await runtime.connectorFor(tenant)).listPeople(undefined)).rejects.toMatchObject({
      code: 'unauthorized',
    });
    expect((await runtime.store.getTenant(tenant.id))?.status).toBe('uninstalled');
  });
});
