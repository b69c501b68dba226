import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalPerson, ScoreWrite, WriteResult } from '../../connectors/index.ts';
import { verifyAuditChain } from '../kit/audit/index.ts';
import type { ScoreRecord, Store } from '../kit/store/index.ts';
import { testDbFactories, type TestDb } from '../kit/store/test-support.ts';
import { CRM_FIELDS } from './feature-spec.ts';
import { ingestPeople } from './ingest.ts';
import { scoreTenant } from './score.ts';
import { writeBackPending, type WriteBackDeps } from './write-back.ts';

/**
 * Issue 14 item 7: two write-back runs of one tenant, interleaved by a CRM call that answers late,
 * with a newer score created while the first run's call is in flight. On both stores, since the race
 * is between transactions (SQLite serialises them; PostgreSQL runs them side by side).
 */

const factories = await testDbFactories();
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const T1 = T0 + 200 * DAY;
const T2 = T1 + 60_000;

function person(crmId: string, jobtitle: string, updatedAt: number): CanonicalPerson {
  return {
    crmId,
    objectType: 'contact',
    createdAt: T0,
    updatedAt,
    properties: {
      jobtitle,
      email: `${crmId}@acme.io`,
      lifecyclestage: 'lead',
      hs_analytics_source: 'REFERRALS',
    },
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A CRM that keeps the last fields written per record, applied when the call answers (when the write
 * lands); its first call waits until the test lets it go.
 */
function fakeCrm() {
  const held: Record<string, ScoreWrite['fields']> = {};
  const sent: ScoreWrite[] = [];
  /** Writes in the order they landed. */
  const landed: ScoreWrite[] = [];
  const firstCallStarted = deferred();
  const releaseFirstCall = deferred();
  let calls = 0;
  const connector: WriteBackDeps['connector'] = {
    crm: 'hubspot',
    writeScores: async (writes) => {
      sent.push(...writes);
      if (calls++ === 0) {
        firstCallStarted.resolve();
        await releaseFirstCall.promise;
      }
      for (const w of writes) held[w.crmId] = w.fields;
      landed.push(...writes);
      return writes.map((w): WriteResult => ({ crmId: w.crmId, ok: true }));
    },
  };
  return { connector, held, sent, landed, firstCallStarted, releaseFirstCall };
}

/** A real turn of the event loop, so a run that waits lets the other one (and the test) go on. */
const tick = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 1);
  });

describe.each(factories)('two write-backs of one tenant on $kind', (factory) => {
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

  const ingest = (now: number, people: CanonicalPerson[]) =>
    ingestPeople({ store, tenantId, mode: 'live', now, fields: CRM_FIELDS.hubspot }, people);
  const score = (now: number, personIds?: string[]) =>
    scoreTenant({
      store,
      tenantId,
      now,
      fields: CRM_FIELDS.hubspot,
      actor: 'test',
      ...(personIds === undefined ? {} : { personIds }),
    });

  async function everyScore(personIds: readonly string[]): Promise<ScoreRecord[]> {
    const out: ScoreRecord[] = [];
    for (const p of personIds) out.push(...(await store.listScores(tenantId, p, 100)));
    return out;
  }

  it('ends with the newest score in the CRM, each row written at most once, none superseded marked written', async () => {
    const ids = ['p1', 'p2', 'p3'];
    await ingest(
      T1,
      ids.map((id) => person(id, 'Intern', T1 - DAY)),
    );
    expect(await score(T1)).toMatchObject({ pending: 3 });

    const crm = fakeCrm();
    const base = {
      store,
      tenantId,
      connector: crm.connector,
      clock: () => T2 + 1,
      batchSize: 2,
      concurrency: 1,
    };
    // Run A sends its first batch (two of the three), which answers late.
    const a = writeBackPending({ ...base, sleep: tick });
    await crm.firstCallStarted.promise;
    const target = crm.sent[0]?.crmId ?? 'none';
    expect(ids).toContain(target);

    // Meanwhile that person changes in the CRM and is rescored: the score in flight is now stale.
    await ingest(T2, [person(target, 'CEO', T2 - 1_000)]);
    expect(await score(T2, [target])).toMatchObject({ scored: 1, pending: 1 });
    const newest = await store.getLatestScore(tenantId, target);
    expect(newest?.scoredAt).toBe(T2);
    expect(newest?.score).not.toBe(crm.sent[0]?.fields.score);

    // Run B starts while A's call is in flight. Let A's call answer once B has either finished or
    // begun waiting.
    const bWaiting = deferred();
    const b = writeBackPending({
      ...base,
      sleep: () => {
        bWaiting.resolve();
        return tick();
      },
    });
    await Promise.race([
      bWaiting.promise,
      b.then(
        () => undefined,
        () => undefined,
      ),
    ]);
    crm.releaseFirstCall.resolve();
    await Promise.all([a, b]);

    // The target's writes landed oldest first: the newer score is the last one the CRM took.
    const targetLandings = crm.landed.filter((w) => w.crmId === target).map((w) => w.fields.scoredAt);
    expect(targetLandings.at(-1)).toBe(T2);
    expect([...targetLandings].sort((x, y) => x - y)).toEqual(targetLandings);
    // The CRM holds each person's newest score, the target's included.
    for (const id of ids) {
      const latest = await store.getLatestScore(tenantId, id);
      expect(crm.held[id]?.scoredAt, id).toBe(latest?.scoredAt);
      expect(crm.held[id]?.score, id).toBe(Math.round(latest?.score ?? -1));
    }
    const rows = await everyScore(ids);
    // Nothing is left to write, and only each person's newest score is marked written.
    expect(rows.filter((r) => r.writeBack === 'pending')).toEqual([]);
    const written = rows.filter((r) => r.writeBack === 'written');
    expect(written.map((r) => r.personId).sort()).toEqual(ids);
    for (const r of written) expect(r.id).toBe((await store.getLatestScore(tenantId, r.personId))?.id);
    // The stale score is superseded (skipped), not written.
    const stale = rows.find((r) => r.personId === target && r.scoredAt === T1);
    expect(stale?.writeBack).toBe('skipped');
    // Each score reached the CRM at most once.
    const sends = crm.sent.map((w) => `${w.crmId}@${w.fields.scoredAt}`);
    expect(new Set(sends).size).toBe(sends.length);
    expect(await verifyAuditChain(store, tenantId)).toMatchObject({ ok: true });
  });

  it('sends the newest score again when a call outlived its claim and answered after a newer write', async () => {
    const ids = ['p1', 'p2', 'p3'];
    await ingest(
      T1,
      ids.map((id) => person(id, 'Intern', T1 - DAY)),
    );
    await score(T1);
    const crm = fakeCrm();
    let now = T2 + 1;
    const base = {
      store,
      tenantId,
      connector: crm.connector,
      clock: () => now,
      sleep: tick,
      batchSize: 2,
      concurrency: 1,
      claimMs: 10_000,
    };
    const a = writeBackPending(base);
    await crm.firstCallStarted.promise;
    const target = crm.sent[0]?.crmId ?? 'none';
    // A's call hangs past its claim; the person is rescored and run B, finding the claim lapsed,
    // writes the newer score, which lands before A's stale one.
    now += 20_000;
    await ingest(now, [person(target, 'CEO', now - 1_000)]);
    await score(now, [target]);
    const newerAt = now;
    await writeBackPending(base);
    expect(crm.held[target]?.scoredAt).toBe(newerAt);
    crm.releaseFirstCall.resolve();
    expect(await a).toMatchObject({ landedLate: 2 });

    // A's late answer marked nothing and queued the newest score again, so it landed last.
    expect(crm.landed.filter((w) => w.crmId === target).map((w) => w.fields.scoredAt)).toEqual([
      newerAt,
      T1,
      newerAt,
    ]);
    for (const id of ids)
      expect(crm.held[id]?.scoredAt, id).toBe((await store.getLatestScore(tenantId, id))?.scoredAt);
    const rows = await everyScore(ids);
    expect(rows.filter((r) => r.writeBack === 'pending')).toEqual([]);
    expect(rows.find((r) => r.personId === target && r.scoredAt === T1)?.writeBack).toBe('skipped');
    expect(await verifyAuditChain(store, tenantId)).toMatchObject({ ok: true });
  });
});
