import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedOrg, startFixture, type Fixture, type SeededOrg } from '../../test/salesforce-fixture.ts';
import {
  createSalesforceConnectorFactory,
  createSalesforceOAuthClient,
  loadSalesforceSession,
  salesforceTokenProvider,
  saveSalesforceSession,
  sessionOf,
  subscribeSalesforceCdc,
  CDC_CURSOR_STREAM,
  type CdcSubscription,
  type SalesforceOAuthClient,
} from '../integrations/salesforce/index.ts';
import { createLogger } from '../kit/logging/index.ts';
import { createJobQueue, Worker, type JobQueue } from '../kit/jobs/index.ts';
import { createKeyRing, type KeyRing } from '../kit/secrets/index.ts';
import type { JobRecord, Store, Tenant } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import type { Connector, ScoreClear, ScoreWrite } from '../../connectors/index.ts';
import { verifyAuditChain } from '../kit/audit/index.ts';
import { CRM_FIELDS } from './feature-spec.ts';
import { createPipelineHandlers, INCREMENTAL_EVENTS_STREAM, INCREMENTAL_STREAM } from './jobs/index.ts';
import { DEFAULT_OUTCOMES } from './outcome.ts';
import { buildTrainingSet } from './train.ts';
import { tenantStatus } from './status.ts';

/**
 * End to end through the app's Salesforce connector factory (stored session, token provider, per-org
 * budget), the real jsforce and the emulator: a seeded org is backfilled, scored and written back by
 * the job handlers on a real queue.
 */

const LEADS = 500;
const CONTACTS = 100;
const DAY = 86_400_000;
// The emulator's own connected app: its sessions and refresh tokens are what org.issueToken gives.
const CLIENT_ID = 'leadgate-emulator';

let f: Fixture;
let db: TestDb;
let store: Store;
let ring: KeyRing;
let tenant: Tenant;
let seeded: SeededOrg;
let queue: JobQueue;
let worker: Worker;
let oauth: SalesforceOAuthClient;
const subscriptions: CdcSubscription[] = [];
/** Jobs the change-event subscriptions queued, in order. */
const cdcJobs: JobRecord[] = [];
/** Every record id the pipeline asked the connector to write, call by call. */
const writeAttempts: string[] = [];
/** Every record id the pipeline asked the connector to clear (consent withdrawn). */
const clearAttempts: string[] = [];

async function connect(): Promise<void> {
  const issued = f.org.issueToken({ withRefreshToken: true });
  const grant = {
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken ?? null,
    instanceUrl: f.emulator.url,
    orgId: f.org.id,
    userId: f.org.userId,
  };
  await saveSalesforceSession(
    store,
    ring,
    tenant.id,
    sessionOf(grant, 'web', null, f.clock.now),
    f.clock.now,
  );
}

beforeEach(async () => {
  f = await startFixture(1_000_000);
  seeded = seedOrg(f.org, LEADS, CONTACTS);
  db = await sqliteFactory.create();
  store = await db.open();
  ring = createKeyRing(randomBytes(32));
  tenant = await store.createTenant({ crm: 'salesforce', externalId: f.org.id, name: 'Org' }, f.clock.now);
  await connect();
  const clock = { now: () => f.clock.now };
  const sleep = (ms: number): Promise<void> => {
    f.clock.now += ms;
    return Promise.resolve();
  };
  oauth = createSalesforceOAuthClient({
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
  // The connector as the pipeline sees it, recording what write-back asks it to write.
  const recording = async (t: Tenant): Promise<Connector> => {
    const connector = await connectorFor(t);
    return {
      ...connector,
      writeScores: (writes: readonly ScoreWrite[]) => {
        writeAttempts.push(...writes.map((w) => w.crmId));
        return connector.writeScores(writes);
      },
      clearScores: (clears: readonly ScoreClear[]) => {
        clearAttempts.push(...clears.map((c) => c.crmId));
        return connector.clearScores(clears);
      },
    };
  };
  const handlers = createPipelineHandlers({
    store,
    connectorFor: recording,
    clock: () => f.clock.now,
    sleep,
    actor: 'worker:test',
  });
  queue = createJobQueue(store, {
    clock: () => f.clock.now,
    rng: () => 0.5,
    leaseMs: 60_000,
    maxRunningPerTenant: 1,
  });
  worker = new Worker({
    store,
    queue,
    workerId: 'test-worker',
    clock: () => f.clock.now,
    sleep: (_ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted === true) resolve();
        signal?.addEventListener('abort', () => {
          resolve();
        });
      }),
  });
  for (const [type, handler] of Object.entries(handlers)) worker.register(type, handler);
});

afterEach(async () => {
  for (const sub of subscriptions.splice(0)) sub.stop();
  cdcJobs.splice(0);
  writeAttempts.splice(0);
  clearAttempts.splice(0);
  await store.close();
  await db.destroy();
  await f.emulator.close();
});

/** Runs jobs until none is runnable, moving time past retry delays while jobs wait. */
async function drain(stepMs = 10 * 60_000): Promise<void> {
  for (let idle = 0; idle < 20;) {
    if (await worker.runOnce()) {
      idle = 0;
      continue;
    }
    const counts = await store.countJobs(tenant.id);
    if (counts.queued === 0 && counts.running === 0) return;
    f.clock.now += stepMs;
    idle++;
  }
  throw new Error('jobs did not drain');
}

const unscored = (object: 'Lead' | 'Contact'): number =>
  f.org.query(`SELECT Id FROM ${object} WHERE Leadgate_Score__c = null AND HasOptedOutOfEmail = false`)
    .length;

describe('Salesforce end to end', () => {
  it('backfills, scores and writes every scorable Lead and Contact in Collections of 200', async () => {
    const collections = f.countRequests('PATCH', /\/composite\/sobjects$/);
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();
    // Converted leads are closed: their person lives on as the Contact.
    const openLeads = f.org.query(
      'SELECT Id FROM Lead WHERE IsConverted = false AND HasOptedOutOfEmail = false',
    );
    expect(openLeads.length).toBeGreaterThan(400);
    expect(
      f.org.query(
        'SELECT Id FROM Lead WHERE IsConverted = false AND Leadgate_Score__c = null AND HasOptedOutOfEmail = false',
      ),
    ).toEqual([]);
    expect(unscored('Contact')).toBe(0);
    const written = f.org.query(
      'SELECT Id, Leadgate_Tier__c, Leadgate_Scored_At__c FROM Lead WHERE Leadgate_Score__c != null',
    );
    expect(written.every((r) => typeof r['Leadgate_Tier__c'] === 'string')).toBe(true);
    expect(await store.listScoresByWriteBack(tenant.id, 'failed', 10)).toEqual([]);
    expect(collections()).toBeLessThanOrEqual(Math.ceil((LEADS + seeded.contactIds.length) / 200) + 1);
  });

  it('never scores or writes a converted Lead, counts its conversion, and scores the Contact it became', async () => {
    // Open, not opted out: Leads a real org converts three weeks after they came in.
    f.clock.now += 20 * DAY;
    const convertedOpen = seeded.leadIds.filter((_, i) => i % 20 === 5);
    const contacts = convertedOpen.map((id) => f.org.convertLead(id, { createOpportunity: true }).contactId);
    const converted = [...seeded.convertedLeadIds, ...convertedOpen];
    const collections = f.countRequests('PATCH', /\/composite\/sobjects$/);
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();

    const is15 = (ids: readonly string[]) => new Set(ids.map((id) => id.slice(0, 15)));
    const convertedSet = is15(converted);
    // Every scorable record written: open Leads not opted out, Contacts (the converted Leads' too).
    expect(
      f.org.query(
        'SELECT Id FROM Lead WHERE IsConverted = false AND Leadgate_Score__c = null AND HasOptedOutOfEmail = false',
      ),
    ).toEqual([]);
    expect(unscored('Contact')).toBe(0);
    for (const id of contacts) expect(f.org.get(id)?.['Leadgate_Score__c']).toEqual(expect.any(Number));
    // Converted Leads: no write attempted, no score stored, nothing written, no dead letter.
    expect(writeAttempts.length).toBeGreaterThan(400);
    expect(writeAttempts.filter((id) => convertedSet.has(id.slice(0, 15)))).toEqual([]);
    expect(f.org.query('SELECT Id FROM Lead WHERE IsConverted = true AND Leadgate_Score__c != null')).toEqual(
      [],
    );
    for (const id of converted) expect(await store.getLatestScore(tenant.id, id)).toBeUndefined();
    expect(await store.listScoresByWriteBack(tenant.id, 'failed', 10)).toEqual([]);
    expect(await store.listDeadLetters(tenant.id)).toEqual([]);
    expect(collections()).toBeLessThanOrEqual(Math.ceil(writeAttempts.length / 200) + 1);

    // Their conversions are outcomes, and positives once their window has closed.
    const outcomes = await store.getOutcomes(tenant.id, {}, f.clock.now);
    const convertedOutcomes = outcomes.filter((o) => o.type === 'lead_converted').map((o) => o.personId);
    expect(is15(convertedOutcomes)).toEqual(convertedSet);
    const later = f.clock.now + 100 * DAY;
    const set = await buildTrainingSet(
      store,
      tenant.id,
      later,
      DEFAULT_OUTCOMES.salesforce,
      CRM_FIELDS.salesforce,
    );
    const positives = set.rows.filter((r) => r.label === 1).map((r) => r.personId.slice(0, 15));
    expect(new Set(positives)).toEqual(is15(convertedOpen));

    // A Lead converted after its score was written: the next sync closes it, nothing is written to it.
    const lateLead = seeded.leadIds[7] ?? '';
    expect(f.org.get(lateLead)?.['Leadgate_Score__c']).toEqual(expect.any(Number));
    f.clock.now += DAY;
    const { contactId: lateContact } = f.org.convertLead(lateLead, { createOpportunity: false });
    writeAttempts.splice(0);
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();
    expect(writeAttempts.map((id) => id.slice(0, 15))).toEqual([lateContact.slice(0, 15)]);
    expect(f.org.get(lateContact)?.['Leadgate_Score__c']).toEqual(expect.any(Number));
    expect(await store.listDeadLetters(tenant.id)).toEqual([]);
    expect((await tenantStatus(store, tenant)).phase).toBe('live');
  });

  it('ends with every score written and none lost with faults on', async () => {
    const data = /^\/services\/data\//;
    const collections = /\/composite\/sobjects$/;
    const faults = f.emulator.faults;
    // Whole-call trouble, on every REST route: 5xx, dropped sockets, concurrent-limit storms, latency.
    faults.add({ kind: 'concurrent-limit', path: data, count: 6 });
    faults.add({ kind: 'status', status: 500, path: /\/query/, count: 3 });
    // A load balancer's HTML page instead of JSON (jsforce names it ERROR_HTTP_502).
    faults.add({ kind: 'status', status: 502, path: data, count: 2 });
    faults.add({ kind: 'status', status: 503, path: data, probability: 0.15, seed: 7 });
    faults.add({ kind: 'drop', path: data, count: 3 });
    faults.add({ kind: 'latency', latencyMs: 5, path: data, probability: 0.1, seed: 13 });
    // A write that lands but whose answer is lost: the retry must be harmless.
    faults.add({ kind: 'drop-after', method: 'PATCH', path: collections, count: 2 });
    faults.add({ kind: 'status', status: 503, method: 'PATCH', path: collections, count: 2 });
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
    const writes = f.countRequests('PATCH', collections);
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();

    // The faults really fired: every whole-call kind and both per-item kinds.
    const fired = faults.firedCounts();
    expect(fired.slice(0, 8).every((n) => n > 0)).toBe(true);
    expect(faults.recordFiredCounts().every((n) => n > 0)).toBe(true);
    expect(writes()).toBeGreaterThan(Math.ceil((LEADS + seeded.contactIds.length) / 200));

    // Every scorable open Lead and every Contact carries its score, except the three a rule refuses.
    const missing = f.org
      .query(
        'SELECT Id FROM Lead WHERE IsConverted = false AND Leadgate_Score__c = null AND HasOptedOutOfEmail = false',
      )
      .map((r) => String(r['Id']).slice(0, 15))
      .sort();
    expect(missing).toEqual(rejected.map((id) => id.slice(0, 15)).sort());
    expect(unscored('Contact')).toBe(0);
    // None lost: nothing still pending; the dead letters are exactly the refused records, with why.
    expect(await store.listScoresByWriteBack(tenant.id, 'pending', 10)).toEqual([]);
    const failed = await store.listScoresByWriteBack(tenant.id, 'failed', 100);
    expect(failed.map((s) => s.personId.slice(0, 15)).sort()).toEqual(missing);
    for (const s of failed) expect(s.writeBackError).toMatch(/FIELD_CUSTOM_VALIDATION_EXCEPTION/);
    // Each stored score that was written is what the org holds.
    const written = await store.listScoresByWriteBack(tenant.id, 'written', 10_000);
    for (const s of written.slice(0, 50)) {
      expect(f.org.get(s.personId)?.['Leadgate_Score__c']).toBe(Math.round(s.score));
    }
    expect((await tenantStatus(store, tenant)).phase).toBe('live');
  });

  it('makes no Collections call for a rescore that changes nothing', async () => {
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();
    const collections = f.countRequests('PATCH', /\/composite\/sobjects$/);
    await queue.enqueue({ tenantId: tenant.id, type: 'rescore', payload: {} });
    await drain();
    expect(collections()).toBe(0);
  });

  it('stops cleanly when the allocation is spent mid-write and finishes after the daily reset', async () => {
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    const collections = f.countRequests('PATCH', /\/composite\/sobjects$/);
    // Run until scores wait to be written, then leave the org room for two Collections calls.
    for (let i = 0; i < 100; i++) {
      const pending = await store.listScoresByWriteBack(tenant.id, 'pending', 1);
      if (pending.length > 0 && collections() === 0) break;
      if (!(await worker.runOnce())) f.clock.now += 60_000;
    }
    f.org.setDailyApiLimit(f.org.apiUsage().used + 2);
    const day = Math.floor(f.clock.now / DAY) * DAY;
    // Drain within the day: the write-back stops on the spent allocation and waits, nothing is lost.
    for (let i = 0; i < 20 && (await worker.runOnce()); i++);
    const stuck = await store.listScoresByWriteBack(tenant.id, 'pending', 10_000);
    expect(stuck.length).toBeGreaterThan(0);
    expect(await store.listScoresByWriteBack(tenant.id, 'failed', 10)).toEqual([]);
    expect(await store.listDeadLetters(tenant.id)).toEqual([]);
    expect((await tenantStatus(store, tenant)).writeStopped).toEqual({
      reason: 'quota_exhausted',
      resumeAt: day + DAY,
    });
    // The next UTC day the org's allocation is fresh again.
    f.org.setDailyApiLimit(1_000_000);
    f.clock.now = day + DAY + 60_000;
    await drain(60 * 60_000);
    expect(await store.listScoresByWriteBack(tenant.id, 'pending', 10)).toEqual([]);
    expect((await tenantStatus(store, tenant)).writeStopped).toBeNull();
    expect(unscored('Contact')).toBe(0);
  });
});

function subscribe(): CdcSubscription {
  const clock = { now: () => f.clock.now };
  const sub = subscribeSalesforceCdc(
    {
      store: {
        getSyncCursor: (t, stream) => store.getSyncCursor(t, stream),
        setSyncCursor: (c) => store.setSyncCursor(c),
        getCredential: (t, name) => store.getCredential(t, name),
        enqueueJob: async (job, now) => {
          const out = await store.enqueueJob(job, now);
          if (out.created) cdcJobs.push(out.job);
          return out;
        },
      },
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
}

/** Bounded wait for pushed events (CometD delivers over real sockets; there is no clock to move). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met within 2 s');
}

const queued = async (): Promise<number> => (await store.countJobs(tenant.id)).queued;
const savedReplayId = async (): Promise<number | undefined> => {
  const row = await store.getSyncCursor(tenant.id, CDC_CURSOR_STREAM);
  return row === undefined ? undefined : Number(row.cursor);
};
const lastReplayId = (): number => f.org.changeEvents().at(-1)?.replayId ?? 0;

describe('Salesforce change events', () => {
  beforeEach(async () => {
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();
  });

  it('rescores and writes a Lead another client changed', async () => {
    const sub = subscribe();
    await sub.ready;
    const leadId = seeded.leadIds[1] ?? '';
    const before = f.org.get(leadId)?.['Leadgate_Scored_At__c'];
    f.clock.now += 60_000;
    f.org.update('Lead', leadId, { Title: 'Chief Executive Officer', NumberOfEmployees: 50_000 });
    await until(async () => (await queued()) === 1);
    await sub.idle();
    expect(await savedReplayId()).toBe(lastReplayId());
    await drain();
    expect(f.org.get(leadId)?.['Leadgate_Scored_At__c']).not.toBe(before);
  });

  it('fetches exactly the changed records, 200 ids a query, and leaves the sweep cursor alone', async () => {
    const first = subscribe();
    await first.ready;
    f.org.update('Lead', seeded.leadIds[1] ?? '', { Title: 'VP Sales' });
    await until(async () => (await savedReplayId()) === lastReplayId());
    await drain();
    first.stop();
    const sweepCursor = await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM);
    // 450 open, scorable Leads changed by someone else while nobody listened.
    const changed = seeded.leadIds.filter((_, i) => i % 10 !== 0);
    expect(changed).toHaveLength(450);
    f.clock.now += 60_000;
    const changedAt = f.clock.now;
    for (const id of changed)
      f.org.update('Lead', id, { Title: 'Chief Executive Officer', NumberOfEmployees: 50_000 });
    const queries = f.countRequests('GET', /\/query/);
    const second = subscribe();
    await second.ready;
    await until(async () => (await savedReplayId()) === lastReplayId());
    await second.idle();
    const jobs = cdcJobs.slice(1);
    expect(jobs.map((j) => j.type)).toEqual(['incremental']);
    expect((jobs[0]?.payload as { recordIds: string[] }).recordIds.sort()).toEqual([...changed].sort());
    f.clock.now += 1_000;
    await drain();
    // ceil(450 / 200) = 3 `WHERE Id IN (...)` queries, and no SystemModstamp sweep of Leads and Contacts.
    expect(queries()).toBe(Math.ceil(changed.length / 200));
    for (const id of changed) {
      expect((await store.getLatestScore(tenant.id, id))?.scoredAt).toBeGreaterThanOrEqual(changedAt);
    }
    expect(await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM)).toEqual(sweepCursor);
    // The safety net still finds them: a sweep reads from its unchanged cursor.
    const before = queries();
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();
    expect(queries() - before).toBeGreaterThanOrEqual(2);
    expect(Number((await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM))?.cursor)).toBeGreaterThanOrEqual(
      changedAt,
    );
  });

  it('renews an expired session and re-handshakes from the saved replay id without losing events', async () => {
    const sub = subscribe();
    await sub.ready;
    const [a, b, c, d] = [seeded.leadIds[1] ?? '', seeded.leadIds[2] ?? '', seeded.leadIds[3] ?? '', ''];
    f.org.update('Lead', a, { Title: 'VP Sales' });
    await until(async () => (await savedReplayId()) === lastReplayId());
    const expired = (await loadSalesforceSession(store, ring, tenant.id))?.accessToken;
    f.org.expireSessions();
    // Changed while the subscription's session is dead: the first change meets the 401, the second
    // has no client at all. Both must come back by replay after the re-handshake.
    f.org.update('Lead', b, { Title: 'CFO' });
    f.org.update('Contact', seeded.contactIds[0] ?? d, { Title: 'CTO' });
    await until(async () => (await savedReplayId()) === lastReplayId());
    const renewed = (await loadSalesforceSession(store, ring, tenant.id))?.accessToken;
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(expired);
    // Still live on the new session.
    f.org.update('Lead', c, { Title: 'COO' });
    await until(async () => (await savedReplayId()) === lastReplayId());
    await sub.idle();
    const named = cdcJobs.flatMap((j) => (j.payload as { recordIds?: string[] }).recordIds ?? []);
    expect(new Set(named)).toEqual(new Set([a, b, seeded.contactIds[0], c]));
  });

  it('starts on a stored session that expired meanwhile by renewing it first', async () => {
    // Three idle hours: past the 2-hour session timeout; the refresh token still works.
    f.clock.now += 3 * 3_600_000;
    const expired = (await loadSalesforceSession(store, ring, tenant.id))?.accessToken;
    const sub = subscribe();
    await sub.ready;
    expect((await loadSalesforceSession(store, ring, tenant.id))?.accessToken).not.toBe(expired);
    f.org.update('Lead', seeded.leadIds[7] ?? '', { Title: 'Head of Growth' });
    await until(async () => (await queued()) === 1);
  });

  it('ignores the change events of our own write-backs', async () => {
    const sub = subscribe();
    await sub.ready;
    const leadId = seeded.leadIds[2] ?? '';
    // A write through our own client id, as the write-back sends it.
    f.org.update(
      'Lead',
      leadId,
      { Leadgate_Reasons__c: 'x' },
      { changeOrigin: `com/salesforce/api/rest/64.0;client=${CLIENT_ID}` },
    );
    await until(async () => (await savedReplayId()) === lastReplayId());
    expect(await queued()).toBe(0);
  });

  it('resumes from the saved replay id after a restart', async () => {
    const first = subscribe();
    await first.ready;
    f.org.update('Lead', seeded.leadIds[3] ?? '', { Title: 'VP' });
    await until(async () => (await savedReplayId()) === lastReplayId());
    first.stop();
    // Changed while no subscriber was listening.
    f.org.update('Contact', seeded.contactIds[0] ?? '', { Title: 'CTO' });
    const missed = lastReplayId();
    const second = subscribe();
    await second.ready;
    await until(async () => (await savedReplayId()) === missed);
    expect(await queued()).toBe(2);
  });

  it('sweeps by SystemModstamp and resubscribes from the tip when the replay id is past retention', async () => {
    f.org.update('Lead', seeded.leadIds[4] ?? '', { Title: 'Old news' });
    await store.setSyncCursor({
      tenantId: tenant.id,
      stream: CDC_CURSOR_STREAM,
      cursor: '1',
      updatedAt: f.clock.now,
    });
    f.clock.now += 73 * 3_600_000;
    // Sessions end after 2 idle hours: connect again, as a refresh would, to test the replay window alone.
    await connect();
    f.org.update('Lead', seeded.leadIds[5] ?? '', { Title: 'Recent' });
    const sub = subscribe();
    await sub.ready;
    expect(await queued()).toBe(1);
    f.org.update('Lead', seeded.leadIds[6] ?? '', { Title: 'Live' });
    await until(async () => (await queued()) === 2);
  });
});

const LEADGATE_FIELDS = 'Leadgate_Score__c, Leadgate_Tier__c, Leadgate_Route__c, Leadgate_Reasons__c';

/** The Leadgate fields of a record as the REST API answers them (through jsforce, the org's session). */
async function leadgateFieldsOf(id: string): Promise<Record<string, unknown>> {
  const session = await loadSalesforceSession(store, ring, tenant.id);
  const res = await fetch(
    `${f.emulator.url}/services/data/v64.0/query?q=${encodeURIComponent(`SELECT ${LEADGATE_FIELDS} FROM ${id.startsWith('00Q') ? 'Lead' : 'Contact'} WHERE Id = '${id}'`)}`,
    { headers: { Authorization: `Bearer ${session?.accessToken ?? ''}` } },
  );
  const body = (await res.json()) as { records: Record<string, unknown>[] };
  const fields = { ...body.records[0] };
  delete fields['attributes'];
  return fields;
}

const EMPTY = {
  Leadgate_Score__c: null,
  Leadgate_Tier__c: null,
  Leadgate_Route__c: null,
  Leadgate_Reasons__c: null,
};

/** The consent decisions of the audit trail that name this person: score decisions and clears. */
async function consentAudit(personId: string): Promise<string[]> {
  const rows = await store.listAuditRows(tenant.id, 0, 10_000);
  return rows
    .filter(
      (a) =>
        (a.action === 'score.decide' || a.action === 'score.clear') &&
        JSON.stringify(a.details).includes(personId),
    )
    .map((a) => `${a.action} ${JSON.stringify(a.details)}`);
}

describe('Salesforce consent withdrawn after install', () => {
  beforeEach(async () => {
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();
    writeAttempts.splice(0);
  });

  it('a Lead that opts out (change event, targeted fetch) is cleared, not rescored; opting back in scores it again', async () => {
    const sub = subscribe();
    await sub.ready;
    const leadId = seeded.leadIds.find((id) => f.org.get(id)?.['Leadgate_Score__c'] != null) ?? '';
    const other =
      seeded.leadIds.find((id) => id !== leadId && f.org.get(id)?.['Leadgate_Score__c'] != null) ?? '';
    expect((await leadgateFieldsOf(leadId)).Leadgate_Score__c).toEqual(expect.any(Number));
    const queries = f.countRequests('GET', /\/query/);
    f.clock.now += 60_000;
    // Opted out, and a field that moves the score changed too: without the consent gate, a rescore and a write.
    f.org.update('Lead', leadId, { HasOptedOutOfEmail: true, Title: 'Chief Executive Officer' });
    await until(async () => (await queued()) === 1);
    await sub.idle();
    await drain();
    expect(cdcJobs.map((j) => (j.payload as { recordIds?: string[] }).recordIds)).toEqual([[leadId]]);
    // The targeted fetch (one query) carried the consent: no sweep, no consent read.
    expect(queries()).toBe(1);
    expect(writeAttempts).toEqual([]);
    expect(clearAttempts).toEqual([leadId]);
    expect(await leadgateFieldsOf(leadId)).toEqual(EMPTY);
    expect((await leadgateFieldsOf(other)).Leadgate_Score__c).toEqual(expect.any(Number));
    expect(await store.getConsentAsOf(tenant.id, leadId, f.clock.now)).toMatchObject({
      optedOut: true,
      lawfulBasis: 'none',
    });
    expect(await store.listScoresByWriteBack(tenant.id, 'pending', 10)).toEqual([]);
    const audit = await consentAudit(leadId);
    expect(audit.at(-2)).toMatch(/no lawful basis for profiling; written score \S+ to be cleared in the CRM/);
    expect(audit.at(-1)).toMatch(/^score.clear .*"cleared"/);
    expect((await verifyAuditChain(store, tenant.id)).ok).toBe(true);

    // Our own clear comes back as a change event of our client: ignored. A full rescore leaves the Lead alone.
    await queue.enqueue({ tenantId: tenant.id, type: 'rescore', payload: {} });
    await drain();
    expect(writeAttempts).toEqual([]);
    expect(clearAttempts).toEqual([leadId]);

    // Opted back in: scored and written again.
    f.clock.now += 60_000;
    f.org.update('Lead', leadId, { HasOptedOutOfEmail: false });
    await until(async () => (await queued()) === 1);
    await sub.idle();
    await drain();
    expect(writeAttempts).toEqual([leadId]);
    expect((await leadgateFieldsOf(leadId)).Leadgate_Score__c).toEqual(expect.any(Number));
    expect(await store.getConsentAsOf(tenant.id, leadId, f.clock.now)).toMatchObject({ optedOut: false });
    expect((await store.getLatestScore(tenant.id, leadId))?.writeBack).toBe('written');
  });

  it('a Contact that opts out is cleared by the SystemModstamp sweep too', async () => {
    const contactId = seeded.contactIds.find((id) => f.org.get(id)?.['Leadgate_Score__c'] != null) ?? '';
    expect(contactId).not.toBe('');
    f.clock.now += 60_000;
    f.org.update('Contact', contactId, { HasOptedOutOfEmail: true, Title: 'Chief Executive Officer' });
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();
    expect(writeAttempts).toEqual([]);
    expect(clearAttempts).toEqual([contactId]);
    expect(await leadgateFieldsOf(contactId)).toEqual(EMPTY);
    const cleared = (await store.listScores(tenant.id, contactId, 10)).filter(
      (s) => s.writeBackError !== null,
    );
    expect(cleared.map((s) => s.writeBackError)).toEqual([
      expect.stringMatching(/^cleared from the CRM: no lawful basis for profiling/),
    ]);
    expect(await store.listDeadLetters(tenant.id)).toEqual([]);

    f.clock.now += 60_000;
    f.org.update('Contact', contactId, { HasOptedOutOfEmail: false });
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();
    expect(writeAttempts).toEqual([contactId]);
    expect((await leadgateFieldsOf(contactId)).Leadgate_Score__c).toEqual(expect.any(Number));
  });
});

describe('Salesforce outcomes after install', () => {
  beforeEach(async () => {
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();
  });

  const FAR = Date.UTC(9999, 0, 1);
  /** ConvertedDate is a date: the conversion's time is midnight UTC of the day it happened. */
  const dayOf = (ms: number): number => Math.floor(ms / DAY) * DAY;

  it('records a Lead converted after the backfill: change event (targeted fetch) and SystemModstamp sweep', async () => {
    const [byEvent, bySweep] = seeded.leadIds.filter((id) => f.org.get(id)?.['Leadgate_Score__c'] != null);
    if (byEvent === undefined || bySweep === undefined) throw new Error('no two scored open Leads');
    for (const id of [byEvent, bySweep])
      expect(await store.getOutcomes(tenant.id, { personId: id }, FAR)).toEqual([]);

    const sub = subscribe();
    await sub.ready;
    f.clock.now += 60_000;
    const eventDay = dayOf(f.clock.now);
    f.org.convertLead(byEvent, { createOpportunity: false });
    await until(async () => (await savedReplayId()) === lastReplayId());
    await sub.idle();
    const payloads = cdcJobs.map((j) => (j.payload as { recordIds?: string[] }).recordIds ?? []);
    expect(payloads.flat()).toContain(byEvent);
    await drain();
    const converted = await store.getOutcomes(tenant.id, { personId: byEvent }, FAR);
    expect(converted.map((o) => [o.personId, o.type, o.occurredAt])).toEqual([
      [byEvent, 'lead_converted', eventDay],
    ]);
    // Known from the sync on (live), never before the conversion.
    expect(converted[0]?.recordedAt).toBeGreaterThanOrEqual(eventDay);
    sub.stop();

    // No change event this time (nobody listening): the next sweep reads the Lead's new SystemModstamp.
    f.clock.now += DAY;
    const sweepDay = dayOf(f.clock.now);
    f.org.convertLead(bySweep, { createOpportunity: false });
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();
    const swept = await store.getOutcomes(tenant.id, { personId: bySweep }, FAR);
    expect(swept.map((o) => [o.type, o.occurredAt])).toEqual([['lead_converted', sweepDay]]);
    expect(swept[0]?.recordedAt).toBeGreaterThanOrEqual(sweepDay);

    // Sweeping again re-reads nothing new and records nothing twice.
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();
    expect(await store.getOutcomes(tenant.id, { personId: bySweep }, FAR)).toEqual(swept);
  });
});

describe('Salesforce engagement after install', () => {
  beforeEach(async () => {
    await queue.enqueue({ tenantId: tenant.id, type: 'backfill', payload: {} });
    await drain();
  });

  it('reads Tasks and Events logged after the backfill (SystemModstamp sweep), rescoring the Lead higher, each once', async () => {
    const FAR = Date.UTC(9999, 0, 1);
    let leadId: string | undefined;
    let before: number | null = null;
    for (const id of seeded.leadIds) {
      const s = await store.getLatestScore(tenant.id, id);
      // Without a model yet (500 Leads) the rules score: a reply in 30 days and a meeting in 90 raise it.
      if (s === undefined || JSON.stringify(s.reasons).includes('meeting')) continue;
      if (before === null || s.score < before) {
        leadId = id;
        before = s.score;
      }
    }
    if (leadId === undefined || before === null) throw new Error('no scored Lead without a meeting');
    const cursorBefore = Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor);
    const eventsBefore = (await store.getEventsAsOf(tenant.id, leadId, FAR)).length;

    f.clock.now += 60_000;
    const t = f.clock.now;
    const today = new Date(t).toISOString().slice(0, 10);
    const tasks = f.org.insert('Task', [
      { WhoId: leadId, Subject: 'Call', Type: 'Call', Status: 'Completed', ActivityDate: today },
      { WhoId: leadId, Subject: 'Re: pricing', Type: 'Email', Status: 'Completed', ActivityDate: today },
      // A to-do of the rep is not the Lead's engagement: read, not an event.
      { WhoId: leadId, Subject: 'Send brochure', Status: 'Not Started' },
    ]);
    const meetings = f.org.insert('Event', [
      {
        WhoId: leadId,
        Subject: 'Demo',
        Type: 'Meeting',
        ActivityDateTime: new Date(t).toISOString(),
        StartDateTime: new Date(t).toISOString(),
        EndDateTime: new Date(t + 45 * 60_000).toISOString(),
        DurationInMinutes: 45,
      },
    ]);
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();

    const events = await store.getEventsAsOf(tenant.id, leadId, FAR);
    expect(events.length).toBe(eventsBefore + 3);
    const bySource = new Map(events.map((e) => [e.sourceId, e.type]));
    expect([tasks[0], tasks[1], meetings[0]].map((id) => bySource.get(id ?? ''))).toEqual([
      'call',
      'email_reply',
      'meeting',
    ]);
    expect(bySource.has(tasks[2] ?? '')).toBe(false);
    const after = await store.getLatestScore(tenant.id, leadId);
    expect(after?.scoredAt).toBeGreaterThanOrEqual(t);
    expect(after?.score).toBeGreaterThan(before);
    expect(JSON.stringify(after?.reasons)).toContain('meeting');
    const cursor = Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor);
    expect(cursor).toBeGreaterThan(cursorBefore);
    expect(cursor).toBeGreaterThanOrEqual(t);

    // The next sweep re-reads the cursor's millisecond: nothing ingested twice, the cursor stays.
    await queue.enqueue({ tenantId: tenant.id, type: 'incremental', payload: {} });
    await drain();
    expect((await store.getEventsAsOf(tenant.id, leadId, FAR)).length).toBe(eventsBefore + 3);
    expect(Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor)).toBe(cursor);
  });
});
