import express from 'express';
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../kit/auth/index.ts';
import { errorHandler } from '../kit/http/index.ts';
import { createLogger } from '../kit/logging/index.ts';
import type { Role, Store } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { updateProgress } from '../pipeline/progress.ts';
import { statusRoutes } from './status-route.ts';

const T = Date.UTC(2025, 5, 1);
let db: TestDb;
let store: Store;
let server: Server;
let base: string;

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  const app = express();
  app.use(statusRoutes({ store }));
  app.use(errorHandler(createLogger({ level: 'error' })));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  await db.destroy();
});

async function keyFor(tenantId: string, role: Role): Promise<string> {
  return (await keyWithId(tenantId, role)).key;
}

async function keyWithId(tenantId: string, role: Role): Promise<{ key: string; keyId: string }> {
  const k = generateApiKey();
  await store.putApiKey({
    tenantId,
    id: k.keyId,
    keyHash: k.keyHash,
    role,
    label: 't',
    createdAt: T,
    revokedAt: null,
  });
  return { key: k.key, keyId: k.keyId };
}

type Listed = { tenants: { crm: string; externalId: string }[] };

const get = (key?: string) =>
  fetch(`${base}/api/v1/status`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

describe('GET /api/v1/status', () => {
  it('answers 401 without a key', async () => {
    expect((await get()).status).toBe(401);
  });

  it('shows a viewer its own tenant only, with phase and counters', async () => {
    const mine = await store.createTenant({ crm: 'hubspot', externalId: '42', name: 'mine' }, T);
    await store.createTenant({ crm: 'salesforce', externalId: '00D', name: 'other' }, T);
    await store.transaction(async (tx) => {
      await updateProgress(tx, mine.id, 'pipeline:backfill', T, () => ({
        startedAt: T,
        doneAt: null,
        synced: 12,
      }));
    });
    const res = await get(await keyFor(mine.id, 'viewer'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      tenants: [
        {
          crm: 'hubspot',
          externalId: '42',
          phase: 'backfilling',
          synced: 12,
          scored: 0,
          written: 0,
          deadLetters: 0,
          championModel: null,
          writeStopped: null,
        },
      ],
    });
  });

  it('says installing before a backfill starts and stopped once uninstalled', async () => {
    const t = await store.createTenant({ crm: 'hubspot', externalId: '7', name: 'x' }, T);
    const key = await keyFor(t.id, 'analyst');
    expect(((await (await get(key)).json()) as { tenants: { phase: string }[] }).tenants[0]?.phase).toBe(
      'installing',
    );
    await store.setTenantStatus(t.id, 'uninstalled');
    expect(((await (await get(key)).json()) as { tenants: { phase: string }[] }).tenants[0]?.phase).toBe(
      'stopped',
    );
  });

  it('lists the tenants a key was granted after its own, and only for that key', async () => {
    const hub = await store.createTenant({ crm: 'hubspot', externalId: '88', name: 'h' }, T);
    const org = await store.createTenant({ crm: 'salesforce', externalId: '00D1', name: 's' }, T);
    await store.createTenant({ crm: 'salesforce', externalId: '00D2', name: 'not granted' }, T);
    const granted = await keyWithId(hub.id, 'admin');
    const sameTenantOtherKey = await keyFor(hub.id, 'admin');
    const orgKey = await keyFor(org.id, 'admin');
    await store.grantApiKey({
      tenantId: org.id,
      keyTenantId: hub.id,
      keyId: granted.keyId,
      role: 'viewer',
      createdAt: T,
    });
    const ids = async (key: string): Promise<string[]> =>
      ((await (await get(key)).json()) as Listed).tenants.map((t) => `${t.crm}:${t.externalId}`);
    expect(await ids(granted.key)).toEqual(['hubspot:88', 'salesforce:00D1']);
    // The grant belongs to one key, not to its tenant, and is not symmetric.
    expect(await ids(sameTenantOtherKey)).toEqual(['hubspot:88']);
    expect(await ids(orgKey)).toEqual(['salesforce:00D1']);
  });

  it('refuses a revoked key even when it holds grants', async () => {
    const hub = await store.createTenant({ crm: 'hubspot', externalId: '89', name: 'h' }, T);
    const org = await store.createTenant({ crm: 'salesforce', externalId: '00D3', name: 's' }, T);
    const k = await keyWithId(hub.id, 'admin');
    await store.grantApiKey({
      tenantId: org.id,
      keyTenantId: hub.id,
      keyId: k.keyId,
      role: 'viewer',
      createdAt: T,
    });
    await store.revokeApiKey(hub.id, k.keyId, T + 1);
    expect((await get(k.key)).status).toBe(401);
  });
});
