import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { updateProgress } from './progress.ts';
import { startIncrementalSweep, sweepKey, type SweepTimer } from './sweep.ts';

const INTERVAL = 300_000;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
let db: TestDb;
let store: Store;
let now: number;

/** A timer the test fires by hand, so no test waits on real time. */
function fakeTimer(): SweepTimer & { fire(): void; intervals: number[]; cancelled: boolean } {
  let tick: (() => void) | undefined;
  const timer = {
    intervals: [] as number[],
    cancelled: false,
    every(ms: number, fn: () => void) {
      timer.intervals.push(ms);
      tick = fn;
      return () => {
        timer.cancelled = true;
        tick = undefined;
      };
    },
    fire() {
      tick?.();
    },
  };
  return timer;
}

async function tenantWith(name: string, opts: { backfillDone: boolean; active?: boolean }): Promise<string> {
  const t = await store.createTenant({ crm: 'hubspot', externalId: name, name }, T0);
  await updateProgress(store, t.id, 'pipeline:backfill', T0, (p) => ({
    ...p,
    startedAt: T0,
    doneAt: opts.backfillDone ? T0 : null,
  }));
  if (opts.active === false) await store.setTenantStatus(t.id, 'uninstalled');
  return t.id;
}

const queued = async (tenantId: string) => (await store.countJobs(tenantId)).queued;

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  now = T0;
});
afterEach(async () => {
  await store.close();
  await db.destroy();
});

describe('incremental sweep', () => {
  it('enqueues one incremental job per live tenant each interval, driven by the timer', async () => {
    const live = await tenantWith('live', { backfillDone: true });
    const timer = fakeTimer();
    const sweep = startIncrementalSweep({ store, clock: () => now, intervalMs: INTERVAL, timer });
    expect(timer.intervals).toEqual([INTERVAL]);

    timer.fire();
    await sweep.tick(); // joins the pass the timer started
    expect(await queued(live)).toBe(1);
    const claimed = await store.claimJob('w', {
      now,
      leaseMs: 1000,
      maxRunningPerTenant: 1,
      types: ['incremental'],
    });
    expect(claimed?.job).toMatchObject({
      tenantId: live,
      type: 'incremental',
      idempotencyKey: sweepKey(Math.floor(now / INTERVAL)),
    });

    // Same slot again: nothing new. Next slot: a new job.
    expect((await sweep.tick())?.enqueued).toEqual([]);
    now += INTERVAL;
    expect((await sweep.tick())?.enqueued).toEqual([live]);
    await sweep.stop();
    expect(timer.cancelled).toBe(true);
  });

  it('gives nothing to an inactive tenant or one still backfilling', async () => {
    const inactive = await tenantWith('gone', { backfillDone: true, active: false });
    const backfilling = await tenantWith('busy', { backfillDone: false });
    const fresh = (await store.createTenant({ crm: 'salesforce', externalId: '00D', name: 'new' }, T0)).id;
    const sweep = startIncrementalSweep({
      store,
      clock: () => now,
      intervalMs: INTERVAL,
      timer: fakeTimer(),
    });
    expect((await sweep.tick())?.enqueued).toEqual([]);
    expect([await queued(inactive), await queued(backfilling), await queued(fresh)]).toEqual([0, 0, 0]);
    await sweep.stop();
  });

  it('enqueues once when two schedulers (two processes) sweep in the same slot', async () => {
    const live = await tenantWith('live', { backfillDone: true });
    const a = startIncrementalSweep({ store, clock: () => now, intervalMs: INTERVAL, timer: fakeTimer() });
    const b = startIncrementalSweep({
      store,
      clock: () => now + 1_000, // a clock a second ahead, still the same slot
      intervalMs: INTERVAL,
      timer: fakeTimer(),
    });
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect([...(ra?.enqueued ?? []), ...(rb?.enqueued ?? [])]).toEqual([live]);
    expect(await queued(live)).toBe(1);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('reports a failed pass and keeps the schedule', async () => {
    const errors: unknown[] = [];
    const failing = {
      ...store,
      listTenants: () => Promise.reject(new Error('db down')),
      getSyncCursor: store.getSyncCursor.bind(store),
      enqueueJob: store.enqueueJob.bind(store),
    };
    const sweep = startIncrementalSweep({
      store: failing,
      clock: () => now,
      intervalMs: INTERVAL,
      timer: fakeTimer(),
      onError: (e) => errors.push(e),
    });
    expect(await sweep.tick()).toBeUndefined();
    expect(errors).toEqual([new Error('db down')]);
    await sweep.stop();
  });
});
