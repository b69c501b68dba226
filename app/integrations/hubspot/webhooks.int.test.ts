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

async function post(
  body: string,
  options: { timestamp?: number; signBody?: string } = {},
): Promise<Response> {
  const url = `${runtime.urls.base}/webhooks/hubspot`;
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

describe('POST /webhooks/hubspot', () => {
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
