import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signatureV3 } from '../../../connectors/hubspot/index.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../sandbox/hubspot/index.ts';
import { loadConfig } from '../../kit/config/index.ts';
import { buildRuntime, type Runtime } from '../../runtime/index.ts';
import { capturedLogger } from '../../runtime/testdata/support.ts';
import { createMetrics } from '../../kit/http/index.ts';
import type { Tenant } from '../../kit/store/index.ts';
import { webhookUrl } from './webhook-path.ts';

let dir: string;
let emulator: HubSpotEmulator;
let runtime: Runtime;
let tenant: Tenant;
const PORTAL = 777;
let nextEvent = 1;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-webhooks-'));
  emulator = await startHubSpotEmulator();
  runtime = await buildRuntime(loadConfig({ LEADGATE_DATA_DIR: dir, PORT: '0' }), {
    logger: capturedLogger().logger,
    metrics: createMetrics(),
    handlers: {},
    hubspot: {
      clientId: emulator.app.clientId,
      clientSecret: emulator.app.clientSecret,
      basePath: emulator.url,
      appId: emulator.app.appId,
    },
  });
  tenant = await runtime.store.createTenant(
    { crm: 'hubspot', externalId: String(PORTAL), name: 'p' },
    Date.now(),
  );
});

afterEach(async () => {
  await runtime.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

function event(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: nextEvent++,
    subscriptionId: 1000,
    portalId: PORTAL,
    appId: emulator.app.appId,
    occurredAt: 1_760_000_000_000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 501,
    changeSource: 'CRM_UI',
    propertyName: 'jobtitle',
    propertyValue: 'CTO',
    ...extra,
  };
}

/** Our webhook target: the path with its secret, as webhooks-hsmeta.json registers it. */
const target = (): string => webhookUrl(runtime.urls.base, emulator.app.clientSecret);

/** POSTs a batch signed with the app's client secret (v3), by default to our webhook target. */
async function post(
  body: string,
  options: { timestamp?: number; signBody?: string; url?: string } = {},
): Promise<Response> {
  const url = options.url ?? target();
  const timestamp = String(options.timestamp ?? Date.now());
  const signature = signatureV3(emulator.app.clientSecret, 'POST', url, options.signBody ?? body, timestamp);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': timestamp,
    },
    body,
  });
}

const jobs = async (): Promise<number> => (await runtime.store.countJobs(tenant.id)).queued;

describe('POST /webhooks/hubspot/<path secret>', () => {
  it('accepts a signed batch and queues one sync for the contacts touched', async () => {
    const res = await post(JSON.stringify([event(), event({ objectId: 502 })]));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 2, queued: 1 });
    expect(await jobs()).toBe(1);
  });

  it('refuses a tampered body with 401', async () => {
    const body = JSON.stringify([event()]);
    const res = await post(body.replace('CTO', 'CEO'), { signBody: body });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(await jobs()).toBe(0);
  });

  it('refuses a timestamp older than 5 minutes with 401', async () => {
    const res = await post(JSON.stringify([event()]), { timestamp: Date.now() - 5 * 60_000 - 1_000 });
    expect(res.status).toBe(401);
  });

  it('answers 400 naming the problem when an event lacks objectId', async () => {
    const bad = event();
    delete bad.objectId;
    const res = await post(JSON.stringify([bad]));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('objectId');
  });

  it('queues once when the same batch is delivered twice', async () => {
    const body = JSON.stringify([event(), event()]);
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    expect(await jobs()).toBe(1);
  });

  it('ignores our own leadgate_* property changes', async () => {
    const res = await post(JSON.stringify([event({ propertyName: 'leadgate_score', propertyValue: '71' })]));
    expect(await res.json()).toMatchObject({ queued: 0, ignored: 1 });
    expect(await jobs()).toBe(0);
  });

  it('acknowledges events of an unknown portal without queuing', async () => {
    const res = await post(JSON.stringify([event({ portalId: 999 })]));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ unknownPortals: 1, queued: 0 });
  });

  it('removes the person everywhere on contact.privacyDeletion and audits it', async () => {
    const now = Date.now();
    await runtime.store.upsertRecord(tenant.id, 'contact', '501', { email: 'a@b.example' }, now);
    await runtime.store.appendEvents(
      tenant.id,
      [{ personId: '501', type: 'page_view', occurredAt: now - 1, attributes: {}, sourceId: 'pv-1' }],
      now,
    );
    await runtime.store.recordOutcome(tenant.id, { personId: '501', type: 'sql', occurredAt: now }, now);
    const res = await post(
      JSON.stringify([event({ subscriptionType: 'contact.privacyDeletion', changeSource: 'GDPR' })]),
    );
    expect(await res.json()).toMatchObject({ deleted: 1 });
    expect(await runtime.store.getRecordAsOf(tenant.id, 'contact', '501', now + 1)).toBeUndefined();
    expect(await runtime.store.getEventsAsOf(tenant.id, '501', now + 1)).toEqual([]);
    expect(await runtime.store.getOutcomes(tenant.id, { personId: '501' }, now + 1)).toEqual([]);
    const audit = await runtime.store.listAuditRows(tenant.id, 0, 10);
    const entry = audit.find((a) => a.action === 'person.privacy_delete');
    expect(entry?.subject).toBe('person:501');
    expect(entry?.details).toMatchObject({ rowsRemoved: 3 });
  });
});

/**
 * Issue 14 item 2: a card request is signed by HubSpot's proxy with the same client secret, so the
 * signature alone cannot keep it off the webhook route; the path secret, which the card cannot know,
 * does. The proxy appends its own query (portalId, userId, userEmail, appId; hubspot.md §7.3).
 */
describe('the webhook path secret', () => {
  const privacyBatch = (portalId: number): string =>
    JSON.stringify([event({ portalId, subscriptionType: 'contact.privacyDeletion', changeSource: 'GDPR' })]);

  async function seedPerson(): Promise<number> {
    const now = Date.now();
    await runtime.store.upsertRecord(tenant.id, 'contact', '501', { email: 'a@b.example' }, now);
    return now;
  }

  const personKept = async (now: number): Promise<boolean> =>
    (await runtime.store.getRecordAsOf(tenant.id, 'contact', '501', now + 1)) !== undefined;

  it('accepts a valid webhook at the path with its secret', async () => {
    const res = await post(JSON.stringify([event()]));
    expect(res.status).toBe(200);
    expect(await jobs()).toBe(1);
  });

  it('answers 404 to a correctly signed webhook without the path secret, and acts on nothing', async () => {
    const now = await seedPerson();
    const res = await post(privacyBatch(PORTAL), { url: `${runtime.urls.base}/webhooks/hubspot` });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(await personKept(now)).toBe(true);
  });

  it('answers 404 to a wrong path secret, the same answer as an unknown route', async () => {
    const wrong = webhookUrl(runtime.urls.base, 'another-client-secret');
    const res = await post(JSON.stringify([event()]), { url: wrong });
    const unknown = await post(JSON.stringify([event()]), { url: `${runtime.urls.base}/webhooks/nowhere` });
    expect([res.status, unknown.status]).toEqual([404, 404]);
    const [a, b] = [(await res.json()) as { error: object }, (await unknown.json()) as { error: object }];
    expect({ ...a.error, requestId: '' }).toEqual({ ...b.error, requestId: '' });
    expect(await jobs()).toBe(0);
  });

  it('refuses a card-signed POST (the proxy query appended) naming another portal', async () => {
    const now = await seedPerson();
    // What hubspot.fetch(`${base}/webhooks/hubspot`, { method: 'POST', body }) from portal 999's
    // card would deliver: the proxy appends its identity and signs with the same client secret.
    const proxied = `${runtime.urls.base}/webhooks/hubspot?portalId=999&userId=42&appId=${emulator.app.appId}`;
    const res = await post(privacyBatch(PORTAL), { url: proxied });
    expect(res.status).toBe(404);
    await res.text();
    expect(await personKept(now)).toBe(true);
    expect(await jobs()).toBe(0);
  });
});

/** Issue 14 item 2: each event names its app (`appId`, hubspot.md §5.2); only ours are acted on. */
describe('the app id of each event', () => {
  it('does not act on an event of another app, and counts it', async () => {
    const now = Date.now();
    await runtime.store.upsertRecord(tenant.id, 'contact', '501', { email: 'a@b.example' }, now);
    const res = await post(
      JSON.stringify([
        event({ appId: emulator.app.appId + 1, subscriptionType: 'contact.privacyDeletion' }),
        event({ appId: emulator.app.appId + 1, objectId: 502 }),
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 2, otherApp: 2, deleted: 0, queued: 0 });
    expect(await runtime.store.getRecordAsOf(tenant.id, 'contact', '501', now + 1)).toBeDefined();
    expect(await jobs()).toBe(0);
  });

  it('does not act on an event that names no app', async () => {
    const bare = event();
    delete bare.appId;
    const res = await post(JSON.stringify([bare, event({ objectId: 502 })]));
    expect(await res.json()).toMatchObject({ received: 2, otherApp: 1, queued: 1 });
  });
});
