import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalPerson, Connector, CrmKind } from '../../../connectors/index.ts';
import type { JsonValue, Store, Tenant } from '../../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../../kit/store/test-support.ts';
import { startPipelineWorker, type PipelineWorker } from '../testdata/pipeline-worker.ts';

/**
 * Job payloads and checkpoints through a real queue and worker (testdata/pipeline-worker.ts): a
 * malformed one dead-letters its job with the reason and the worker goes on; every payload shape ever
 * queued still runs.
 */

const T0 = Date.UTC(2026, 0, 1);

/** What the pipeline asked of the connector. */
interface Calls {
  changedSince: number[];
  eventsSince: number[];
  byIds: string[][];
  companies: (string | undefined)[];
}

/** Empty pages; `byIds` adds Salesforce's read of named people. */
function fakeConnector(crm: CrmKind, calls: Calls, byIds: boolean): Connector {
  const empty = () => Promise.resolve({ items: [] });
  const connector: Connector = {
    crm,
    ensureSchema: () => Promise.resolve(),
    listPeople: empty,
    listCompanies: (cursor) => {
      calls.companies.push(cursor);
      return empty();
    },
    listEvents: empty,
    listOutcomes: empty,
    listConsent: empty,
    listPeopleChangedSince: (since) => {
      calls.changedSince.push(since);
      return empty();
    },
    listEventsChangedSince: (since) => {
      calls.eventsSince.push(since);
      return empty();
    },
    writeScores: () => Promise.resolve([]),
    clearScores: () => Promise.resolve([]),
  };
  if (!byIds) return connector;
  const listPeopleByIds = (ids: readonly string[]): Promise<CanonicalPerson[]> => {
    calls.byIds.push([...ids]);
    return Promise.resolve([]);
  };
  return Object.assign(connector, { listPeopleByIds });
}

let db: TestDb;
let store: Store;
let pipeline: PipelineWorker;
let now: number;
let calls: Calls;
/** Ids of the probe jobs the worker ran: it goes on after a refused payload. */
let probes: string[];

async function setup(crm: CrmKind, byIds: boolean): Promise<Tenant> {
  const tenant = await store.createTenant({ crm, externalId: `${crm}-1`, name: 'T' }, now);
  pipeline = startPipelineWorker({
    deps: {
      store,
      connectorFor: () => fakeConnector(crm, calls, byIds),
      clock: () => now,
      sleep: () => Promise.resolve(),
    },
    tenant,
    advance: (ms) => {
      now += ms;
    },
  });
  pipeline.worker.register('probe', (ctx) => {
    probes.push(ctx.job.id);
    return Promise.resolve('done');
  });
  return tenant;
}

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  now = T0;
  calls = { changedSince: [], eventsSince: [], byIds: [], companies: [] };
  probes = [];
});

afterEach(async () => {
  await store.close();
  await db.destroy();
});

/** Queues a job; each one a millisecond after the last, so they are claimed in this order. */
async function enqueue(tenant: Tenant, type: string, payload: JsonValue): Promise<string> {
  now += 1;
  return (await pipeline.queue.enqueue({ tenantId: tenant.id, type, payload })).job.id;
}

/**
 * Runs every runnable job (a fresh job of the chain included), at most `limit`, without moving time
 * (pipeline.drain would, and would not stop after `limit`).
 */
async function drain(limit = 20): Promise<void> {
  for (let i = 0; i < limit && (await pipeline.worker.runOnce()); i++);
}

const stateOf = async (tenant: Tenant, id: string) => (await store.getJob(tenant.id, id))?.state;

describe('a malformed job payload', () => {
  it.each<[string, JsonValue, string]>([
    ['backfill', { since: 0 }, 'backfill payload: /since is not allowed'],
    ['backfill', [], 'backfill payload: must be object'],
    [
      'incremental',
      { source: 'email' },
      'incremental payload: /source must be one of webhook, cdc, cdc-gap, sweep',
    ],
    [
      'incremental',
      { source: 'cdc', recordIds: ['00Q000000000001AAA', "x' OR Id != '"] },
      'incremental payload: /recordIds/1 must match pattern "^[0-9A-Za-z]+$"',
    ],
    [
      'incremental',
      { source: 'webhook', recordIds: null },
      'incremental payload: /recordIds must not be null',
    ],
    ['retrain', { afterBackfill: 'yes' }, 'retrain payload: /afterBackfill must be boolean'],
    ['rescore', { personIds: [7] }, 'rescore payload: /personIds/0 must be string'],
    ['rescore', { personIds: 'p1' }, 'rescore payload: /personIds must be array'],
    ['write-back', { replay: 1 }, 'write-back payload: /replay must be boolean'],
    ['clear-scores', {}, 'clear-scores payload: /people is required'],
    [
      'clear-scores',
      { people: [{ personId: 'p1', objectType: 'account' }] },
      'clear-scores payload: /people/0/objectType must be one of contact, lead',
    ],
  ])(
    'dead-letters a %s job with the reason (%j), and the worker runs the next job',
    async (type, payload, reason) => {
      const tenant = await setup('salesforce', true);
      const bad = await enqueue(tenant, type, payload);
      const probe = await enqueue(tenant, 'probe', {});
      await drain();
      expect(await stateOf(tenant, bad)).toBe('dead');
      const [letter] = await store.listDeadLetters(tenant.id);
      expect(letter?.jobId).toBe(bad);
      // One attempt: retrying would read the same payload.
      expect(letter?.reason).toBe(`permanent error: PermanentJobError: ${reason}`);
      expect(letter?.attempts).toBe(1);
      expect(probes).toEqual([probe]);
      expect(await stateOf(tenant, probe)).toBe('done');
      // Nothing was asked of the CRM for it.
      expect(calls).toEqual({ changedSince: [], eventsSince: [], byIds: [], companies: [] });
    },
  );

  it('names up to five fields at fault in one reason', async () => {
    const tenant = await setup('hubspot', false);
    const payload = { personIds: [1, 'p2', false, 3, 4], afterBackfill: 0, extra: true };
    const bad = await enqueue(tenant, 'rescore', payload);
    await drain();
    expect(await stateOf(tenant, bad)).toBe('dead');
    // Six problems; the sixth (/personIds/4) is left out.
    expect((await store.listDeadLetters(tenant.id))[0]?.reason).toBe(
      'permanent error: PermanentJobError: rescore payload: /extra is not allowed; ' +
        '/afterBackfill must be boolean; /personIds/0 must be string; /personIds/2 must be string; ' +
        '/personIds/3 must be string',
    );
  });
});

describe('incremental payloads', () => {
  it('fetches the named records by id when the connector can (a Salesforce change event)', async () => {
    const tenant = await setup('salesforce', true);
    const ids = ['00Q000000000002AAA', '00Q000000000001AAA'];
    const job = await enqueue(tenant, 'incremental', { source: 'cdc', recordIds: ids });
    await drain();
    expect(await stateOf(tenant, job)).toBe('done');
    expect(calls.byIds).toEqual([[...ids].sort()]);
    expect(calls.changedSince).toEqual([]);
  });

  it('reads the people changed since, and no events, for a HubSpot webhook naming contacts', async () => {
    const tenant = await setup('hubspot', false);
    const job = await enqueue(tenant, 'incremental', { source: 'webhook', recordIds: ['101', '102'] });
    await drain();
    expect(await stateOf(tenant, job)).toBe('done');
    expect(calls.changedSince).toHaveLength(1);
    expect(calls.eventsSince).toEqual([]);
  });

  it.each<[string, JsonValue]>([
    ['a HubSpot webhook job with personIds', { source: 'webhook', personIds: ['101'] }],
    ['an old sweep job', { sweep: 42 }],
    ['an empty payload', {}],
  ])('still runs %s queued before the upgrade', async (_what, payload) => {
    const tenant = await setup('hubspot', false);
    const job = await enqueue(tenant, 'incremental', payload);
    await drain();
    expect(await stateOf(tenant, job)).toBe('done');
    expect(calls.changedSince).toHaveLength(1);
    // Webhook jobs read no events, as before; the others do.
    expect(calls.eventsSince).toHaveLength((payload as { source?: string }).source === 'webhook' ? 0 : 1);
  });

  it('sweeps for an old one-event change job of another entity, and fetches an old Lead one by id', async () => {
    const tenant = await setup('salesforce', true);
    const account = await enqueue(tenant, 'incremental', {
      source: 'cdc',
      entity: 'Account',
      recordIds: ['001000000000001AAA'],
    });
    const lead = await enqueue(tenant, 'incremental', {
      source: 'cdc',
      entity: 'Lead',
      recordIds: ['00Q000000000001AAA'],
    });
    await drain();
    expect([await stateOf(tenant, account), await stateOf(tenant, lead)]).toEqual(['done', 'done']);
    expect(calls.changedSince).toHaveLength(1);
    expect(calls.byIds).toEqual([['00Q000000000001AAA']]);
  });
});

describe('checkpoints from the database', () => {
  /** Claims the job, saves this checkpoint as a crashed run would have, and hands it back. */
  async function withCheckpoint(tenant: Tenant, type: string, checkpoint: JsonValue): Promise<string> {
    const id = await enqueue(tenant, type, {});
    const claimed = await pipeline.queue.claim('crashed-worker', { types: [type] });
    if (claimed === undefined) throw new Error('nothing to claim');
    await store.saveJobCheckpoint(claimed.lease, checkpoint, now);
    await pipeline.queue.release(claimed.lease);
    return id;
  }

  it('fails an incremental job whose checkpoint is invalid for good, with the reason', async () => {
    const tenant = await setup('hubspot', false);
    const job = await withCheckpoint(tenant, 'incremental', { since: 0, cursor: 7, maxSeen: 0, page: 2 });
    await drain();
    expect(await stateOf(tenant, job)).toBe('dead');
    expect((await store.listDeadLetters(tenant.id))[0]?.reason).toBe(
      'permanent error: PermanentJobError: incremental checkpoint: /cursor must be string or null',
    );
    expect(calls.changedSince).toEqual([]);
  });

  it('resumes an incremental job from a valid checkpoint of before the events part', async () => {
    const tenant = await setup('hubspot', false);
    const job = await withCheckpoint(tenant, 'incremental', { since: 5, cursor: null, maxSeen: 0, page: 3 });
    await drain();
    expect(await stateOf(tenant, job)).toBe('done');
    expect(calls.changedSince).toEqual([5]);
  });

  it('starts a backfill over from an invalid checkpoint (a re-read is idempotent)', async () => {
    const tenant = await setup('hubspot', false);
    const job = await withCheckpoint(tenant, 'backfill', { stream: 9, cursor: 'c', synced: 0 });
    await drain(1);
    expect(await stateOf(tenant, job)).toBe('done');
    expect(calls.companies).toEqual([undefined]);
  });

  it('resumes a backfill from a valid checkpoint', async () => {
    const tenant = await setup('hubspot', false);
    const job = await withCheckpoint(tenant, 'backfill', { stream: 0, cursor: 'page-2', synced: 0 });
    await drain(1);
    expect(await stateOf(tenant, job)).toBe('done');
    expect(calls.companies).toEqual(['page-2']);
  });

  it.each<[string, JsonValue, number[]]>([
    ['starts over from an invalid checkpoint', { offset: 'x' }, [200, 50]],
    ['resumes from a valid checkpoint', { offset: 200 }, [50]],
  ])('a targeted job %s', async (_what, checkpoint, batches) => {
    const tenant = await setup('salesforce', true);
    const ids = Array.from({ length: 250 }, (_, i) => `00Q${String(i).padStart(12, '0')}AAA`);
    const job = await enqueue(tenant, 'incremental', { source: 'cdc', recordIds: ids });
    const claimed = await pipeline.queue.claim('crashed-worker', { types: ['incremental'] });
    if (claimed === undefined) throw new Error('nothing to claim');
    await store.saveJobCheckpoint(claimed.lease, checkpoint, now);
    await pipeline.queue.release(claimed.lease);
    await drain(1);
    expect(await stateOf(tenant, job)).toBe('done');
    expect(calls.byIds.map((b) => b.length)).toEqual(batches);
  });
});
