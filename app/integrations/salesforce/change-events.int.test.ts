import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fixture } from '../../../test/salesforce-fixture.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { JobRecord, NewJob, Store, Tenant } from '../../kit/store/index.ts';
import {
  CDC_CURSOR_STREAM,
  subscribeSalesforceCdc,
  type CdcStore,
  type CdcSubscription,
} from './change-events.ts';
import {
  heldWaits,
  pause,
  recordIdsOf,
  recordingCdcStore,
  recordingLogger,
  startCdcFixture,
  type CdcFixture,
  type HeldWaits,
  type Line,
} from './testdata/cdc-fixture.ts';

/**
 * Our side of the change events against the emulator and a real store that fails on demand: a batch
 * whose jobs cannot be queued is retried, later batches wait behind it, and the saved replay id never
 * passes an event whose job is not queued.
 */

let cdc: CdcFixture;
let fx: Fixture;
let store: Store;
let ring: KeyRing;
let tenant: Tenant;
const subs: CdcSubscription[] = [];

beforeEach(async () => {
  cdc = await startCdcFixture();
  ({ fx, store, ring, tenant } = cdc);
  await cdc.connect();
});

afterEach(async () => {
  for (const sub of subs.splice(0)) sub.stop();
  await cdc.stop();
});

/** A saved replay id, with the jobs that were queued when it was saved. */
interface Save {
  readonly replayId: number;
  readonly jobs: readonly JobRecord[];
}

/** The subscription, what it queued, saved and logged, and its retry waits (released by the test). */
interface Run extends Pick<HeldWaits, 'delays' | 'release'> {
  readonly sub: CdcSubscription;
  /** Jobs created, in order. */
  readonly jobs: JobRecord[];
  readonly saves: Save[];
  /** Calls of enqueueJob that failed. */
  readonly failures: () => number;
  readonly logs: Line[];
}

/**
 * Subscribes through a store whose `enqueueJob` fails when `fails(job, call)` says so, and whose retry
 * waits end only when the test releases them: the test decides how long the outage lasts.
 */
function subscribe(fails: (job: NewJob, call: number) => boolean): Run {
  const jobs: JobRecord[] = [];
  const saves: Save[] = [];
  const waits = heldWaits();
  const logs: Line[] = [];
  let calls = 0;
  let failures = 0;
  const real = recordingCdcStore(store, jobs);
  const flaky: CdcStore = {
    ...real,
    setSyncCursor: async (c) => {
      await real.setSyncCursor(c);
      if (c.stream === CDC_CURSOR_STREAM) saves.push({ replayId: Number(c.cursor), jobs: [...jobs] });
    },
    enqueueJob: async (job, now) => {
      calls += 1;
      if (fails(job, calls)) {
        failures += 1;
        throw new Error('SQLITE_BUSY: database is locked');
      }
      return real.enqueueJob(job, now);
    },
  };
  const sub = subscribeSalesforceCdc(
    {
      store: flaky,
      ring,
      clientId: 'leadgate-test',
      accessToken: () => Promise.resolve(fx.org.issueToken().accessToken),
      clock: { now: () => fx.clock.now },
      logger: recordingLogger(logs),
      sleep: waits.sleep,
    },
    tenant,
  );
  subs.push(sub);
  return {
    sub,
    jobs,
    saves,
    failures: () => failures,
    delays: waits.delays,
    release: waits.release,
    logs,
  };
}

/** Polls `check` (releasing waits as it goes) for up to 3 s; the assertions after it say what is missing. */
async function settle(run: Run, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    run.release();
    await pause(10);
  }
}

/** Publishes one Lead change and gives CometD time to deliver it on its own. */
async function newLead(): Promise<string> {
  const [id] = fx.org.insert('Lead', [{ LastName: 'Lead', Company: 'C' }]);
  await pause(60);
  return id ?? '';
}

const lastPublished = (): number => fx.org.changeEvents().at(-1)?.replayId ?? 0;
const sweeps = (jobs: readonly JobRecord[]): JobRecord[] =>
  jobs.filter((j) => (j.payload as { source?: string }).source === 'cdc-gap');

/**
 * Every saved replay id covers only handled events: each Lead event at or before it has its record in
 * a job queued before the save, or a `cdc-gap` sweep was queued before the save.
 */
function expectSavesCoverOnlyHandledEvents(saves: readonly Save[]): void {
  const events = fx.org.changeEvents().filter((e) => e.payload.ChangeEventHeader.entityName === 'Lead');
  for (const save of saves) {
    if (sweeps(save.jobs).length > 0) continue;
    const queued = new Set(recordIdsOf(save.jobs));
    const unhandled = events
      .filter((e) => e.replayId <= save.replayId)
      .flatMap((e) => e.payload.ChangeEventHeader.recordIds)
      .filter((id) => !queued.has(id));
    expect({ savedReplayId: save.replayId, unhandled }).toEqual({
      savedReplayId: save.replayId,
      unhandled: [],
    });
  }
  const ids = saves.map((s) => s.replayId);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
}

describe('subscribeSalesforceCdc when queueing fails', () => {
  it('loses no Lead change published while enqueueJob fails, and saves no replay id past an unhandled one', async () => {
    const OUTAGE = 4;
    const run = subscribe((_job, call) => call <= OUTAGE);
    await run.sub.ready;
    // Published while the store refuses the first OUTAGE enqueues, each delivered on its own.
    const during = [await newLead()];
    await settle(run, () => run.failures() >= 1);
    during.push(await newLead(), await newLead());
    run.release();
    await pause(60);
    during.push(await newLead());
    await settle(run, () => run.failures() >= OUTAGE);
    expect(run.failures()).toBe(OUTAGE);
    // After the outage.
    const after = await newLead();
    await settle(run, () => run.saves.at(-1)?.replayId === lastPublished());
    await run.sub.idle();

    expect(run.saves.at(-1)?.replayId).toBe(lastPublished());
    // Every change of the outage became a targeted incremental job, none fell to the sweep.
    expect(run.jobs.every((j) => j.type === 'incremental')).toBe(true);
    expect(sweeps(run.jobs)).toEqual([]);
    expect(recordIdsOf(run.jobs).sort()).toEqual([...during, after].sort());
    expectSavesCoverOnlyHandledEvents(run.saves);
    expect(await store.getSyncCursor(tenant.id, CDC_CURSOR_STREAM)).toMatchObject({
      cursor: String(lastPublished()),
    });
    // Each failed try is logged with its attempt and the wait, without the batch's record ids.
    const failed = run.logs.filter((l) => l.message.includes('not handled'));
    expect(failed.map((l) => l.meta['attempt'])).toEqual([1, 2, 3, 4]);
    expect(JSON.stringify(run.logs)).not.toMatch(/00Q/);
  });

  it('retries with a capped exponential backoff while the store stays down, then queues the held changes', async () => {
    let down = true;
    const run = subscribe(() => down);
    await run.sub.ready;
    const first = await newLead();
    const firstReplayId = lastPublished();
    await settle(run, () => run.delays.length >= 3);
    const held = await newLead();
    await settle(run, () => run.delays.length >= 9);
    // Nine tries of the first batch failed, the second waited behind it: nothing saved meanwhile.
    expect(run.saves).toEqual([]);
    down = false;
    await settle(run, () => run.saves.at(-1)?.replayId === lastPublished());
    await run.sub.idle();

    expect(run.saves.map((s) => s.replayId)).toEqual([firstReplayId, lastPublished()]);
    expect(run.delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    // The store came back before the sweep fallback could be queued: the targeted jobs are.
    expect(recordIdsOf(run.jobs).sort()).toEqual([first, held].sort());
    expect(sweeps(run.jobs)).toEqual([]);
    expectSavesCoverOnlyHandledEvents(run.saves);
  });

  it('hands a batch whose jobs can never be queued to the SystemModstamp sweep after the retries', async () => {
    // Jobs naming records are refused (a poison batch); the sweep job, naming none, is queued.
    const run = subscribe((job) => recordIdsOf([job]).length > 0);
    await run.sub.ready;
    await newLead();
    const first = lastPublished();
    await settle(run, () => run.saves.length > 0);
    await run.sub.idle();

    expect(sweeps(run.jobs)).toHaveLength(1);
    expect(sweeps(run.jobs)[0]).toMatchObject({ type: 'incremental', payload: { source: 'cdc-gap' } });
    expect(run.saves.map((s) => s.replayId)).toEqual([first]);
    expectSavesCoverOnlyHandledEvents(run.saves);
    expect(run.logs.some((l) => l.level === 'error' && /sweep/.test(l.message))).toBe(true);
    // The stream goes on: the next change is handled as usual (and refused again, so swept again).
    await newLead();
    await settle(run, () => run.saves.length > 1);
    expect(run.saves.map((s) => s.replayId)).toEqual([first, lastPublished()]);
    expect(sweeps(run.jobs)).toHaveLength(2);
  });
});
