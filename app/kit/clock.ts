import type { EpochMs } from './store/index.ts';

/** Wall-clock time, injected so tests control it; epoch ms like the store. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };
