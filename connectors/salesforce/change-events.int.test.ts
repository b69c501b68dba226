import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../test/salesforce-fixture.ts';
import {
  batchRetryDelayMs,
  subscribeChangeEvents,
  type ChangeEventOptions,
  type ChangeEventReport,
  type ChangeEventSubscription,
} from './change-events.ts';

let fx: Fixture;
let subs: ChangeEventSubscription[];

beforeEach(async () => {
  fx = await startFixture();
  subs = [];
});
afterEach(async () => {
  for (const sub of subs) sub.stop();
  await fx.emulator.close();
});

/** What one subscription did: the batches handed over, the tokens asked for, the reports. */
interface Run {
  readonly sub: ChangeEventSubscription;
  readonly batches: { replayIds: number[]; last: number; entities: string[] }[];
  /** `rejected` of every token request. */
  readonly tokenRequests: boolean[];
  /** What loadReplayId answered, call by call. */
  readonly loads: (number | undefined)[];
  readonly reports: ChangeEventReport[];
  readonly gaps: () => number;
  /** Replay ids of every batch, in the order onBatch was called. */
  readonly handled: () => number[];
}

/**
 * Subscribes as an owner would: the last handled replay id is kept (here in memory) and given back
 * by loadReplayId, tokens are fresh sessions of the org.
 */
function subscribe(overrides: Partial<ChangeEventOptions> & { saved?: number } = {}): Run {
  const { saved: initial, ...options } = overrides;
  let saved = initial;
  const batches: Run['batches'] = [];
  const tokenRequests: boolean[] = [];
  const loads: (number | undefined)[] = [];
  const reports: ChangeEventReport[] = [];
  let gaps = 0;
  const sub = subscribeChangeEvents({
    instanceUrl: fx.emulator.url,
    version: '64.0',
    accessToken: (rejected) => {
      tokenRequests.push(rejected);
      return Promise.resolve(fx.org.issueToken().accessToken);
    },
    loadReplayId: () => {
      loads.push(saved);
      return Promise.resolve(saved);
    },
    onBatch: (messages, last) => {
      batches.push({
        replayIds: messages.map((m) => m.event.replayId),
        last,
        entities: messages.map((m) => m.payload.ChangeEventHeader.entityName),
      });
      saved = last;
      return Promise.resolve();
    },
    onReplayGap: () => {
      gaps += 1;
      return Promise.resolve();
    },
    report: (r) => reports.push(r),
    ...options,
  });
  subs.push(sub);
  return {
    sub,
    batches,
    tokenRequests,
    loads,
    reports,
    gaps: () => gaps,
    handled: () => batches.flatMap((b) => b.replayIds),
  };
}

/** Bounded wait for pushed events (CometD delivers over real sockets; there is no clock to move). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const published = (): number[] => fx.org.changeEvents().map((e) => e.replayId);
const lastPublished = (): number => published().at(-1) ?? 0;
const newLeads = (n: number): string[] =>
  fx.org.insert(
    'Lead',
    Array.from({ length: n }, (_, i) => ({ LastName: `Lead ${i}`, Company: 'C' })),
  );

describe('subscribeChangeEvents', () => {
  it('hands the events after the loaded replay id to onBatch as one batch, in order, with the last replay id', async () => {
    newLeads(1);
    const [accountId] = fx.org.insert('Account', [{ Name: 'A' }]);
    fx.org.update('Account', accountId ?? '', { Industry: 'Technology' });
    newLeads(1);
    const [first, ...after] = published();
    const run = subscribe({ saved: first ?? 0 });
    await run.sub.ready;
    await run.sub.idle();
    await until(() => run.batches.length > 0);
    // One CometD response carries the replayed events; Faye hands them over in one tick.
    expect(run.batches).toEqual([
      { replayIds: after, last: after.at(-1), entities: ['Account', 'Account', 'Lead'] },
    ]);
    expect(run.loads).toEqual([first]);
    expect(run.tokenRequests).toEqual([false]);
    expect(run.reports).toEqual([]);
  });

  it('starts at the tip when there is no replay id to resume after', async () => {
    newLeads(2);
    const run = subscribe();
    await run.sub.ready;
    const [leadId] = newLeads(1);
    fx.org.update('Lead', leadId ?? '', { Title: 'VP Sales' });
    await until(() => run.handled().length === 2);
    expect(run.handled()).toEqual(published().slice(-2));
    expect(run.gaps()).toBe(0);
  });

  it('hands over the next batch only after the previous one settled', async () => {
    let active = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const calls: { replayIds: number[]; last: number }[] = [];
    const run = subscribe({
      onBatch: async (messages, last) => {
        active += 1;
        most = Math.max(most, active);
        calls.push({ replayIds: messages.map((m) => m.event.replayId), last });
        if (calls.length === 1) await gate;
        active -= 1;
      },
    });
    await run.sub.ready;
    newLeads(1);
    await until(() => calls.length === 1);
    // Published while the first batch is still being handled.
    for (let i = 0; i < 5; i++) newLeads(1);
    await new Promise((r) => setTimeout(r, 100));
    release();
    await until(() => calls.flatMap((c) => c.replayIds).length === 6);
    await run.sub.idle();
    expect(most).toBe(1);
    expect(calls.flatMap((c) => c.replayIds)).toEqual(published());
    for (const c of calls) expect(c.last).toBe(c.replayIds.at(-1));
  });

  it('hands a failed batch over again, the same events, after a capped backoff, with later events behind it', async () => {
    const boom = new Error('store down');
    const calls: { replayIds: number[]; last: number; attempt: number }[] = [];
    const waits: number[] = [];
    let held: () => void = () => undefined;
    const run = subscribe({
      onBatch: (messages, last, attempt) => {
        calls.push({ replayIds: messages.map((m) => m.event.replayId), last, attempt });
        return calls.length <= 3 ? Promise.reject(boom) : Promise.resolve();
      },
      sleep: (ms) => {
        waits.push(ms);
        return new Promise((resolve) => (held = resolve));
      },
    });
    await run.sub.ready;
    newLeads(1);
    const first = lastPublished();
    await until(() => waits.length === 1);
    // Received while the first batch waits for its next try: it waits behind it.
    newLeads(1);
    newLeads(1);
    await new Promise((r) => setTimeout(r, 100));
    for (let n = 2; n <= 4; n++) {
      held();
      await until(() => calls.length >= n);
      if (n < 4) await until(() => waits.length === n);
    }
    await until(() => calls.length === 5);
    await run.sub.idle();
    expect(calls).toEqual([
      { replayIds: [first], last: first, attempt: 1 },
      { replayIds: [first], last: first, attempt: 2 },
      { replayIds: [first], last: first, attempt: 3 },
      { replayIds: [first], last: first, attempt: 4 },
      { replayIds: published().slice(1), last: lastPublished(), attempt: 1 },
    ]);
    expect(waits).toEqual([500, 1_000, 2_000]);
    expect(run.reports).toEqual([
      { kind: 'batch-failed', error: boom, attempt: 1, retryInMs: 500 },
      { kind: 'batch-failed', error: boom, attempt: 2, retryInMs: 1_000 },
      { kind: 'batch-failed', error: boom, attempt: 3, retryInMs: 2_000 },
    ]);
  });

  it('doubles the wait between tries up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map(batchRetryDelayMs)).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('stops trying a failed batch on stop(), without waiting for the backoff', async () => {
    let calls = 0;
    // No sleep given: the real 500 ms timer, which stop() cuts short.
    const run = subscribe({
      onBatch: () => {
        calls += 1;
        return Promise.reject(new Error('store down'));
      },
    });
    await run.sub.ready;
    newLeads(1);
    await until(() => calls === 1);
    run.sub.stop();
    const started = Date.now();
    await run.sub.idle();
    expect(Date.now() - started).toBeLessThan(400);
    await new Promise((r) => setTimeout(r, 600));
    expect(calls).toBe(1);
  });

  it('re-handshakes with a renewed token from the last handled replay id when the live session expires', async () => {
    const run = subscribe();
    await run.sub.ready;
    newLeads(1);
    await until(() => run.handled().length === 1);
    const handledBefore = lastPublished();
    fx.org.expireSessions();
    // Published while the session is dead: the held connect meets the 401, not these events.
    newLeads(2);
    await until(() => run.handled().length === 3);
    expect(run.tokenRequests).toEqual([false, true]);
    expect(run.loads).toEqual([undefined, handledBefore]);
    expect(run.reports).toEqual([{ kind: 'session-expired' }]);
    // Still live on the new session, with the old client gone.
    newLeads(1);
    await until(() => run.handled().length === 4);
    expect(run.handled()).toEqual(published());
    expect(fx.emulator.cometdClients()).toBe(1);
  });

  it('asks for a new token when the first handshake is refused', async () => {
    const stale = fx.org.issueToken().accessToken;
    fx.org.expireSessions();
    const tokens: boolean[] = [];
    const run = subscribe({
      accessToken: (rejected) => {
        tokens.push(rejected);
        return Promise.resolve(rejected ? fx.org.issueToken().accessToken : stale);
      },
    });
    await run.sub.ready;
    expect(tokens).toEqual([false, true]);
    newLeads(1);
    await until(() => run.handled().length === 1);
    expect(run.reports).toEqual([]);
  });

  it('gives up after three refused handshakes in a row', async () => {
    const stale = fx.org.issueToken().accessToken;
    fx.org.expireSessions();
    const tokens: boolean[] = [];
    const run = subscribe({
      accessToken: (rejected) => {
        tokens.push(rejected);
        return Promise.resolve(stale);
      },
    });
    await expect(run.sub.ready).rejects.toThrow(/Authentication invalid/);
    expect(tokens).toEqual([false, true, true]);
  });

  it('ends with the error when ready fails or a re-handshake does, and with undefined on stop()', async () => {
    const refused = new Error('no session to renew');
    let asked = 0;
    const run = subscribe({
      accessToken: () => {
        asked += 1;
        return asked === 1 ? Promise.resolve(fx.org.issueToken().accessToken) : Promise.reject(refused);
      },
    });
    await run.sub.ready;
    fx.org.expireSessions();
    expect(await run.sub.ended).toBe(refused);
    expect(run.reports).toEqual([{ kind: 'session-expired' }, { kind: 'stopped', error: refused }]);

    const failing = subscribe({ accessToken: () => Promise.reject(refused) });
    await expect(failing.sub.ready).rejects.toBe(refused);
    expect(await failing.sub.ended).toBe(refused);

    const live = subscribe();
    await live.sub.ready;
    live.sub.stop();
    expect(await live.sub.ended).toBeUndefined();
  });

  it('falls back to the tip and reports the gap when the replay id is unknown', async () => {
    newLeads(2);
    const run = subscribe({ saved: lastPublished() + 1000 });
    await run.sub.ready;
    expect(run.gaps()).toBe(1);
    // Resubscribed from the tip: the retained events are not replayed, new ones arrive.
    newLeads(1);
    await until(() => run.handled().length === 1);
    expect(run.handled()).toEqual([lastPublished()]);
    expect(run.loads).toHaveLength(1);
    expect(run.tokenRequests).toEqual([false]);
  });

  it('fails ready when the gap handler fails', async () => {
    const boom = new Error('cannot queue the sweep');
    const run = subscribe({ saved: 1000, onReplayGap: () => Promise.reject(boom) });
    await expect(run.sub.ready).rejects.toBe(boom);
  });

  it('stops listening on stop()', async () => {
    const run = subscribe();
    await run.sub.ready;
    expect(fx.emulator.cometdClients()).toBe(1);
    run.sub.stop();
    await until(() => fx.emulator.cometdClients() === 0);
    newLeads(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(run.batches).toEqual([]);
  });
});
