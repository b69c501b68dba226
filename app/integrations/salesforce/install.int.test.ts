import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCORE_FIELDS } from '../../../connectors/salesforce/index.ts';
import {
  startSalesforceEmulator,
  type OrgHandle,
  type SalesforceEmulator,
} from '../../../sandbox/salesforce/index.ts';
import { loadConfig } from '../../kit/config/index.ts';
import type { Tenant } from '../../kit/store/index.ts';
import { jwtGrant, loadSalesforceSession } from './index.ts';
import { buildRuntime, type Runtime } from '../../runtime/index.ts';
import { capturedLogger } from '../../runtime/testdata/support.ts';
import { createMetrics } from '../../kit/http/index.ts';
import { completeSalesforceConnect } from './install-routes.ts';

// @salesforce/core writes logs and auth state under HOME (node20-stack §3c): keep it in a temp dir.
const home = mkdtempSync(join(tmpdir(), 'leadgate-sf-home-'));
process.env['HOME'] = home;
process.env['SF_DISABLE_LOG_FILE'] = 'true';

const CLIENT_ID = 'leadgate-sf';
const CLIENT_SECRET = 'sf-secret';
const START = Date.UTC(2026, 0, 15, 12, 0, 0);

let dir: string;
let emulator: SalesforceEmulator;
let org: OrgHandle;
let runtime: Runtime;
let now = START;

/** A runtime on the test's data folder, connected app pointed at the emulator. */
function startRuntime(): Promise<Runtime> {
  return buildRuntime(loadConfig({ LEADGATE_DATA_DIR: dir, PORT: '0' }), {
    logger: capturedLogger().logger,
    metrics: createMetrics(),
    clock: { now: () => now },
    // No job types: these tests look at what is queued, not at the pipeline running it.
    handlers: {},
    sleep: () => Promise.resolve(),
    salesforce: {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      loginUrl: emulator.url,
      verifyWaitsMs: [0],
    },
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-sf-install-'));
  now = START;
  emulator = await startSalesforceEmulator({ clock: () => now });
  org = emulator.createOrg();
  runtime = await startRuntime();
  emulator.registerConnectedApp({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${runtime.urls.base}/install/salesforce/callback`],
  });
});

afterEach(async () => {
  await runtime.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Follows our redirect to the emulator's authorize page, which approves and redirects back. */
async function authorize(): Promise<{ start: URL; callback: URL }> {
  const res = await fetch(`${runtime.urls.base}/install/salesforce`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const start = new URL(res.headers.get('location') ?? '');
  const approved = await fetch(start, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  return { start, callback: new URL(approved.headers.get('location') ?? '') };
}

async function tenantOfOrg() {
  const tenant = await runtime.store.findTenantByExternalId('salesforce', org.id);
  if (tenant === undefined) throw new Error('no tenant');
  return tenant;
}

describe('GET /install/salesforce', () => {
  it('redirects to the authorize page with client id, callback, an S256 challenge and a state', async () => {
    const res = await fetch(`${runtime.urls.base}/install/salesforce`, { redirect: 'manual' });
    const url = new URL(res.headers.get('location') ?? '');
    expect(url.origin + url.pathname).toBe(`${emulator.url}/services/oauth2/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(`${runtime.urls.base}/install/salesforce/callback`);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('the Salesforce OAuth callback', () => {
  it('stores the org tenant and its encrypted session, creates queryable fields and queues the backfill', async () => {
    const { callback } = await authorize();
    const res = await fetch(callback);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('leadgate is connected');

    const tenant = await tenantOfOrg();
    expect(tenant).toMatchObject({ crm: 'salesforce', status: 'active' });
    const session = await loadSalesforceSession(runtime.store, runtime.keyRing, tenant.id);
    expect(session).toMatchObject({
      flow: 'web',
      orgId: org.id,
      instanceUrl: emulator.url,
      userId: org.userId,
    });
    // At rest only ciphertext: the raw database file holds neither token.
    const raw = readFileSync(join(dir, 'leadgate.sqlite3'));
    expect(raw.includes(session?.accessToken ?? 'x')).toBe(false);
    expect(raw.includes(session?.refreshToken ?? 'x')).toBe(false);

    // The integration user can read every field (permission set assigned): the query would be INVALID_FIELD otherwise.
    org.insert('Lead', [{ LastName: 'Q', Company: 'Q' }]);
    const rows = org.query(`SELECT Id, ${SCORE_FIELDS.map((f) => f.name).join(', ')} FROM Lead`);
    expect(rows).toHaveLength(1);
    expect((await runtime.store.countJobs(tenant.id)).queued).toBe(1);
    const audit = await runtime.store.listAuditRows(tenant.id, 0, 10);
    expect(audit.map((a) => a.action)).toContain('install');
  });

  it('refuses a state used twice', async () => {
    const { callback } = await authorize();
    expect((await fetch(callback)).status).toBe(200);
    const again = await fetch(callback);
    expect(again.status).toBe(400);
    const body = (await again.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toContain('state');
  });

  it('refuses a callback without a state and creates no tenant', async () => {
    const { callback } = await authorize();
    callback.searchParams.delete('state');
    expect((await fetch(callback)).status).toBe(400);
    expect(await runtime.store.findTenantByExternalId('salesforce', org.id)).toBeUndefined();
  });

  it('is idempotent on reconnect: same tenant, one backfill', async () => {
    expect((await fetch((await authorize()).callback)).status).toBe(200);
    expect((await fetch((await authorize()).callback)).status).toBe(200);
    const tenants = (await runtime.store.listTenants()).filter((t) => t.externalId === org.id);
    expect(tenants).toHaveLength(1);
    expect((await runtime.store.countJobs(tenants[0]?.id)).queued).toBe(1);
  });
});

describe('the session after connect', () => {
  it('refreshes on INVALID_SESSION_ID and saves the new access token', async () => {
    await fetch((await authorize()).callback);
    const tenant = await tenantOfOrg();
    const before = await loadSalesforceSession(runtime.store, runtime.keyRing, tenant.id);
    const connector = await runtime.connectorFor(tenant);
    await connector.listPeople(undefined);
    org.expireSessions();
    await connector.listPeople(undefined);
    const after = await loadSalesforceSession(runtime.store, runtime.keyRing, tenant.id);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).toBe(before?.refreshToken);
  });

  it('marks the tenant uninstalled and audits when the refresh token was revoked', async () => {
    await fetch((await authorize()).callback);
    const tenant = await tenantOfOrg();
    const session = await loadSalesforceSession(runtime.store, runtime.keyRing, tenant.id);
    const revoked = await fetch(`${emulator.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: session?.refreshToken ?? '' }),
    });
    expect(revoked.status).toBe(200);
    const connector = await runtime.connectorFor(tenant);
    await expect(connector.listPeople(undefined)).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await runtime.store.getTenant(tenant.id))?.status).toBe('uninstalled');
    const audit = await runtime.store.listAuditRows(tenant.id, 0, 10);
    expect(audit.map((a) => a.action)).toContain('tenant.tokens_revoked');
  });
});

describe('change events after connect', () => {
  it("subscribes the connected org: another client's change queues an incremental sync", async () => {
    await fetch((await authorize()).callback);
    const tenant = await tenantOfOrg();
    const [leadId] = org.insert('Lead', [{ LastName: 'Watched', Company: 'W' }]);
    // Bounded: CometD delivers over real sockets, so poll the queue for at most 3 s.
    for (let i = 0; i < 300 && (await runtime.store.countJobs(tenant.id)).queued < 2; i++) {
      if (i % 20 === 0) org.update('Lead', leadId ?? '', { Title: `VP ${i}` });
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await runtime.store.countJobs(tenant.id)).queued).toBeGreaterThanOrEqual(2);
  });
});

describe('change-event subscriptions and the runtime', () => {
  /** CometD is real sockets: wait (bounded, 5 s) until the emulator sees `n` subscribers. */
  async function subscribers(n: number): Promise<number> {
    for (let i = 0; i < 500 && emulator.cometdClients() !== n; i++)
      await new Promise((r) => setTimeout(r, 10));
    return emulator.cometdClients();
  }

  it('stops with the runtime and resubscribes the connected org when a new runtime starts', async () => {
    await fetch((await authorize()).callback);
    expect(await subscribers(1)).toBe(1);
    await runtime.close();
    expect(await subscribers(0)).toBe(0);

    runtime = await startRuntime();
    expect(await subscribers(1)).toBe(1);
  });
});

describe('JWT bearer connect through @salesforce/core', () => {
  it('connects a server-to-server org: tenant, session without refresh token, fields, backfill', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(dir, 'server.key');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    emulator.registerConnectedApp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [],
      certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const grant = await jwtGrant(
      { clientId: CLIENT_ID, loginUrl: emulator.url, privateKeyFile: keyFile },
      org.username,
    );
    expect(grant.orgId).toBe(org.id);
    const connectorFor = (t: Tenant) => runtime.connectorFor(t);
    const result = await completeSalesforceConnect(
      {
        store: runtime.store,
        ring: runtime.keyRing,
        clock: { now: () => now },
        audit: () => Promise.resolve(),
        connectorFor,
      },
      grant,
      'jwt',
      org.username,
    );
    expect(result.created).toBe(true);
    const session = await loadSalesforceSession(runtime.store, runtime.keyRing, result.tenant.id);
    expect(session).toMatchObject({ flow: 'jwt', refreshToken: null, username: org.username });
    expect(org.query(`SELECT Id, Leadgate_Score__c FROM Contact`)).toEqual([]);
    expect(result.backfillQueued).toBe(true);
  });
});
