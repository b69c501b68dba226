import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotConnector, HUBSPOT_SCOPES, PortalBudget } from '../../connectors/hubspot/index.ts';
import { generatePortal } from '../../sandbox/generator/index.ts';
import type { SeedResult } from '../../sandbox/hubspot/index.ts';
import { startFixture, type EmulatorFixture } from '../../sandbox/hubspot/testing.ts';
import { webhookRoutes, webhookUrl } from '../integrations/hubspot/index.ts';
import { createJobQueue, Worker, type JobQueue } from '../kit/jobs/index.ts';
import { createLogger } from '../kit/logging/index.ts';
import type { Store, Tenant } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { createPipelineHandlers, INCREMENTAL_EVENTS_STREAM, INCREMENTAL_STREAM } from './jobs/index.ts';

/**
 * A HubSpot webhook batch through the app's real webhook route, the job queue and the real connector
 * on the emulator: the incremental job it queues reads exactly the contacts the webhook named (one
 * batch read), not the changed-since search, and leaves the sweep's cursors where they were.
 */

const CONTACTS = 300;
const HOUR = 3_600_000;

let f: EmulatorFixture;
let db: TestDb;
let store: Store;
let tenant: Tenant;
let seeded: SeedResult;
let queue: JobQueue;
let worker: Worker;
/** Pipeline time: an hour after the portal's "now", moved by hand when jobs must become due. */
let now: number;
let receiver: Server | undefined;

beforeEach(async () => {
  f = await startFixture(HUBSPOT_SCOPES);
  const data = generatePortal({ contacts: CONTACTS, seed: 7 });
  seeded = f.emulator.portals.seed(f.portal.id, data);
  now = data.now + HOUR;
  db = await sqliteFactory.create();
  store = await db.open();
  tenant = await store.createTenant({ crm: 'hubspot', externalId: String(f.portal.id), name: 'Portal' }, now);
  const connector = createHubSpotConnector({
    accessToken: () => Promise.resolve(f.accessToken),
    basePath: f.emulator.url,
    portalId: f.portal.id,
    budget: new PortalBudget(),
    clock: f.clock,
    sleep: (ms) => f.clock.advance(ms),
    rng: () => 0.5,
  });
  await connector.ensureSchema();
  const handlers = createPipelineHandlers({
    store,
    connectorFor: () => connector,
    clock: () => now,
    sleep: (ms) => f.clock.advance(ms),
    actor: 'worker:test',
  });
  queue = createJobQueue(store, {
    clock: () => now,
    rng: () => 0.5,
    leaseMs: 60_000,
    maxRunningPerTenant: 1,
  });
  worker = new Worker({
    store,
    queue,
    workerId: 'test-worker',
    clock: () => now,
    // Heartbeats wait for the job to end; nothing in this test really sleeps.
    sleep: (_ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted === true) resolve();
        signal?.addEventListener('abort', () => {
          resolve();
        });
      }),
  });
  for (const [type, handler] of Object.entries(handlers)) worker.register(type, handler);
}, 60_000);

afterEach(async () => {
  if (receiver !== undefined)
    await new Promise<void>((resolve) => {
      receiver?.close(() => {
        resolve();
      });
    });
  receiver = undefined;
  await store.close();
  await db.destroy();
  await f.emulator.close();
});

/** Runs jobs until none is runnable, moving time past retry delays while jobs wait. */
async function drain(): Promise<void> {
  for (let idle = 0; idle < 20;) {
    if (await worker.runOnce()) {
      idle = 0;
      continue;
    }
    const counts = await store.countJobs(tenant.id);
    if (counts.queued === 0 && counts.running === 0) return;
    now += 10 * 60_000;
    idle++;
  }
  throw new Error('jobs did not drain');
}

/** The app's webhook route on its own server, with the emulator sending `jobtitle` changes to it. */
async function listenForWebhooks(): Promise<void> {
  const app = express();
  let base = '';
  app.use(
    webhookRoutes({
      store,
      clock: { now: () => f.clock.now() },
      logger: createLogger({ level: 'error' }),
      audit: () => Promise.resolve(),
      publicUrl: () => base,
      clientSecret: f.emulator.app.clientSecret,
      appId: f.emulator.app.appId,
      maxBodyBytes: 1_000_000,
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  receiver = server;
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f.emulator.webhooks.configure({
    // The route takes webhooks at its path secret only (webhook-path.ts).
    targetUrl: webhookUrl(base, f.emulator.app.clientSecret),
    subscriptions: [{ subscriptionType: 'contact.propertyChange', propertyName: 'jobtitle' }],
  });
}

/** Moves the portal's clock to the pipeline's plus `ms`, with a fresh token there (tokens live 30 min). */
async function portalTimeTo(ms: number): Promise<void> {
  await f.clock.set(Math.max(now, f.clock.now()) + ms);
  now = f.clock.now();
  f.accessToken = f.emulator.oauth.issueTokens(f.portal.id, HUBSPOT_SCOPES).accessToken;
}

/** Lets the emulator's batching delay pass and waits for the deliveries it starts. */
async function deliverWebhooks(): Promise<void> {
  const between = (): Promise<void> => f.emulator.webhooks.idle();
  await f.clock.advance(1_000, { between });
  await between();
}

/** The emulator's requests from index `from` on, as `METHOD path`. */
const callsSince = (from: number): string[] =>
  f.emulator.requests.slice(from).map((r) => `${r.method} ${r.path}`);

describe('HubSpot webhook → targeted incremental → rescore', () => {
  it('reads the 10 contacts a webhook batch names in one batch read, no search, and leaves the sweep cursors', async () => {
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();
    await listenForWebhooks();
    const changed = [...seeded.contacts.values()].slice(0, 10);
    const peopleCursor = await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM);
    const eventsCursor = await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM);
    expect(peopleCursor).toBeDefined();
    const companyOf = async (id: string): Promise<unknown> =>
      (await store.getRecordAsOf(tenant.id, 'contact', id, now))?.properties.companyId;
    const companies = await Promise.all(changed.map(companyOf));
    expect(companies.filter((c) => typeof c === 'string').length, 'some with a company').toBeGreaterThan(0);

    await portalTimeTo(60_000);
    const t = now;
    for (const id of changed) {
      const contact = f.portal.get('contacts', id);
      if (contact === undefined) throw new Error('seeded contact missing');
      f.portal.update(contact, new Map([['jobtitle', 'Chief Executive Officer']]), {
        at: f.clock.now(),
        sourceType: 'CRM_UI',
      });
    }
    await deliverWebhooks();
    expect((await store.countJobs(tenant.id)).queued, 'one webhook batch, one incremental job').toBe(1);
    const before = f.emulator.requests.length;
    await drain();

    // The incremental job: one batch read of the 10 named contacts and one read of their companies;
    // no contacts (or engagement) search, no Events API. Then the write-back of changed scores.
    const calls = callsSince(before);
    expect(calls.filter((c) => c === 'POST /crm/v3/objects/contacts/batch/read')).toHaveLength(1);
    expect(calls.filter((c) => c.endsWith('/search'))).toEqual([]);
    expect(calls.filter((c) => c.startsWith('GET /events/'))).toEqual([]);
    expect(
      calls.filter((c) => c !== 'POST /crm/v3/objects/contacts/batch/update'),
      'reads of the webhook job',
    ).toEqual([
      'POST /crm/v3/objects/contacts/batch/read',
      'POST /crm/v4/associations/contacts/companies/batch/read',
    ]);

    // Ingested with their company links kept, and rescored: each of the 10, and only they.
    for (const [i, id] of changed.entries()) {
      const record = await store.getRecordAsOf(tenant.id, 'contact', id, now);
      expect((record?.properties.properties as Record<string, unknown>).jobtitle, id).toBe(
        'Chief Executive Officer',
      );
      expect(record?.properties.companyId, id).toBe(companies[i]);
      expect((await store.getLatestScore(tenant.id, id))?.scoredAt, id).toBeGreaterThanOrEqual(t);
    }
    const other = [...seeded.contacts.values()][10] ?? '';
    expect((await store.getLatestScore(tenant.id, other))?.scoredAt).toBeLessThan(t);

    // The sweep's cursors are untouched: a read of named records says nothing of what else changed.
    expect(await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM)).toEqual(peopleCursor);
    expect(await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM)).toEqual(eventsCursor);

    // The timed sweep still runs from there: it searches, and moves the people cursor past the change.
    const sweepFrom = f.emulator.requests.length;
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: { source: 'sweep' } });
    await drain();
    expect(callsSince(sweepFrom)).toContain('POST /crm/v3/objects/contacts/search');
    expect(Number((await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM))?.cursor)).toBeGreaterThanOrEqual(
      t,
    );
  });
});
