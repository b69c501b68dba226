import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalPerson, ScoreClear, WriteResult } from '../../connectors/index.ts';
import { ConnectorError } from '../../connectors/index.ts';
import type { Store } from '../kit/store/index.ts';
import { testDbFactories, type TestDb } from '../kit/store/test-support.ts';
import { InvalidPageError } from './canonical-schema.ts';
import { CLEAR_JOB, clearWithdrawn, type ClearItem } from './clear.ts';
import { CRM_FIELDS } from './feature-spec.ts';
import { ingestPeople, type IngestContext } from './ingest.ts';
import { scoreTenant } from './score.ts';

/**
 * Consent carried by people reads (CanonicalPerson.consent), through ingest, the score step's gate and
 * the clear of a written score, on both stores.
 */

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const NOW = T0 + 200 * DAY;
const factories = await testDbFactories();

const person = (over: Partial<CanonicalPerson> = {}): CanonicalPerson => ({
  crmId: 'p1',
  objectType: 'contact',
  createdAt: T0,
  updatedAt: T0 + 100 * DAY,
  properties: {
    jobtitle: 'CEO',
    email: 'a@acme.io',
    hs_analytics_source: 'REFERRALS',
    lifecyclestage: 'lead',
  },
  consent: { profilingAllowed: true, basis: 'Legitimate interest – prospect/lead' },
  ...over,
});
const optedOut = { profilingAllowed: false, basis: 'Legitimate interest – prospect/lead' };
const noObjection = { profilingAllowed: true, basis: null };
const salesforceOptOut = { profilingAllowed: false, basis: 'opted_out_of_email' };

describe.each(factories)('consent on people reads, $kind', (factory) => {
  let db: TestDb;
  let store: Store;
  let tenantId: string;

  beforeEach(async () => {
    db = await factory.create();
    store = await db.open();
    tenantId = (await store.createTenant({ crm: 'hubspot', externalId: '1', name: 'p' }, T0)).id;
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  const ctx = (mode: IngestContext['mode'] = 'backfill', now = NOW): IngestContext => ({
    store,
    tenantId,
    mode,
    now,
    fields: CRM_FIELDS.hubspot,
  });
  const consentAt = (t: number, id = 'p1') => store.getConsentAsOf(tenantId, id, t);

  it("records a person's consent at its updatedAt in a backfill, and only when it differs", async () => {
    expect((await ingestPeople(ctx(), [person()])).consentChanged).toBe(1);
    expect(await consentAt(NOW)).toMatchObject({
      lawfulBasis: 'legitimate_interest',
      optedOut: false,
      recordedAt: T0 + 100 * DAY,
      source: 'crm:Legitimate interest – prospect/lead',
    });
    // The same statement again (a re-read, a sweep of another change) records nothing.
    expect((await ingestPeople(ctx('live'), [person({ updatedAt: T0 + 150 * DAY })])).consentChanged).toBe(0);
    expect((await consentAt(NOW))?.recordedAt).toBe(T0 + 100 * DAY);
  });

  it('records a live withdrawal from now on, and point-in-time reads before it still see the old state', async () => {
    await ingestPeople(ctx(), [person()]);
    const counts = await ingestPeople(ctx('live'), [person({ updatedAt: NOW - DAY, consent: optedOut })]);
    expect(counts).toMatchObject({ consentChanged: 1 });
    expect(await consentAt(NOW)).toMatchObject({ lawfulBasis: 'none', optedOut: true, recordedAt: NOW });
    expect(await consentAt(NOW - 1)).toMatchObject({ lawfulBasis: 'legitimate_interest', optedOut: false });
  });

  it('ignores consent on a stale read and leaves people without consent alone', async () => {
    await ingestPeople(ctx(), [person()]);
    const stale = await ingestPeople(ctx(), [
      person({ updatedAt: T0 + 50 * DAY, properties: { jobtitle: 'Intern' }, consent: optedOut }),
    ]);
    expect(stale).toMatchObject({ stale: 1, consentChanged: 0 });
    const bare = person({ crmId: 'p2' });
    delete bare.consent;
    expect((await ingestPeople(ctx(), [bare])).consentChanged).toBe(0);
    expect(await consentAt(NOW, 'p2')).toBeUndefined();
  });

  it('Salesforce: "not opted out" records nothing, an opt-out is recorded, opting back in lifts it', async () => {
    expect((await ingestPeople(ctx(), [person({ consent: noObjection })])).consentChanged).toBe(0);
    expect(await consentAt(NOW)).toBeUndefined();
    await ingestPeople(ctx('live', NOW), [person({ updatedAt: NOW, consent: salesforceOptOut })]);
    expect(await consentAt(NOW)).toMatchObject({ lawfulBasis: 'none', optedOut: true });
    await ingestPeople(ctx('live', NOW + DAY), [person({ updatedAt: NOW + DAY, consent: noObjection })]);
    expect(await consentAt(NOW + DAY)).toMatchObject({
      lawfulBasis: 'legitimate_interest',
      optedOut: false,
      source: 'crm:(no objection stated)',
    });
  });

  it('refuses a whole page when one basis is not one we know, writing nothing', async () => {
    const page = [
      person({ crmId: 'ok' }),
      person({ crmId: 'bad', consent: { profilingAllowed: true, basis: 'vibes' } }),
    ];
    await expect(ingestPeople(ctx(), page)).rejects.toThrow(InvalidPageError);
    expect(await store.getRecordAsOf(tenantId, 'contact', 'ok', NOW)).toBeUndefined();
  });

  it('sets aside a waiting score and queues a clear of the written one when consent is withdrawn', async () => {
    await ingestPeople(ctx(), [person()]);
    const run = (now: number) =>
      scoreTenant({ store, tenantId, now, fields: CRM_FIELDS.hubspot, actor: 'test' });
    await run(NOW);
    const first = await store.getLatestScore(tenantId, 'p1');
    if (first === undefined) throw new Error('no score');
    await store.setWriteBackState(tenantId, first.id, 'written', NOW);
    // A newer score waits for write-back when the person opts out.
    await ingestPeople(ctx('live', NOW + 1), [
      person({ updatedAt: NOW + 1, properties: { jobtitle: 'Intern' } }),
    ]);
    expect(await run(NOW + 2)).toMatchObject({ pending: 1 });
    await ingestPeople(ctx('live', NOW + 3), [person({ updatedAt: NOW + 3, consent: optedOut })]);
    expect(await run(NOW + 4)).toMatchObject({ scored: 0, unscored: 1, toClear: 1 });
    expect(await store.listScoresByWriteBack(tenantId, 'pending', 10)).toEqual([]);
    const claimed = await store.claimJob('w', {
      now: NOW + 5,
      leaseMs: 60_000,
      types: [CLEAR_JOB],
      maxRunningPerTenant: 5,
    });
    expect(claimed?.job.payload).toEqual({ people: [{ personId: 'p1', objectType: 'contact' }] });
    // Rescoring before the clear runs queues nothing new for the CRM and no second write.
    expect(await run(NOW + 6)).toMatchObject({ pending: 0, toClear: 1 });

    const calls: ScoreClear[][] = [];
    const clearScores = (clears: readonly ScoreClear[]): Promise<WriteResult[]> => {
      calls.push([...clears]);
      return Promise.resolve(clears.map((c) => ({ crmId: c.crmId, ok: true as const })));
    };
    const items: ClearItem[] = [{ personId: 'p1', objectType: 'contact' }];
    const rescored: string[] = [];
    const deps = {
      store,
      tenantId,
      connector: { clearScores },
      clock: () => NOW + 7,
      actor: 'test',
      runId: 'job-1',
      rescore: (_tx: Store, ids: readonly string[]) => {
        rescored.push(...ids);
        return Promise.resolve();
      },
    };
    expect(await clearWithdrawn(deps, items)).toEqual({ cleared: 1, skipped: 0, failed: 0 });
    expect(calls).toEqual([[{ crmId: 'p1', objectType: 'contact' }]]);
    expect(await store.listScoresByWriteBack(tenantId, 'written', 10)).toEqual([]);
    // A second clear job for the same person finds nothing of ours in the CRM: no call.
    expect(await clearWithdrawn(deps, items)).toEqual({ cleared: 0, skipped: 0, failed: 0 });
    expect(calls).toHaveLength(1);
    expect(await run(NOW + 8)).toMatchObject({ unscored: 1, toClear: 0 });
    const audit = await store.listAuditRows(tenantId, 0, 100);
    expect(audit.filter((a) => a.action === 'score.clear').map((a) => a.details)).toEqual([
      {
        reason: 'no lawful basis for profiling',
        columns: ['personId', 'outcome', 'detail'],
        clears: [['p1', 'cleared', first.id]],
      },
    ]);
    expect(rescored).toEqual([]);
  });

  it('does not clear a person whose consent came back before the job ran, and rescores them instead', async () => {
    await ingestPeople(ctx(), [person()]);
    await scoreTenant({ store, tenantId, now: NOW, fields: CRM_FIELDS.hubspot, actor: 'test' });
    const first = await store.getLatestScore(tenantId, 'p1');
    if (first === undefined) throw new Error('no score');
    await store.setWriteBackState(tenantId, first.id, 'written', NOW);
    const rescored: string[] = [];
    const fail = (): Promise<WriteResult[]> => Promise.reject(new Error('must not be called'));
    const summary = await clearWithdrawn(
      {
        store,
        tenantId,
        connector: { clearScores: fail },
        clock: () => NOW + 1,
        actor: 'test',
        runId: 'job-2',
        rescore: (_tx, ids) => {
          rescored.push(...ids);
          return Promise.resolve();
        },
      },
      [{ personId: 'p1', objectType: 'contact' }],
    );
    expect(summary).toEqual({ cleared: 0, skipped: 1, failed: 0 });
    expect(rescored).toEqual(['p1']);
    expect((await store.getLatestScore(tenantId, 'p1'))?.writeBack).toBe('written');
  });

  it('keeps a clear the CRM may accept later for the retry, and records one it refuses for good', async () => {
    for (const id of ['a', 'b']) await ingestPeople(ctx(), [person({ crmId: id, consent: optedOut })]);
    for (const id of ['a', 'b']) {
      const s = await store.insertScore({
        tenantId,
        personId: id,
        objectType: 'contact',
        modelVersion: null,
        policyVersion: null,
        inputsHash: 'h',
        probability: 0.5,
        score: 50,
        fitScore: null,
        engagementScore: null,
        tier: 'B',
        route: 'sdr',
        confidence: 'low',
        reasons: [],
        decision: {},
        writeBack: 'written',
        scoredAt: NOW - DAY,
      });
      expect(s.writeBack).toBe('written');
    }
    const clearScores = (clears: readonly ScoreClear[]): Promise<WriteResult[]> =>
      Promise.resolve(
        clears.map((c) =>
          c.crmId === 'a'
            ? { crmId: 'a', ok: false as const, error: new ConnectorError('not_found', 'deleted') }
            : { crmId: c.crmId, ok: false as const, error: new ConnectorError('locked', 'row lock') },
        ),
      );
    const run = clearWithdrawn(
      {
        store,
        tenantId,
        connector: { clearScores },
        clock: () => NOW,
        actor: 'test',
        runId: 'job-3',
        rescore: () => Promise.resolve(),
      },
      [
        { personId: 'a', objectType: 'contact' },
        { personId: 'b', objectType: 'contact' },
      ],
    );
    await expect(run).rejects.toMatchObject({ code: 'locked' });
    const audit = await store.listAuditRows(tenantId, 0, 100);
    expect(audit.find((a) => a.action === 'score.clear')?.details).toMatchObject({
      clears: [['a', 'failed', 'not_found: deleted']],
    });
    expect((await store.getLatestScore(tenantId, 'b'))?.writeBack).toBe('written');
  });
});
