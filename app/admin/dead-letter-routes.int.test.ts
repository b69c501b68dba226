import express from 'express';
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../kit/auth/index.ts';
import { createLogger } from '../kit/logging/index.ts';
import { errorHandler } from '../kit/http/index.ts';
import type { AuditEntry } from '../kit/audit/index.ts';
import type { NewScore, Role, Store } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { attemptsOf, deadLetterRoutes } from './dead-letter-routes.ts';

const T = Date.UTC(2026, 10, 27, 12, 0, 0);
let db: TestDb;
let store: Store;
let server: Server;
let base: string;
let tenantId: string;
let audit: AuditEntry[];

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  tenantId = (await store.createTenant({ crm: 'hubspot', externalId: '42', name: 'mine' }, T)).id;
  audit = [];
  const app = express();
  app.use(
    deadLetterRoutes({
      store,
      clock: { now: () => T + 5_000 },
      audit: {
        append: (entry) => {
          audit.push(entry);
          return Promise.resolve();
        },
      },
      maxBodyBytes: 1024 * 1024,
    }),
  );
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

async function keyFor(tenant: string, role: Role): Promise<string> {
  const k = generateApiKey();
  await store.putApiKey({
    tenantId: tenant,
    id: k.keyId,
    keyHash: k.keyHash,
    role,
    label: 't',
    createdAt: T,
    revokedAt: null,
  });
  return k.key;
}

function score(personId: string): NewScore {
  return {
    tenantId,
    personId,
    objectType: 'contact',
    modelVersion: null,
    policyVersion: null,
    inputsHash: 'h',
    probability: 0.5,
    score: 50,
    fitScore: null,
    engagementScore: null,
    tier: 'C',
    route: 'nurture',
    confidence: 'low',
    reasons: [],
    decision: {},
    writeBack: 'pending',
    scoredAt: T,
  };
}

/** A score write-back gave up on, as writeBackPending leaves it. */
async function deadLetter(personId: string, reason: string): Promise<string> {
  const s = await store.insertScore(score(personId));
  await store.setWriteBackState(tenantId, s.id, 'failed', T + 1_000, reason);
  return s.id;
}

const url = (tenant: string, path = '') => `${base}/api/v1/tenants/${tenant}/dead-letters${path}`;
const get = (key: string | undefined, target: string) =>
  fetch(target, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
const replay = (key: string | undefined, tenant: string, body?: unknown) =>
  fetch(url(tenant, '/replay'), {
    method: 'POST',
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('GET /api/v1/tenants/:tenantId/dead-letters', () => {
  it('answers 401 without a key', async () => {
    expect((await get(undefined, url(tenantId))).status).toBe(401);
    expect((await replay(undefined, tenantId)).status).toBe(401);
  });

  it('answers 404 for another tenant, 403 for a viewer', async () => {
    const other = (await store.createTenant({ crm: 'salesforce', externalId: '00D', name: 'o' }, T)).id;
    const otherAdmin = await keyFor(other, 'admin');
    expect((await get(otherAdmin, url(tenantId))).status).toBe(404);
    expect((await replay(otherAdmin, tenantId)).status).toBe(404);
    const viewer = await keyFor(tenantId, 'viewer');
    expect((await get(viewer, url(tenantId))).status).toBe(403);
  });

  it('lists the failed scores to an analyst with reason, time and attempts, paged by limit', async () => {
    const id = await deadLetter('c1', 'gave up after 5 attempts: locked: item failed');
    await deadLetter('c2', 'not_found: no such contact');
    const analyst = await keyFor(tenantId, 'analyst');
    const res = await get(analyst, url(tenantId));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { items: { personId: string }[]; hasMore: boolean };
    expect(body.hasMore).toBe(false);
    expect(body.items).toHaveLength(2);
    expect(body.items.find((i) => i.personId === 'c1')).toEqual({
      scoreId: id,
      personId: 'c1',
      objectType: 'contact',
      reason: 'gave up after 5 attempts: locked: item failed',
      attempts: 5,
      failedAt: new Date(T + 1_000).toISOString(),
      scoredAt: new Date(T).toISOString(),
    });

    const page = (await (await get(analyst, url(tenantId, '?limit=1'))).json()) as {
      items: unknown[];
      hasMore: boolean;
    };
    expect([page.items.length, page.hasMore]).toEqual([1, true]);
    expect((await get(analyst, url(tenantId, '?limit=0'))).status).toBe(400);
    expect((await get(analyst, url(tenantId, '?limit=abc'))).status).toBe(400);
  });
});

describe('POST /api/v1/tenants/:tenantId/dead-letters/replay', () => {
  it('answers 403 to a viewer (and an analyst) and changes nothing', async () => {
    await deadLetter('c1', 'conflict: x');
    for (const role of ['viewer', 'analyst'] as const) {
      expect((await replay(await keyFor(tenantId, role), tenantId, {})).status).toBe(403);
    }
    expect((await store.getLatestScore(tenantId, 'c1'))?.writeBack).toBe('failed');
    expect((await store.countJobs(tenantId)).queued).toBe(0);
    expect(audit).toEqual([]);
  });

  it('marks the chosen failed scores pending, enqueues a write-back job and audits it', async () => {
    await deadLetter('c1', 'gave up after 5 attempts: locked');
    await deadLetter('c2', 'invalid_request: bad value');
    const admin = await keyFor(tenantId, 'admin');
    const res = await replay(admin, tenantId, { personIds: ['c1'] });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { replayed: number; jobId: string };
    expect(body.replayed).toBe(1);

    expect((await store.getLatestScore(tenantId, 'c1'))?.writeBack).toBe('pending');
    expect((await store.getLatestScore(tenantId, 'c2'))?.writeBack).toBe('failed');
    expect(await store.getJob(tenantId, body.jobId)).toMatchObject({ type: 'write-back', state: 'queued' });
    expect(audit).toEqual([
      expect.objectContaining({
        tenantId,
        action: 'dead_letters.replay',
        subject: `job:${body.jobId}`,
        details: { replayed: 1, personIds: ['c1'] },
      }),
    ]);
  });

  it('replays every dead letter without a body, and enqueues nothing when there are none', async () => {
    await deadLetter('c1', 'conflict: x');
    await deadLetter('c2', 'conflict: y');
    const admin = await keyFor(tenantId, 'admin');
    const first = (await (await replay(admin, tenantId)).json()) as { replayed: number };
    expect(first.replayed).toBe(2);
    const again = await replay(admin, tenantId);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ replayed: 0, jobId: null });
    expect((await store.countJobs(tenantId)).queued).toBe(1);
  });

  it('answers 400 to a body that is not { personIds?: string[] }', async () => {
    const admin = await keyFor(tenantId, 'admin');
    for (const bad of [{ personIds: 'c1' }, { personIds: [] }, { personIds: [1] }, { other: true }]) {
      expect((await replay(admin, tenantId, bad)).status).toBe(400);
    }
    expect(audit).toEqual([]);
  });
});

describe('attemptsOf', () => {
  it('reads the attempt count write-back gives up with, null for an outright refusal', () => {
    expect(attemptsOf('gave up after 3 attempts: locked: x')).toBe(3);
    expect(attemptsOf('not_found: gone')).toBeNull();
    expect(attemptsOf(null)).toBeNull();
  });
});
