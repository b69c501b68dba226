import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../store/index.ts';
import type { TestDb } from '../store/test-support.ts';
import { testDbFactories } from '../store/test-support.ts';
import { createJobQueue } from './queue.ts';
import type { JobHandler, Sleep, WorkerEvent } from './worker.ts';
import { Worker } from './worker.ts';

const factories = await testDbFactories();
const T0 = Date.UTC(2026, 0, 1);
const LEASE = 60_000;

/** A sleep that only ends when the test says so (tick) or its signal aborts: no real waiting. */
function controlledSleep(): { sleep: Sleep; tick: () => void } {
  const pending = new Set<() => void>();
  const sleep: Sleep = (_ms, signal) =>
    new Promise((resolve) => {
      const wake = () => {
        pending.delete(wake);
        resolve();
      };
      pending.add(wake);
      if (signal?.aborted) wake();
      signal?.addEventListener('abort', wake, { once: true });
    });
  const tick = () => {
    for (const wake of [...pending]) wake();
  };
  return { sleep, tick };
}

function gate(): { open: () => void; opened: Promise<void> } {
  const state: { resolve?: () => void } = {};
  const opened = new Promise<void>((resolve) => {
    state.resolve = resolve;
  });
  return { open: () => state.resolve?.(), opened };
}

describe.each(factories)('worker on $kind', (factory) => {
  let db: TestDb;
  let store: Store;
  let now: number;
  let tenantId: string;
  let n = 0;

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
    now = T0 + n * 10_000_000;
    tenantId = `t${n}`;
    const raw = db.raw();
    await raw.query(`update jobs set state = 'done', lease_owner = null, lease_expires_at = null`);
    await raw.close();
  });

  function setup(handler: JobHandler, type = 'sync', slots?: number) {
    const events: WorkerEvent[] = [];
    const { sleep, tick } = controlledSleep();
    const queue = createJobQueue(store, {
      clock: () => now,
      rng: () => 0,
      leaseMs: LEASE,
      maxRunningPerTenant: 2,
    });
    const worker = new Worker({
      store,
      queue,
      workerId: 'w1',
      sleep,
      clock: () => now,
      onEvent: (e) => events.push(e),
      ...(slots === undefined ? {} : { slots }),
    }).register(type, handler);
    return { worker, queue, events, tick };
  }

  it('completes a job, handing the handler its payload', async () => {
    const seen: unknown[] = [];
    const { worker, queue } = setup(({ job, checkpoint }) => {
      seen.push(job.payload, checkpoint);
      return Promise.resolve('done');
    });
    const { job } = await queue.enqueue({ tenantId, type: 'sync', payload: { page: 1 } });
    expect(await worker.runOnce()).toBe(true);
    expect(await worker.runOnce()).toBe(false);
    expect(seen).toEqual([{ page: 1 }, null]);
    expect((await store.getJob(tenantId, job.id))?.state).toBe('done');
  });

  it('resumes a failed job from its last checkpoint on the retry', async () => {
    const checkpoints: unknown[] = [];
    const { worker, queue, events } = setup(async ({ checkpoint, saveCheckpoint }) => {
      checkpoints.push(checkpoint);
      if (checkpoint === null) {
        await saveCheckpoint({ step: 1 });
        throw new Error('upstream 503');
      }
      return 'done';
    });
    const { job } = await queue.enqueue({ tenantId, type: 'sync', payload: null });
    await worker.runOnce();
    expect(await store.getJob(tenantId, job.id)).toMatchObject({
      state: 'queued',
      lastError: 'Error: upstream 503',
    });
    expect(events.map((e) => e.type)).toEqual(['claimed', 'failed']);
    now += 3_600_000;
    await worker.runOnce();
    expect(checkpoints).toEqual([null, { step: 1 }]);
    expect((await store.getJob(tenantId, job.id))?.state).toBe('done');
  });

  it('commits a step side effect and its checkpoint together or not at all', async () => {
    const { worker, queue } = setup(async ({ saveCheckpoint }) => {
      await saveCheckpoint({ step: 1 }, async (tx) => {
        await tx.appendEvents(
          tenantId,
          [{ personId: 'p', type: 'call', occurredAt: 0, attributes: {}, sourceId: 'x' }],
          now,
        );
        throw new Error('crash inside the step');
      });
      return 'done';
    });
    const { job } = await queue.enqueue({ tenantId, type: 'sync', payload: null });
    await worker.runOnce();
    expect((await store.getJob(tenantId, job.id))?.checkpoint).toBeNull();
    expect(await store.getEventsAsOf(tenantId, 'p', now)).toEqual([]);
  });

  it('on stop() finishes the current step, saves it, and hands the job back without using an attempt', async () => {
    const inStep = gate();
    const finishStep = gate();
    const { worker, queue } = setup(async ({ saveCheckpoint, signal }) => {
      for (let step = 1; step <= 10; step++) {
        if (step === 2) {
          inStep.open();
          await finishStep.opened;
        }
        await saveCheckpoint({ step });
        if (signal.aborted) return 'interrupted';
      }
      return 'done';
    });
    const { job } = await queue.enqueue({ tenantId, type: 'sync', payload: null });
    worker.start();
    await inStep.opened;
    const stopped = worker.stop();
    finishStep.open();
    await stopped;
    expect(await store.getJob(tenantId, job.id)).toMatchObject({
      state: 'queued',
      attempts: 0,
      checkpoint: { step: 2 },
    });
  });

  it('runs as many jobs at once as it has slots, and no more', async () => {
    const release = gate();
    let running = 0;
    let most = 0;
    const bothRunning = gate();
    const { worker, queue, tick } = setup(
      async () => {
        running++;
        most = Math.max(most, running);
        if (running === 2) bothRunning.open();
        await release.opened;
        running--;
        return 'done';
      },
      'sync',
      2,
    );
    // Three tenants so the per-tenant limit is not what holds the third job back.
    const jobs = await Promise.all(
      ['a', 'b', 'c'].map((t) => queue.enqueue({ tenantId: `${tenantId}${t}`, type: 'sync', payload: null })),
    );
    worker.start();
    await bothRunning.opened;
    tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(most).toBe(2);
    const states = await Promise.all(jobs.map(({ job }) => store.getJob(job.tenantId, job.id)));
    expect(states.filter((j) => j?.state === 'running')).toHaveLength(2);
    release.open();
    for (
      let i = 0;
      i < 200 &&
      (await Promise.all(jobs.map(({ job }) => store.getJob(job.tenantId, job.id)))).some(
        (j) => j?.state !== 'done',
      );
      i++
    ) {
      tick();
      await new Promise((r) => setTimeout(r, 5));
    }
    await worker.stop();
    expect(most).toBe(2);
    const done = await Promise.all(jobs.map(({ job }) => store.getJob(job.tenantId, job.id)));
    expect(done.map((j) => j?.state)).toEqual(['done', 'done', 'done']);
  });

  it('claims only job types it has a handler for', async () => {
    const { worker, queue } = setup(() => Promise.resolve('done'));
    await queue.enqueue({ tenantId, type: 'write-back', payload: null });
    expect(await worker.runOnce()).toBe(false);
  });

  it('gives up a job whose lease another worker took, without failing it', async () => {
    const inStep = gate();
    const finishStep = gate();
    const { worker, queue, events } = setup(async ({ saveCheckpoint }) => {
      inStep.open();
      await finishStep.opened;
      await saveCheckpoint({ step: 1 });
      return 'done';
    });
    const { job } = await queue.enqueue({ tenantId, type: 'sync', payload: null });
    const run = worker.runOnce();
    await inStep.opened;
    now += LEASE;
    const other = createJobQueue(store, {
      clock: () => now,
      rng: () => 0,
      leaseMs: LEASE,
      maxRunningPerTenant: 2,
    });
    expect((await other.claim('w2'))?.job.id).toBe(job.id);
    finishStep.open();
    await run;
    expect(events.map((e) => e.type)).toEqual(['claimed', 'lease_lost']);
    expect(await store.getJob(tenantId, job.id)).toMatchObject({
      state: 'running',
      leaseOwner: 'w2',
      checkpoint: null,
    });
  });

  it('extends its lease with heartbeats while a long step runs', async () => {
    const inStep = gate();
    const finishStep = gate();
    const { worker, queue, tick } = setup(async () => {
      inStep.open();
      await finishStep.opened;
      return 'done';
    });
    const { job } = await queue.enqueue({ tenantId, type: 'sync', payload: null });
    const run = worker.runOnce();
    await inStep.opened;
    now += LEASE - 1;
    tick();
    const leaseOf = async () => (await store.getJob(tenantId, job.id))?.leaseExpiresAt;
    await vi.waitFor(async () => {
      expect(await leaseOf()).toBe(now + LEASE);
    });
    now += LEASE - 1;
    const other = createJobQueue(store, {
      clock: () => now,
      rng: () => 0,
      leaseMs: LEASE,
      maxRunningPerTenant: 2,
    });
    expect(await other.claim('w2')).toBeUndefined();
    finishStep.open();
    await run;
    expect((await store.getJob(tenantId, job.id))?.state).toBe('done');
  });
});
