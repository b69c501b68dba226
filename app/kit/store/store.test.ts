import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NewScore, Store } from './index.ts';
import { StoreError } from './index.ts';
import type { TestDb } from './test-support.ts';
import { testDbFactories } from './test-support.ts';

const factories = await testDbFactories();
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

describe.each(factories)('store on $kind', (factory) => {
  let db: TestDb;
  let store: Store;
  let tenantId: string;

  beforeAll(async () => {
    db = await factory.create();
    store = await db.open();
    tenantId = (await store.createTenant({ crm: 'hubspot', externalId: 'portal-1', name: 'Acme' }, T0)).id;
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
  });

  describe('lifecycle', () => {
    it('reports no pending migrations after migrate, and migrate twice applies nothing', async () => {
      expect(await store.migrate()).toEqual([]);
      const status = await store.migrationStatus();
      expect(status.pending).toEqual([]);
      expect(status.current).toBe(status.latest);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('lists every pending migration before migrate on an empty database', async () => {
      const other = await factory.create();
      const { openStore } = await import('./index.ts');
      const fresh = openStore(other.config);
      try {
        const status = await fresh.migrationStatus();
        expect(status.current).toBe(0);
        expect(status.pending.length).toBeGreaterThan(0);
      } finally {
        await fresh.close();
        await other.destroy();
      }
    });

    it('rolls a transaction back when its function throws', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.setSyncCursor({ tenantId, stream: 'rollback', cursor: 'x', updatedAt: T0 });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.getSyncCursor(tenantId, 'rollback')).toBeUndefined();
    });
  });

  describe('tenants', () => {
    it('finds a tenant by CRM account', async () => {
      const t = await store.findTenantByExternalId('hubspot', 'portal-1');
      expect(t).toMatchObject({ id: tenantId, name: 'Acme', status: 'active', createdAt: T0 });
    });

    it('refuses a second tenant for the same CRM account with a conflict', async () => {
      await expect(
        store.createTenant({ crm: 'hubspot', externalId: 'portal-1', name: 'Dup' }, T0),
      ).rejects.toMatchObject({
        code: 'conflict',
      });
    });

    it('refuses an invalid crm with invalid_input naming the field', async () => {
      const bad = { crm: 'pipedrive', externalId: 'x', name: 'x' } as unknown as Parameters<
        Store['createTenant']
      >[0];
      await expect(store.createTenant(bad, T0)).rejects.toThrow(/tenant\.crm/);
    });

    it('refuses a tenant id in the reserved _ namespace', async () => {
      await expect(
        store.createTenant({ id: '_system', crm: 'salesforce', externalId: 'o', name: 'x' }, T0),
      ).rejects.toBeInstanceOf(StoreError);
    });

    it('changes status and reports not_found for an unknown tenant', async () => {
      const t = await store.createTenant({ crm: 'salesforce', externalId: '00D1', name: 'Beta' }, T0);
      await store.setTenantStatus(t.id, 'suspended');
      expect((await store.getTenant(t.id))?.status).toBe('suspended');
      await expect(store.setTenantStatus('nope', 'active')).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('point-in-time records', () => {
    it('never returns a value recorded after t', async () => {
      await store.upsertRecord(tenantId, 'contact', 'c1', { lifecyclestage: 'lead', owner: 'ann' }, T0);
      await store.upsertRecord(
        tenantId,
        'contact',
        'c1',
        { lifecyclestage: 'opportunity', owner: 'bob' },
        T0 + 10 * DAY,
      );

      const before = await store.getRecordAsOf(tenantId, 'contact', 'c1', T0 + 10 * DAY - 1);
      expect(before?.properties).toEqual({ lifecyclestage: 'lead', owner: 'ann' });
      expect(before?.validTo).toBe(T0 + 10 * DAY);
      const after = await store.getRecordAsOf(tenantId, 'contact', 'c1', T0 + 10 * DAY);
      expect(after?.properties).toEqual({ lifecyclestage: 'opportunity', owner: 'bob' });
      expect(after?.validTo).toBeNull();
      expect(await store.getRecordAsOf(tenantId, 'contact', 'c1', T0 - 1)).toBeUndefined();
    });

    it('opens no new version when the properties are equal (key order ignored)', async () => {
      await store.upsertRecord(tenantId, 'contact', 'c2', { a: 1, b: 2 }, T0);
      const res = await store.upsertRecord(tenantId, 'contact', 'c2', { b: 2, a: 1 }, T0 + DAY);
      expect(res.status).toBe('unchanged');
      expect(res.current.validFrom).toBe(T0);
    });

    it('ignores an observation older than the current version as stale', async () => {
      await store.upsertRecord(tenantId, 'contact', 'c3', { v: 2 }, T0 + DAY);
      const res = await store.upsertRecord(tenantId, 'contact', 'c3', { v: 1 }, T0);
      expect(res.status).toBe('stale');
      expect((await store.getRecordAsOf(tenantId, 'contact', 'c3', T0 + DAY))?.properties).toEqual({ v: 2 });
    });

    it('replaces the version in place for two observations in the same millisecond', async () => {
      await store.upsertRecord(tenantId, 'contact', 'c4', { v: 1 }, T0);
      expect((await store.upsertRecord(tenantId, 'contact', 'c4', { v: 2 }, T0)).status).toBe('changed');
      expect((await store.getRecordAsOf(tenantId, 'contact', 'c4', T0))?.properties).toEqual({ v: 2 });
    });

    it('keeps one current version under concurrent upserts of the same record', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((v) => store.upsertRecord(tenantId, 'contact', 'c5', { v }, T0 + v)),
      );
      expect(results.every((r) => ['created', 'changed', 'stale'].includes(r.status))).toBe(true);
      const raw = db.raw();
      const rows = await raw.query(
        "select count(*) as n from record_versions where crm_id = 'c5' and valid_to is null",
      );
      await raw.close();
      expect(Number(rows[0]?.n)).toBe(1);
    });

    it('refuses properties that are not JSON', async () => {
      await expect(store.upsertRecord(tenantId, 'contact', 'c6', { x: Number.NaN }, T0)).rejects.toThrow(
        /not JSON/,
      );
    });
  });

  describe('events', () => {
    const ev = (sourceId: string, occurredAt: number, recordedAt?: number) => ({
      personId: 'p1',
      type: 'page_view' as const,
      occurredAt,
      attributes: { url: '/pricing' },
      sourceId,
      ...(recordedAt === undefined ? {} : { recordedAt }),
    });

    it('ingests the same sourceId once', async () => {
      expect(await store.appendEvents(tenantId, [ev('e1', T0), ev('e2', T0 + 1)], T0 + 2)).toEqual({
        inserted: 2,
        duplicates: 0,
      });
      expect(await store.appendEvents(tenantId, [ev('e1', T0), ev('e3', T0 + 5)], T0 + 6)).toEqual({
        inserted: 1,
        duplicates: 1,
      });
    });

    it('returns only events that happened by t and were known by t', async () => {
      // e4 happened before t but was only learned of after t (a late webhook): a scorer at t never saw it.
      await store.appendEvents(tenantId, [ev('e4', T0 + 3)], T0 + 100);
      // e5 happened after t.
      await store.appendEvents(tenantId, [ev('e5', T0 + 50)], T0 + 50);
      const ids = (await store.getEventsAsOf(tenantId, 'p1', T0 + 10)).map((e) => e.sourceId);
      expect(ids).toEqual(['e1', 'e2', 'e3']);
      const later = (await store.getEventsAsOf(tenantId, 'p1', T0 + 100)).map((e) => e.sourceId);
      expect(later).toEqual(['e1', 'e2', 'e4', 'e3', 'e5']);
    });

    it('refuses an event recorded before it occurred, writing none of the batch', async () => {
      await expect(
        store.appendEvents(tenantId, [ev('ok', T0), ev('bad', T0 + 10, T0)], T0 + 20),
      ).rejects.toThrow(/events\[1\]/);
      expect((await store.getEventsAsOf(tenantId, 'p1', T0 + 1000)).map((e) => e.sourceId)).not.toContain(
        'ok',
      );
    });

    it('refuses an unknown event type', async () => {
      const bad = { ...ev('x', T0), type: 'tweet' } as unknown as Parameters<
        Store['appendEvents']
      >[1][number];
      await expect(store.appendEvents(tenantId, [bad], T0)).rejects.toThrow(/type/);
    });
  });

  describe('training snapshot', () => {
    it('sees each person only as known at the cutoff', async () => {
      const t = (await store.createTenant({ crm: 'salesforce', externalId: 'snap', name: 'Snap' }, T0)).id;
      const cutoff = T0 + 30 * DAY;
      await store.upsertRecord(t, 'lead', 'L1', { status: 'open', employees: 10 }, T0);
      await store.upsertRecord(t, 'lead', 'L1', { status: 'converted', employees: 500 }, cutoff + 1);
      await store.upsertRecord(t, 'lead', 'L2', { status: 'open' }, T0 + DAY);
      await store.upsertRecord(t, 'lead', 'L3', { status: 'new' }, cutoff + DAY); // did not exist yet
      await store.upsertRecord(t, 'contact', 'C1', { status: 'x' }, T0); // other object type
      await store.appendEvents(
        t,
        [
          { personId: 'L1', type: 'email_open', occurredAt: T0 + DAY, attributes: {}, sourceId: 's1' },
          {
            personId: 'L1',
            type: 'meeting',
            occurredAt: cutoff + DAY,
            attributes: {},
            sourceId: 's2',
            recordedAt: cutoff + DAY,
          },
          {
            personId: 'L2',
            type: 'call',
            occurredAt: cutoff - 1,
            attributes: {},
            sourceId: 's3',
            recordedAt: cutoff + 1,
          },
          { personId: 'L3', type: 'call', occurredAt: T0, attributes: {}, sourceId: 's4', recordedAt: T0 },
        ],
        T0 + 2 * DAY,
      );

      const snap = await store.trainingSnapshot(t, 'lead', cutoff);
      expect(snap.map((p) => p.crmId)).toEqual(['L1', 'L2']);
      expect(snap[0]?.properties).toEqual({ status: 'open', employees: 10 });
      expect(snap[0]?.events.map((e) => e.sourceId)).toEqual(['s1']);
      expect(snap[1]?.events).toEqual([]);
      expect(JSON.stringify(snap)).not.toMatch(/converted|500|meeting/);
    });
  });

  describe('outcomes and consent', () => {
    it('records an outcome once and hides it before it was known', async () => {
      const o = { personId: 'p9', type: 'opportunity', occurredAt: T0 + DAY };
      expect(await store.recordOutcome(tenantId, o, T0 + 2 * DAY)).toBe(true);
      expect(await store.recordOutcome(tenantId, o, T0 + 3 * DAY)).toBe(false);
      expect(await store.getOutcomes(tenantId, { personId: 'p9' }, T0 + DAY)).toEqual([]);
      expect(
        await store.getOutcomes(tenantId, { occurredFrom: T0, occurredTo: T0 + 2 * DAY }, T0 + 2 * DAY),
      ).toEqual([
        { tenantId, personId: 'p9', type: 'opportunity', occurredAt: T0 + DAY, recordedAt: T0 + 2 * DAY },
      ]);
    });

    it('returns the consent state in force at t', async () => {
      const base = { tenantId, personId: 'p8', source: 'hubspot' };
      await store.recordConsent({ ...base, lawfulBasis: 'consent', optedOut: false, recordedAt: T0 });
      await store.recordConsent({ ...base, lawfulBasis: 'none', optedOut: true, recordedAt: T0 + DAY });
      expect((await store.getConsentAsOf(tenantId, 'p8', T0 + DAY - 1))?.optedOut).toBe(false);
      expect(await store.getConsentAsOf(tenantId, 'p8', T0 + DAY)).toMatchObject({
        optedOut: true,
        lawfulBasis: 'none',
      });
      expect(await store.getConsentAsOf(tenantId, 'p8', T0 - 1)).toBeUndefined();
    });
  });

  describe('models, policies, scores', () => {
    it('keeps exactly one champion per tenant', async () => {
      await store.saveModel({ tenantId, version: 'm1', artifact: { w: [1] } }, T0);
      await store.saveModel({ tenantId, version: 'm2', artifact: { w: [2] }, state: 'shadow' }, T0);
      await store.setModelState(tenantId, 'm1', 'champion', T0 + 1);
      await store.setModelState(tenantId, 'm2', 'champion', T0 + 2);
      expect((await store.getChampion(tenantId))?.version).toBe('m2');
      expect((await store.getModel(tenantId, 'm1'))?.state).toBe('retired');
      await expect(store.setModelState(tenantId, 'nope', 'shadow', T0)).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(store.saveModel({ tenantId, version: 'm1', artifact: {} }, T0)).rejects.toMatchObject({
        code: 'conflict',
      });
    });

    it('numbers policies per tenant and returns the latest by default', async () => {
      const results = await Promise.all(
        [1, 2, 3].map((i) => store.savePolicy(tenantId, { cut: i }, 'admin', T0 + i)),
      );
      expect(results.map((p) => p.version).sort()).toEqual([1, 2, 3]);
      expect((await store.getPolicy(tenantId))?.version).toBe(3);
      expect((await store.getPolicy(tenantId, 1))?.createdBy).toBe('admin');
      expect(await store.listPolicies(tenantId)).toHaveLength(3);
    });

    it('stores a score with its versions and tracks write-back', async () => {
      const s = await store.insertScore({
        tenantId,
        personId: 'p1',
        objectType: 'contact',
        modelVersion: 'm2',
        policyVersion: 3,
        inputsHash: 'abc',
        probability: 0.42,
        score: 42,
        fitScore: 30,
        engagementScore: 55,
        tier: 'B',
        route: 'sdr',
        confidence: 'medium',
        reasons: [{ text: 'Visited pricing' }],
        decision: { tier: 'B' },
        writeBack: 'pending',
        scoredAt: T0,
      });
      expect((await store.listScoresByWriteBack(tenantId, 'pending', 10)).map((x) => x.id)).toEqual([s.id]);
      await store.setWriteBackState(tenantId, s.id, 'failed', T0 + 1, 'HTTP 429');
      expect(await store.getLatestScore(tenantId, 'p1')).toMatchObject({
        probability: 0.42,
        writeBack: 'failed',
        writeBackError: 'HTTP 429',
        reasons: [{ text: 'Visited pricing' }],
      });
    });

    it('refuses a probability outside [0, 1]', async () => {
      const s = await store.getLatestScore(tenantId, 'p1');
      await expect(store.insertScore({ ...s!, probability: 1.5 })).rejects.toThrow(/probability/);
    });
  });

  describe('write-back claims (issue 14 item 7)', () => {
    let t: string;
    let n = 0;
    beforeEach(async () => {
      t = (await store.createTenant({ crm: 'hubspot', externalId: `claims-${++n}`, name: 'C' }, T0)).id;
    });
    const newScore = (personId: string, scoredAt: number): NewScore => ({
      tenantId: t,
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
      scoredAt,
    });
    const pending = (personId: string, scoredAt: number) => store.insertScore(newScore(personId, scoredAt));
    const claim = (token: string, now = T0 + 10, limit = 100) =>
      store.claimWriteBack(t, { token, now, until: now + 60_000, limit });
    const stateOf = async (personId: string, scoredAt: number) =>
      (await store.listScores(t, personId, 10)).find((s) => s.scoredAt === scoredAt)?.writeBack;

    it('moves a write-back state only from the states the caller read', async () => {
      const s = await pending('p1', T0);
      expect(await store.transitionWriteBack(t, s.id, { from: ['pending'], to: 'written', at: T0 + 1 })).toBe(
        true,
      );
      // A superseding scorer that read 'pending' does not overwrite the write that landed meanwhile.
      expect(
        await store.transitionWriteBack(t, s.id, {
          from: ['pending', 'failed'],
          to: 'skipped',
          at: T0 + 2,
          error: 'superseded',
        }),
      ).toBe(false);
      expect(await store.getLatestScore(t, 'p1')).toMatchObject({
        writeBack: 'written',
        writeBackAt: T0 + 1,
      });
      expect(await store.transitionWriteBack(t, 'nope', { from: ['pending'], to: 'written', at: T0 })).toBe(
        false,
      );
    });

    it("claims each person's newest pending score, oldest first, and supersedes the older ones", async () => {
      await pending('p1', T0);
      await pending('p2', T0 + 1);
      await pending('p1', T0 + 2);
      const c = await claim('run-a');
      expect(c.claimed.map((s) => [s.personId, s.scoredAt])).toEqual([
        ['p2', T0 + 1],
        ['p1', T0 + 2],
      ]);
      expect(c).toMatchObject({ superseded: 1, held: 0 });
      expect(await stateOf('p1', T0)).toBe('skipped');
      // Claimed rows are no one else's to take.
      expect(await claim('run-b')).toEqual({ claimed: [], superseded: 0, held: 0 });
    });

    it('holds a person while a write of theirs is in flight, even once that score is superseded', async () => {
      const first = await pending('p1', T0);
      const [inFlight] = (await claim('run-a')).claimed;
      expect(inFlight?.id).toBe(first.id);
      // A rescore supersedes the score in flight and queues a newer one.
      expect(
        await store.transitionWriteBack(t, first.id, {
          from: ['pending'],
          to: 'skipped',
          at: T0 + 1,
          error: 'x',
        }),
      ).toBe(true);
      const newer = await pending('p1', T0 + 1);
      expect(await claim('run-b')).toEqual({ claimed: [], superseded: 0, held: 1 });
      // The answer of the stale write cannot mark it written, and ends its claim.
      expect(
        await store.transitionWriteBack(t, first.id, {
          from: ['pending'],
          to: 'written',
          at: T0 + 2,
          claim: 'run-a',
        }),
      ).toBe(false);
      await store.releaseWriteBackClaims(t, 'run-a', [first.id]);
      const next = await claim('run-b');
      expect(next.claimed.map((s) => s.id)).toEqual([newer.id]);
      // Only the claim's own token marks the result.
      expect(
        await store.transitionWriteBack(t, newer.id, {
          from: ['pending'],
          to: 'written',
          at: T0 + 3,
          claim: 'run-a',
        }),
      ).toBe(false);
      expect(
        await store.transitionWriteBack(t, newer.id, {
          from: ['pending'],
          to: 'written',
          at: T0 + 3,
          claim: 'run-b',
        }),
      ).toBe(true);
      expect(await stateOf('p1', T0)).toBe('skipped');
      expect(await stateOf('p1', T0 + 1)).toBe('written');
    });

    it('lets a lapsed claim be taken over, after which the first run can no longer renew it', async () => {
      const s = await pending('p1', T0);
      expect((await claim('run-a', T0 + 10)).claimed).toHaveLength(1);
      expect(await store.renewWriteBackClaims(t, 'run-a', [s.id], T0 + 20, T0 + 90_000)).toEqual([s.id]);
      // Past the renewed expiry the claim has lapsed: another run may claim the person.
      expect((await claim('run-b', T0 + 90_001)).claimed.map((x) => x.id)).toEqual([s.id]);
      expect(await store.renewWriteBackClaims(t, 'run-a', [s.id], T0 + 90_002, T0 + 200_000)).toEqual([]);
      // A lapsed claim nobody took is lost too: a run renews only what is still live.
      expect(await store.renewWriteBackClaims(t, 'run-b', [s.id], T0 + 500_000, T0 + 600_000)).toEqual([]);
    });

    it('never gives two concurrent claimers the same person', async () => {
      await store.transaction(async (tx) => {
        for (let i = 0; i < 60; i++) {
          await tx.insertScore(newScore(`q${i}`, T0 + i));
          await tx.insertScore(newScore(`q${i}`, T0 + 100 + i));
        }
      });
      // Each q-person now has an older and a newer pending score.
      const [a, b, c] = await Promise.all(
        ['run-a', 'run-b', 'run-c'].map((tok) => claim(tok, T0 + 1_000, 25)),
      );
      const claimed = [a, b, c].flatMap((x) => x?.claimed ?? []);
      expect(claimed).toHaveLength(60);
      expect(new Set(claimed.map((x) => x.personId)).size).toBe(60);
      expect(claimed.every((x) => x.scoredAt >= T0 + 100)).toBe(true);
      expect([a, b, c].reduce((sum, x) => sum + (x?.superseded ?? 0), 0)).toBe(60);
    });
  });

  describe('cursors, credentials, api keys', () => {
    it('overwrites a sync cursor', async () => {
      await store.setSyncCursor({ tenantId, stream: 'contacts', cursor: 'a', updatedAt: T0 });
      await store.setSyncCursor({ tenantId, stream: 'contacts', cursor: 'b', updatedAt: T0 + 1 });
      expect((await store.getSyncCursor(tenantId, 'contacts'))?.cursor).toBe('b');
    });

    it('stores and replaces a credential', async () => {
      await store.putCredential({
        tenantId,
        name: 'oauth',
        keyId: 'k1',
        ciphertext: 'v1.k1.x',
        updatedAt: T0,
      });
      await store.putCredential({
        tenantId,
        name: 'oauth',
        keyId: 'k2',
        ciphertext: 'v1.k2.y',
        updatedAt: T0 + 1,
      });
      expect(await store.getCredential(tenantId, 'oauth')).toMatchObject({
        keyId: 'k2',
        ciphertext: 'v1.k2.y',
      });
      expect(await store.listCredentialsNotUnderKey('k2')).toEqual([]);
      await store.deleteCredential(tenantId, 'oauth');
      expect(await store.getCredential(tenantId, 'oauth')).toBeUndefined();
    });

    it('finds an api key by hash and revokes it', async () => {
      await store.putApiKey({
        tenantId,
        id: 'key1',
        keyHash: 'h1',
        role: 'viewer',
        label: 'x',
        createdAt: T0,
        revokedAt: null,
      });
      expect((await store.findApiKeyByHash('h1'))?.tenantId).toBe(tenantId);
      await store.revokeApiKey(tenantId, 'key1', T0 + 1);
      expect((await store.getApiKey(tenantId, 'key1'))?.revokedAt).toBe(T0 + 1);
      expect(await store.listApiKeys(tenantId)).toHaveLength(1);
    });

    it('grants a key other tenants, once each, listed by key', async () => {
      const other = (await store.createTenant({ crm: 'salesforce', externalId: '00Dg', name: 'S' }, T0)).id;
      const grant = { tenantId: other, keyTenantId: tenantId, keyId: 'key1', role: 'viewer' as const };
      await store.grantApiKey({ ...grant, createdAt: T0 });
      await store.grantApiKey({ ...grant, role: 'admin', createdAt: T0 + 1 });
      expect(await store.listApiKeyGrants(tenantId, 'key1')).toEqual([{ ...grant, createdAt: T0 }]);
      expect(await store.listApiKeyGrants(tenantId, 'key2')).toEqual([]);
      expect(await store.listApiKeyGrants(other, 'key1')).toEqual([]);
    });
  });

  describe('privacy deletion', () => {
    it("removes the person's records, events, outcomes, consent and scores", async () => {
      const t = (await store.createTenant({ crm: 'hubspot', externalId: 'gdpr', name: 'G' }, T0)).id;
      await store.upsertRecord(t, 'contact', 'x1', { email: 'a@b.c' }, T0);
      await store.upsertRecord(t, 'contact', 'x2', { email: 'keep@b.c' }, T0);
      await store.appendEvents(
        t,
        [{ personId: 'x1', type: 'call', occurredAt: T0, attributes: {}, sourceId: 'g1' }],
        T0,
      );
      await store.recordOutcome(t, { personId: 'x1', type: 'sql', occurredAt: T0 }, T0);
      await store.recordConsent({
        tenantId: t,
        personId: 'x1',
        lawfulBasis: 'consent',
        optedOut: false,
        recordedAt: T0,
        source: 's',
      });
      expect(await store.deletePerson(t, 'x1')).toBe(4);
      expect(await store.getRecordAsOf(t, 'contact', 'x1', T0)).toBeUndefined();
      expect(await store.getRecordAsOf(t, 'contact', 'x2', T0)).toBeDefined();
      expect(await store.getEventsAsOf(t, 'x1', T0)).toEqual([]);
    });
  });
});
