import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { LeaseLostError } from '../store/index.ts';
import type { TestDb } from '../store/test-support.ts';
import { testDbFactories } from '../store/test-support.ts';
import type { JobQueue } from './queue.ts';
import { PermanentJobError, createJobQueue } from './queue.ts';

const factories = await testDbFactories();
const T0 = Date.UTC(2026, 0, 1);
const LEASE = 30_000;

describe.each(factories)('job queue on $kind', (factory) => {
  let db: TestDb;
  let store: Store;
  let now: number;
  let queue: JobQueue;
  let n = 0;
  // Each test works in its own tenants so queue state never leaks between tests.
  const tenant = (name: string) => `${name}-${n}`;

  beforeAll(async () => {
    db = await factory.create();
    store = await db.open();
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
  });
  beforeEach(async () => {
    n++;
    // Jobs of earlier tests would be claimable (their leases expire as the clock moves on): finish them.
    const raw = db.raw();
    await raw.query(`update jobs set state = 'done', lease_owner = null, lease_expires_at = null`);
    await raw.close();
    now = T0 + n * 1_000_000;
    queue = createJobQueue(store, {
      clock: () => now,
      rng: () => 0.5,
      leaseMs: LEASE,
      maxRunningPerTenant: 2,
    });
  });

  it('returns the same job for the same idempotency key', async () => {
    const a = await queue.enqueue({
      tenantId: tenant('t'),
      type: 'sync',
      payload: { x: 1 },
      idempotencyKey: 'k',
    });
    const b = await queue.enqueue({
      tenantId: tenant('t'),
      type: 'sync',
      payload: { x: 2 },
      idempotencyKey: 'k',
    });
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, job: { id: a.job.id, payload: { x: 1 } } });
    const c = await queue.enqueue({ tenantId: tenant('t'), type: 'sync', payload: {} });
    const d = await queue.enqueue({ tenantId: tenant('t'), type: 'sync', payload: {} });
    expect(c.job.id).not.toBe(d.job.id);
  });

  it('runs at most N jobs of one tenant at once while other tenants proceed', async () => {
    for (let i = 0; i < 3; i++) await queue.enqueue({ tenantId: tenant('a'), type: 'sync', payload: i });
    await queue.enqueue({ tenantId: tenant('b'), type: 'sync', payload: 'b' });
    const claims = [];
    for (let i = 0; i < 4; i++) claims.push(await queue.claim(`w${i}`));
    expect(claims.map((c) => c?.job.tenantId).sort()).toEqual([
      tenant('a'),
      tenant('a'),
      tenant('b'),
      undefined,
    ]);
    await queue.complete(claims.find((c) => c?.job.tenantId === tenant('a'))!.lease);
    expect((await queue.claim('w9'))?.job.tenantId).toBe(tenant('a'));
  });

  it('does not claim a job before its runAt, nor of a type not asked for', async () => {
    await queue.enqueue({ tenantId: tenant('t'), type: 'later', payload: null, runAt: now + 10 });
    await queue.enqueue({ tenantId: tenant('t'), type: 'other', payload: null });
    expect(await queue.claim('w', { types: ['later'] })).toBeUndefined();
    now += 10;
    expect((await queue.claim('w', { types: ['later'] }))?.job.type).toBe('later');
  });

  it('hands a job whose lease expired to another worker and fences off the first', async () => {
    await queue.enqueue({ tenantId: tenant('t'), type: 'sync', payload: null });
    const first = (await queue.claim('w1'))!;
    await queue.saveCheckpoint(first.lease, { page: 3 });
    expect(await queue.claim('w2')).toBeUndefined();
    now += LEASE;
    const second = (await queue.claim('w2'))!;
    expect(second.job).toMatchObject({ id: first.job.id, attempts: 2, checkpoint: { page: 3 } });
    await expect(queue.saveCheckpoint(first.lease, { page: 4 })).rejects.toBeInstanceOf(LeaseLostError);
    await expect(queue.complete(first.lease)).rejects.toBeInstanceOf(LeaseLostError);
    await queue.complete(second.lease);
    expect((await store.getJob(tenant('t'), first.job.id))?.state).toBe('done');
  });

  it('keeps a lease alive with heartbeats', async () => {
    await queue.enqueue({ tenantId: tenant('t'), type: 'sync', payload: null });
    const c = (await queue.claim('w1'))!;
    now += LEASE - 1;
    await queue.heartbeat(c.lease);
    now += LEASE - 1;
    expect(await queue.claim('w2')).toBeUndefined();
  });

  it('retries with backoff, then dead-letters at the attempt limit, and replays', async () => {
    const { job } = await queue.enqueue({
      tenantId: tenant('t'),
      type: 'sync',
      payload: { p: 1 },
      maxAttempts: 2,
    });
    const c1 = (await queue.claim('w'))!;
    const r1 = await queue.fail(c1, new Error('HTTP 503'));
    expect(r1).toEqual({ outcome: 'retry', runAt: now + 750, delayMs: 750 });
    expect(await queue.claim('w')).toBeUndefined();
    now += 750;
    const c2 = (await queue.claim('w'))!;
    const r2 = await queue.fail(c2, new Error('HTTP 503 again'));
    expect(r2.outcome).toBe('dead');
    const [letter] = await queue.listDeadLetters(tenant('t'));
    expect(letter).toMatchObject({ jobId: job.id, attempts: 2, payload: { p: 1 } });
    expect(letter?.reason).toMatch(/attempt 2 of 2: Error: HTTP 503 again/);

    const replayed = await queue.replayDeadLetter(tenant('t'), letter!.id);
    expect(replayed).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await queue.claim('w'))?.job.id).toBe(job.id);
    await expect(queue.replayDeadLetter(tenant('t'), letter!.id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('stores a failure with no email address, bearer token or name in it (issue 14 item 11)', async () => {
    const { job } = await queue.enqueue({
      tenantId: tenant('t'),
      type: 'sync',
      payload: null,
      maxAttempts: 2,
    });
    // What a CRM client error can carry: the record's email and name echoed in the body, the header.
    const failure = new Error(
      'HubSpot 400 for jane.doe@example.com {"firstname":"Jane","lastname":"Doe"} (Authorization: Bearer CKPx9aXKMhIHAAEA.Qx-1)',
    );
    const secrets = ['jane.doe', 'example.com', 'CKPx9aXK', '"Jane"', '"Doe"'];
    await queue.fail((await queue.claim('w'))!, failure);
    const retried = await store.getJob(tenant('t'), job.id);
    expect(retried?.lastError).toMatch(/^Error: HubSpot 400 for \[REDACTED\]/);
    for (const secret of secrets) expect(retried?.lastError).not.toContain(secret);

    now += 10_000;
    expect((await queue.fail((await queue.claim('w'))!, failure)).outcome).toBe('dead');
    const [letter] = await queue.listDeadLetters(tenant('t'));
    expect(letter?.reason).toMatch(/^attempt 2 of 2: Error: HubSpot 400/);
    const raw = db.raw();
    const rows = [
      ...(await raw.query('select last_error as text from jobs where id = ?', [job.id])),
      ...(await raw.query('select reason as text from dead_letters where job_id = ?', [job.id])),
    ];
    await raw.close();
    expect(rows).toHaveLength(2);
    for (const row of rows) for (const secret of secrets) expect(String(row.text)).not.toContain(secret);
  });

  it('dead-letters a permanent error at once', async () => {
    await queue.enqueue({ tenantId: tenant('t'), type: 'sync', payload: null });
    const c = (await queue.claim('w'))!;
    expect((await queue.fail(c, new PermanentJobError('install revoked'))).outcome).toBe('dead');
  });

  it('dead-letters a job that keeps losing its worker once attempts run out', async () => {
    await queue.enqueue({ tenantId: tenant('t'), type: 'poison', payload: null, maxAttempts: 1 });
    await queue.claim('w1');
    now += LEASE;
    expect(await queue.claim('w2')).toBeUndefined();
    const [letter] = await queue.listDeadLetters(tenant('t'));
    expect(letter?.reason).toMatch(/worker lost/);
  });

  it('releases a job without counting the attempt', async () => {
    await queue.enqueue({ tenantId: tenant('t'), type: 'sync', payload: null });
    const c = (await queue.claim('w'))!;
    await queue.saveCheckpoint(c.lease, { at: 5 });
    await queue.release(c.lease);
    expect((await queue.claim('w'))?.job).toMatchObject({ attempts: 1, checkpoint: { at: 5 } });
  });

  it('never gives one job to two of many concurrent claimers (two store instances)', async () => {
    const other = await db.open();
    try {
      const q2 = createJobQueue(other, {
        clock: () => now,
        rng: () => 0.5,
        leaseMs: LEASE,
        maxRunningPerTenant: 100,
      });
      const q1 = createJobQueue(store, {
        clock: () => now,
        rng: () => 0.5,
        leaseMs: LEASE,
        maxRunningPerTenant: 100,
      });
      for (let i = 0; i < 12; i++)
        await q1.enqueue({ tenantId: tenant(`c${i % 3}`), type: 'sync', payload: i });
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? q1 : q2).claim(`w${i}`)),
      );
      const ids = claims.flatMap((c) => (c ? [c.job.id] : []));
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
    } finally {
      await other.close();
    }
  });

  it('holds the per-tenant limit under concurrent claimers (two store instances)', async () => {
    const other = await db.open();
    try {
      const mk = (s: Store) =>
        createJobQueue(s, { clock: () => now, rng: () => 0.5, leaseMs: LEASE, maxRunningPerTenant: 1 });
      const [q1, q2] = [mk(store), mk(other)];
      for (let i = 0; i < 6; i++) await q1.enqueue({ tenantId: tenant('one'), type: 'sync', payload: i });
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? q1 : q2).claim(`w${i}`)));
      expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('counts jobs by state', async () => {
    await queue.enqueue({ tenantId: tenant('cnt'), type: 'sync', payload: null });
    await queue.enqueue({ tenantId: tenant('cnt'), type: 'sync', payload: null });
    const c = (await queue.claim('w'))!;
    await queue.complete(c.lease);
    expect(await store.countJobs(tenant('cnt'))).toEqual({ queued: 1, running: 0, done: 1, dead: 0 });
  });
});
