import { describe, expect, it } from 'vitest';
import type { TenantStatus } from '../app/pipeline/index.ts';
import { pollUntilLive } from './poll-until-live.ts';

const status = (phase: TenantStatus['phase']): TenantStatus => ({ phase }) as TenantStatus;

function answers(...steps: (TenantStatus | Error)[]): () => Promise<TenantStatus | undefined> {
  let call = 0;
  return () => {
    const step = steps[Math.min(call++, steps.length - 1)];
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
  };
}

function clock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

describe('pollUntilLive', () => {
  it('keeps polling through failed polls (a reset connection) until the tenant is live', async () => {
    const seen: string[] = [];
    const reset = Object.assign(new Error('fetch failed: read ECONNRESET'), { code: 'ECONNRESET' });
    const live = await pollUntilLive({
      fetchStatus: answers(status('backfilling'), reset, reset, status('writing'), status('live')),
      onStatus: (s) => seen.push(s.phase),
      deadline: 60_000,
      pollMs: 1_000,
      ...clock(),
    });
    expect(live.phase).toBe('live');
    expect(seen).toEqual(['backfilling', 'writing', 'live']);
  });

  it('ends at the deadline naming what the last poll failed with', async () => {
    await expect(
      pollUntilLive({
        fetchStatus: answers(new Error('fetch failed: read ECONNRESET')),
        onStatus: () => undefined,
        deadline: 5_000,
        pollMs: 1_000,
        ...clock(),
      }),
    ).rejects.toThrow('not live by the deadline (last status poll failed: fetch failed: read ECONNRESET)');
  });

  it('stops at once when the tenant stopped', async () => {
    await expect(
      pollUntilLive({
        fetchStatus: answers(status('stopped')),
        onStatus: () => undefined,
        deadline: 60_000,
        pollMs: 1_000,
        ...clock(),
      }),
    ).rejects.toThrow('the tenant stopped before going live');
  });
});
