/**
 * Test-only: the end-to-end driver for Salesforce. The app's Salesforce connector factory (stored
 * session, token provider, per-org budget), the real jsforce and the emulator with a seeded org, the
 * app's change-event subscription when a test listens for changes, and the job handlers on a real
 * queue.
 */
import { randomBytes } from 'node:crypto';
import type { Connector, ScoreClear, ScoreWrite } from '../../../connectors/index.ts';
import { seedOrg, startFixture, type Fixture, type SeededOrg } from '../../../test/salesforce-fixture.ts';
import {
  createSalesforceConnectorFactory,
  createSalesforceOAuthClient,
  loadSalesforceSession,
  salesforceTokenProvider,
  subscribeSalesforceCdc,
  CDC_CURSOR_STREAM,
  type CdcSubscription,
  type SalesforceOAuthClient,
} from '../../integrations/salesforce/index.ts';
import {
  recordingCdcStore,
  saveEmulatorSession,
} from '../../integrations/salesforce/testdata/cdc-fixture.ts';
import { createLogger } from '../../kit/logging/index.ts';
import { createKeyRing, type KeyRing } from '../../kit/secrets/index.ts';
import type { JobRecord } from '../../kit/store/index.ts';
import { sqliteFactory } from '../../kit/store/test-support.ts';
import type { CrmDriver, HeldFields, InjectedFaults, PersonChange } from './crm-driver.ts';
import { startPipelineWorker, type PipelineWorker } from './pipeline-worker.ts';

const LEADS = 500;
const CONTACTS = 100;
// The emulator's own connected app: its sessions and refresh tokens are what org.issueToken gives.
export const CLIENT_ID = 'leadgate-emulator';
/** sObject Collections: the write-back's and the clears' batch call, 200 records each. */
const COLLECTIONS = /\/composite\/sobjects$/;
const LEADGATE_FIELDS = 'Leadgate_Score__c, Leadgate_Tier__c, Leadgate_Route__c, Leadgate_Reasons__c';
const SCORED_AT = 'Leadgate_Scored_At__c';

type Faults = Fixture['emulator']['faults'];

/**
 * Request counts by method and path, as zero-latency fault rules. The emulator fires the first rule
 * that matches a request and no other, so a counter shadows every rule added after it: `moveLast`
 * puts the counters behind newly added faults (keeping their counts), or the faults would never fire.
 */
function requestCounters(faults: Faults, routes: readonly { method: string; path: RegExp }[]) {
  const counters = routes.map((route) => ({ ...route, base: 0, index: -1, remove: () => {} }));
  const add = (): void => {
    for (const c of counters) {
      c.remove = faults.add({ kind: 'latency', latencyMs: 0, method: c.method, path: c.path });
      c.index = faults.firedCounts().length - 1;
    }
  };
  const count = (i: number): number => {
    const c = counters[i];
    return c === undefined ? 0 : c.base + (faults.firedCounts()[c.index] ?? 0);
  };
  add();
  return {
    count,
    moveLast: (): void => {
      counters.forEach((c, i) => {
        c.base = count(i);
      });
      for (const c of counters) c.remove();
      add();
    },
  };
}

export interface SalesforceDriver extends CrmDriver {
  readonly crm: 'salesforce';
  readonly f: Fixture;
  readonly seeded: SeededOrg;
  readonly ring: KeyRing;
  readonly pipeline: PipelineWorker;
  drain(stepMs?: number): Promise<void>;
  /** Stores a fresh session for the tenant, as the app's connect or refresh would. */
  connect(): Promise<void>;
  /** Starts the app's change-event subscription for the tenant (stopped with the driver). */
  subscribe(): CdcSubscription;
  /** Bounded wait for pushed events (CometD delivers over real sockets; there is no clock to move). */
  until(check: () => Promise<boolean>): Promise<void>;
  /** Jobs queued and not yet run. */
  queued(): Promise<number>;
  /** The replay id the subscription saved, if any. */
  savedReplayId(): Promise<number | undefined>;
  /** The replay id of the org's latest change event. */
  lastReplayId(): number;
  /** Records of `object` the org holds no score for, among those opted in. */
  unscored(object: 'Lead' | 'Contact'): number;
  /** Spends the org's daily API allocation but `callsLeft` calls (the emulator resets it at the UTC day). */
  exhaustQuota(callsLeft: number): void;
}

export async function startSalesforceDriver(): Promise<SalesforceDriver> {
  const f = await startFixture(1_000_000);
  const seeded = seedOrg(f.org, LEADS, CONTACTS);
  const db = await sqliteFactory.create();
  const store = await db.open();
  const ring = createKeyRing(randomBytes(32));
  const tenant = await store.createTenant(
    { crm: 'salesforce', externalId: f.org.id, name: 'Org' },
    f.clock.now,
  );
  const connect = async (): Promise<void> => {
    // With a refresh token: the pipeline's connector renews the session as the app's would.
    await saveEmulatorSession({ fx: f, store, ring, tenantId: tenant.id }, true);
  };
  await connect();
  const clock = { now: () => f.clock.now };
  const sleep = (ms: number): Promise<void> => {
    f.clock.now += ms;
    return Promise.resolve();
  };
  const oauth: SalesforceOAuthClient = createSalesforceOAuthClient({
    clientId: CLIENT_ID,
    clientSecret: 'emulator-secret',
    loginUrl: f.emulator.url,
  });
  const connectorFor = createSalesforceConnectorFactory({
    store,
    ring,
    oauth,
    clock,
    audit: () => Promise.resolve(),
    sleep,
    budgetShare: 1,
    verifyWaitsMs: [0],
  });
  await (await connectorFor(tenant)).ensureSchema();
  const counters = requestCounters(f.emulator.faults, [
    { method: 'PATCH', path: COLLECTIONS },
    { method: 'GET', path: /\/query/ },
  ]);
  const writeAttempts: string[] = [];
  const clearAttempts: string[] = [];
  let writeCalls = 0;
  // The connector as the pipeline sees it, recording what write-back asks it to write.
  const recording = async (t: typeof tenant): Promise<Connector> => {
    const connector = await connectorFor(t);
    return {
      ...connector,
      writeScores: (writes: readonly ScoreWrite[]) => {
        writeCalls++;
        writeAttempts.push(...writes.map((w) => w.crmId));
        return connector.writeScores(writes);
      },
      clearScores: (clears: readonly ScoreClear[]) => {
        clearAttempts.push(...clears.map((c) => c.crmId));
        return connector.clearScores(clears);
      },
    };
  };
  const pipeline = startPipelineWorker({
    deps: { store, connectorFor: recording, clock: () => f.clock.now, sleep, actor: 'worker:test' },
    tenant,
    advance: (ms) => {
      f.clock.now += ms;
    },
  });

  const subscriptions: CdcSubscription[] = [];
  /** Jobs the change-event subscriptions queued, in order. */
  const cdcJobs: JobRecord[] = [];
  const subscribe = (): CdcSubscription => {
    const sub = subscribeSalesforceCdc(
      {
        store: recordingCdcStore(store, cdcJobs),
        ring,
        clientId: CLIENT_ID,
        accessToken: salesforceTokenProvider(
          { store, ring, oauth, clock, audit: () => Promise.resolve() },
          tenant,
        ),
        clock,
        logger: createLogger({ level: 'error' }),
      },
      tenant,
    );
    subscriptions.push(sub);
    return sub;
  };
  const until = async (check: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('condition not met within 2 s');
  };
  const queued = async (): Promise<number> => (await store.countJobs(tenant.id)).queued;
  const savedReplayId = async (): Promise<number | undefined> => {
    const row = await store.getSyncCursor(tenant.id, CDC_CURSOR_STREAM);
    return row === undefined ? undefined : Number(row.cursor);
  };
  const lastReplayId = (): number => f.org.changeEvents().at(-1)?.replayId ?? 0;
  const objectOf = (id: string): 'Lead' | 'Contact' => (id.startsWith('00Q') ? 'Lead' : 'Contact');
  const ids = (soql: string): string[] => f.org.query(soql).map((r) => String(r['Id']));

  const held = (value: (name: string) => unknown): HeldFields => {
    const text = (name: string): string | null => {
      const v = value(name);
      if (v === null || v === undefined) return null;
      if (typeof v !== 'string') throw new Error(`${name} is ${typeof v}, not text`);
      return v;
    };
    const score = value('Leadgate_Score__c');
    // The emulator holds a DateTime as epoch ms; the REST API answers it as ISO 8601 text.
    const at = value(SCORED_AT);
    const scoredAt = typeof at === 'number' ? at : text(SCORED_AT);
    // A Number field: the REST API answers a JSON number, and so must the emulator's record hold.
    if (score !== null && score !== undefined && typeof score !== 'number')
      throw new Error(`Leadgate_Score__c is ${typeof score}, not a number`);
    return {
      score: score ?? null,
      tier: text('Leadgate_Tier__c'),
      route: text('Leadgate_Route__c'),
      reasons: text('Leadgate_Reasons__c'),
      scoredAt: typeof scoredAt === 'string' ? Date.parse(scoredAt) : scoredAt,
    };
  };

  return {
    crm: 'salesforce',
    store,
    tenant,
    f,
    seeded,
    ring,
    pipeline,
    now: () => f.clock.now,
    enqueue: (type, payload) => pipeline.enqueue(type, payload),
    drain: (stepMs) => pipeline.drain(stepMs),
    people: () => [...ids('SELECT Id FROM Lead'), ...ids('SELECT Id FROM Contact')],
    // Converted Leads are closed: their person lives on as the Contact.
    scorablePeople: () => [
      ...ids('SELECT Id FROM Lead WHERE IsConverted = false AND HasOptedOutOfEmail = false'),
      ...ids('SELECT Id FROM Contact WHERE HasOptedOutOfEmail = false'),
    ],
    heldFields: (id) => {
      const record = f.org.get(id);
      return held((name) => record?.[name]);
    },
    // Through the REST API on the org's session, as a report or flow would read them.
    readFields: async (id) => {
      const session = await loadSalesforceSession(store, ring, tenant.id);
      const soql = `SELECT ${LEADGATE_FIELDS}, ${SCORED_AT} FROM ${objectOf(id)} WHERE Id = '${id}'`;
      const res = await fetch(`${f.emulator.url}/services/data/v64.0/query?q=${encodeURIComponent(soql)}`, {
        headers: { Authorization: `Bearer ${session?.accessToken ?? ''}` },
      });
      const body = (await res.json()) as { records: Record<string, unknown>[] };
      const record = body.records[0];
      if (record === undefined) throw new Error(`no ${objectOf(id)} ${id} in the org`);
      return held((name) => record[name]);
    },
    writeAttempts,
    clearAttempts,
    writeCalls: () => writeCalls,
    writeRequests: () => counters.count(0),
    peopleReads: () => counters.count(1),
    // The change event names the record: one `WHERE Id IN (...)` query, no SystemModstamp sweep.
    readsPerChange: 1,
    listenForChanges: async () => {
      await subscribe().ready;
    },
    changePerson: (id, change: PersonChange) => {
      f.clock.now += 60_000;
      const fields: Record<string, unknown> = {};
      if (change.title !== undefined) fields['Title'] = change.title;
      if (change.optedOut !== undefined) fields['HasOptedOutOfEmail'] = change.optedOut;
      f.org.update(objectOf(id), id, fields);
      return Promise.resolve(f.clock.now);
    },
    deliverChanges: async () => {
      await until(async () => (await savedReplayId()) === lastReplayId());
      await Promise.all(subscriptions.map((s) => s.idle()));
    },
    changeJobs: cdcJobs,
    injectFaults: (): InjectedFaults => {
      const data = /^\/services\/data\//;
      const faults = f.emulator.faults;
      const first = faults.firedCounts().length;
      // Whole-call trouble, on every REST route: 5xx, dropped sockets, concurrent-limit storms, latency.
      faults.add({ kind: 'concurrent-limit', path: data, count: 6 });
      faults.add({ kind: 'status', status: 500, path: /\/query/, count: 3 });
      // A load balancer's HTML page instead of JSON (jsforce names it ERROR_HTTP_502).
      faults.add({ kind: 'status', status: 502, path: data, count: 2 });
      faults.add({ kind: 'status', status: 503, path: data, probability: 0.15, seed: 7 });
      faults.add({ kind: 'drop', path: data, count: 3 });
      faults.add({ kind: 'latency', latencyMs: 5, path: data, probability: 0.1, seed: 13 });
      // A write that lands but whose answer is lost: the retry must be harmless.
      faults.add({ kind: 'drop-after', method: 'PATCH', path: COLLECTIONS, count: 2 });
      faults.add({ kind: 'status', status: 503, method: 'PATCH', path: COLLECTIONS, count: 2 });
      // Per-item trouble inside 200 answers: row locks that clear, and a validation rule that never does.
      // Open, not opted out: scorable leads a validation rule refuses.
      const rejected = seeded.leadIds.filter((_, i) => i % 20 !== 0 && i % 10 !== 0).slice(0, 3);
      faults.addRecordFault({
        statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'Scores cannot change while the lead is in review',
        ids: rejected,
        operation: 'update',
      });
      faults.addRecordFault({
        statusCode: 'UNABLE_TO_LOCK_ROW',
        message: 'unable to obtain exclusive access to this record or 200 records',
        operation: 'update',
        probability: 0.1,
        seed: 17,
      });
      counters.moveLast();
      return {
        rejected,
        rejectedBecause: /FIELD_CUSTOM_VALIDATION_EXCEPTION/,
        fired: () => [...faults.firedCounts().slice(first, first + 8), ...faults.recordFiredCounts()],
      };
    },
    connect,
    subscribe,
    until,
    queued,
    savedReplayId,
    lastReplayId,
    unscored: (object) =>
      f.org.query(`SELECT Id FROM ${object} WHERE Leadgate_Score__c = null AND HasOptedOutOfEmail = false`)
        .length,
    exhaustQuota: (callsLeft) => {
      f.org.setDailyApiLimit(f.org.apiUsage().used + callsLeft);
    },
    stop: async () => {
      for (const sub of subscriptions.splice(0)) sub.stop();
      await store.close();
      await db.destroy();
      await f.emulator.close();
    },
  };
}
