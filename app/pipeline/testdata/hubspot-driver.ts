/**
 * Test-only: the end-to-end driver for HubSpot. The real HubSpot connector against the HubSpot
 * emulator on a manual clock, a generated portal, the app's real webhook route when a test listens
 * for changes, and the job handlers on a real queue.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ScoreClear, ScoreWrite, WriteResult } from '../../../connectors/index.ts';
import { HUBSPOT_SCOPES } from '../../../connectors/hubspot/index.ts';
import { emulatorConnector } from '../../../connectors/hubspot/testdata/emulator-connector.ts';
import { generatePortal, type GeneratedPortal } from '../../../sandbox/generator/index.ts';
import type { SeedResult } from '../../../sandbox/hubspot/index.ts';
import { sdkClient, startFixture, type EmulatorFixture } from '../../../sandbox/hubspot/testing.ts';
import { webhookRoutes, webhookUrl, type WebhookStore } from '../../integrations/hubspot/index.ts';
import { createLogger } from '../../kit/logging/index.ts';
import type { JobRecord } from '../../kit/store/index.ts';
import { sqliteFactory } from '../../kit/store/test-support.ts';
import { defaultSettings } from '../jobs/index.ts';
import type { CrmDriver, HeldFields, InjectedFaults } from './crm-driver.ts';
import { startPipelineWorker, type PipelineWorker } from './pipeline-worker.ts';

const HOUR = 3_600_000;
/** The batch update the write-back and the clears use: 100 inputs a call. */
const BATCH_UPDATE = '/crm/v3/objects/contacts/batch/update';
/**
 * The calls that read contacts: the list (people pages, lifecycle outcomes), the search (changed
 * since) and the batch read by id. The association reads that go with them are not counted.
 */
const PEOPLE_READS = new Set([
  '/crm/v3/objects/contacts',
  '/crm/v3/objects/contacts/search',
  '/crm/v3/objects/contacts/batch/read',
]);
/** What a change notification can be about in the scenarios: consent and the title. */
const CHANGE_PROPERTIES = ['hs_email_optout', 'hs_legal_basis', 'jobtitle'] as const;
const LEADGATE_PROPERTIES = [
  'leadgate_score',
  'leadgate_tier',
  'leadgate_route',
  'leadgate_reasons',
  'leadgate_scored_at',
] as const;

export interface HubSpotDriverOptions {
  /** Contacts in the generated portal (seed 7). */
  contacts?: number;
}

export interface HubSpotDriver extends CrmDriver {
  readonly crm: 'hubspot';
  readonly f: EmulatorFixture;
  readonly data: GeneratedPortal;
  readonly seeded: SeedResult;
  readonly pipeline: PipelineWorker;
  /** Contacts holding both a leadgate score and a tier. */
  contactsWithScore(): number;
  /** Batch-update requests the emulator has answered or refused so far. */
  batchUpdates(): number;
  /** Points the emulator's webhooks at the app's real route (v3 signature, classification, queuing). */
  listenForWebhooks(properties: readonly string[]): Promise<void>;
  /**
   * Moves the portal's clock to the pipeline's (an hour past the portal's "now"), plus `ms`, and takes
   * a fresh token there, as the app's refresh would: tokens live 30 minutes.
   */
  portalTimeTo(ms: number): Promise<void>;
  /** Lets the emulator's batching delay pass and waits for the deliveries it starts. */
  deliverWebhooks(): Promise<void>;
  /** The leadgate properties of a contact, read through the SDK (what a HubSpot workflow would see). */
  leadgateFields(id: string): Promise<Record<string, string | null>>;
}

export async function startHubSpotDriver(options: HubSpotDriverOptions = {}): Promise<HubSpotDriver> {
  const f = await startFixture(HUBSPOT_SCOPES);
  const data = generatePortal({ contacts: options.contacts ?? 1_000, seed: 7 });
  const seeded = f.emulator.portals.seed(f.portal.id, data);
  /** Pipeline time: an hour after the portal's "now", moved by hand when jobs must become due. */
  let now = data.now + HOUR;
  const db = await sqliteFactory.create();
  const store = await db.open();
  const tenant = await store.createTenant(
    { crm: 'hubspot', externalId: String(f.portal.id), name: 'Portal' },
    now,
  );
  const connector = emulatorConnector(f);
  await connector.ensureSchema();
  const writeAttempts: string[] = [];
  const clearAttempts: string[] = [];
  let writeCalls = 0;
  // The real connector, counting writeScores calls (one API call each at our batch size of 100) and
  // recording what write-back asks it to write and to clear. A spread keeps what the pipeline looks
  // for by duck typing (listPeopleByIds, jobs/targeted.ts).
  const counting = {
    ...connector,
    writeScores: (writes: readonly ScoreWrite[]): Promise<WriteResult[]> => {
      writeCalls++;
      writeAttempts.push(...writes.map((w) => w.crmId));
      return connector.writeScores(writes);
    },
    clearScores: (clears: readonly ScoreClear[]): Promise<WriteResult[]> => {
      clearAttempts.push(...clears.map((c) => c.crmId));
      return connector.clearScores(clears);
    },
  };
  const settings = defaultSettings('hubspot');
  const pipeline = startPipelineWorker({
    deps: {
      store,
      connectorFor: () => counting,
      clock: () => now,
      sleep: (ms) => f.clock.advance(ms),
      // The generator fixes each contact's odds 14 days after creation: judge leads then too.
      settingsFor: () => ({ ...settings, outcome: { ...settings.outcome, decisionDelayDays: 14 } }),
      actor: 'worker:test',
    },
    tenant,
    advance: (ms) => {
      now += ms;
    },
  });

  /** The app's webhook route on its own server, once a test points the emulator's webhooks at it. */
  let receiver: Server | undefined;
  const changeJobs: JobRecord[] = [];
  // The route's store, recording what it queues.
  const webhookStore: WebhookStore = {
    findTenantByExternalId: (crm, externalId) => store.findTenantByExternalId(crm, externalId),
    deletePerson: (tenantId, personId) => store.deletePerson(tenantId, personId),
    enqueueJob: async (job, at) => {
      const out = await store.enqueueJob(job, at);
      if (out.created) changeJobs.push(out.job);
      return out;
    },
  };

  const contact = (id: string) => {
    const c = f.portal.get('contacts', id);
    if (c === undefined) throw new Error(`no contact ${id} in the portal`);
    return c;
  };
  const batchUpdates = (): number => f.emulator.requests.filter((r) => r.path.includes(BATCH_UPDATE)).length;

  const listenForWebhooks = async (properties: readonly string[]): Promise<void> => {
    const app = express();
    let base = '';
    app.use(
      webhookRoutes({
        store: webhookStore,
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
      // The target with its path secret, as webhooks-hsmeta.json registers it in production.
      targetUrl: webhookUrl(base, f.emulator.app.clientSecret),
      subscriptions: properties.map((propertyName) => ({
        subscriptionType: 'contact.propertyChange' as const,
        propertyName,
      })),
    });
  };

  const portalTimeTo = async (ms: number): Promise<void> => {
    await f.clock.set(Math.max(now, f.clock.now()) + ms);
    now = f.clock.now();
    f.accessToken = f.emulator.oauth.issueTokens(f.portal.id, HUBSPOT_SCOPES).accessToken;
  };

  const deliverWebhooks = async (): Promise<void> => {
    const between = (): Promise<void> => f.emulator.webhooks.idle();
    await f.clock.advance(1_000, { between });
    await between();
  };

  const leadgateFields = async (id: string): Promise<Record<string, string | null>> => {
    const c = await sdkClient(f.emulator.url, f.accessToken).crm.contacts.basicApi.getById(id, [
      ...LEADGATE_PROPERTIES,
    ]);
    return Object.fromEntries(LEADGATE_PROPERTIES.map((p) => [p, c.properties[p] ?? null]));
  };

  const held = (value: (name: string) => string | null | undefined): HeldFields => {
    const get = (name: string): string | null => value(name) ?? null;
    const score = get('leadgate_score');
    const scoredAt = get('leadgate_scored_at');
    return {
      score: score === null ? null : Number(score),
      tier: get('leadgate_tier'),
      route: get('leadgate_route'),
      reasons: get('leadgate_reasons'),
      scoredAt: scoredAt === null ? null : Date.parse(scoredAt),
    };
  };

  return {
    crm: 'hubspot',
    store,
    tenant,
    f,
    data,
    seeded,
    pipeline,
    now: () => now,
    enqueue: (type, payload) => pipeline.enqueue(type, payload),
    drain: () => pipeline.drain(),
    people: () => [...seeded.contacts.values()],
    scorablePeople: () =>
      data.contacts
        .filter((c) => c.consent.lawfulBasis !== 'none' && !c.consent.emailOptOut)
        .map((c) => seeded.contacts.get(c.id) ?? `unseeded ${c.id}`),
    heldFields: (id) => held((name) => contact(id).properties.get(name)),
    readFields: async (id) => {
      const fields = await leadgateFields(id);
      return held((name) => fields[name]);
    },
    writeAttempts,
    clearAttempts,
    writeCalls: () => writeCalls,
    writeRequests: batchUpdates,
    peopleReads: () => f.emulator.requests.filter((r) => PEOPLE_READS.has(r.path)).length,
    // The webhook names the contact: one batch read by id (jobs/targeted.ts), no changed-since search.
    readsPerChange: 1,
    listenForChanges: () => listenForWebhooks(CHANGE_PROPERTIES),
    changePerson: async (id, change) => {
      await portalTimeTo(60_000);
      const properties = new Map<string, string>();
      if (change.title !== undefined) properties.set('jobtitle', change.title);
      if (change.optedOut !== undefined) properties.set('hs_email_optout', String(change.optedOut));
      // HubSpot sets the read-only hs_email_optout itself, from an unsubscribe (source EMAIL).
      f.portal.update(contact(id), properties, {
        at: f.clock.now(),
        sourceType: change.optedOut === undefined ? 'CRM_UI' : 'EMAIL',
      });
      return f.clock.now();
    },
    deliverChanges: deliverWebhooks,
    changeJobs,
    injectFaults: (): InjectedFaults => {
      const faults = f.emulator.faults;
      const handles = [
        faults.add({ kind: 'status', status: 502, html: true, path: BATCH_UPDATE, count: 3 }),
        faults.add({ kind: 'status', status: 503, path: BATCH_UPDATE, probability: 0.3 }),
        faults.add({ kind: 'drop', path: BATCH_UPDATE, count: 3 }),
        faults.add({ kind: 'rate-limit', path: BATCH_UPDATE, count: 5 }),
      ];
      // HubSpot's batch update is all or nothing: no per-record refusal to inject.
      return { rejected: [], rejectedBecause: /^$/, fired: () => handles.map((h) => h.fired) };
    },
    contactsWithScore: () =>
      [...seeded.contacts.values()].filter((id) => {
        const c = f.portal.get('contacts', id);
        return (
          c?.properties.get('leadgate_score') !== undefined && c.properties.get('leadgate_tier') !== undefined
        );
      }).length,
    batchUpdates,
    listenForWebhooks,
    portalTimeTo,
    deliverWebhooks,
    leadgateFields,
    stop: async () => {
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
    },
  };
}
