import { describe, expect, it } from 'vitest';
import { nextRetryDelay } from './retry.ts';

const opts = { baseMs: 1000, capMs: 60_000 };

describe('nextRetryDelay', () => {
  it.each([
    // attempt, rng, expected: exp = min(cap, base·2^(attempt-1)); delay = exp/2 + rng·exp/2
    [1, 0, 500],
    [1, 0.5, 750],
    [2, 0, 1000],
    [3, 0.25, 2500],
    [6, 0, 16_000],
    [7, 0, 30_000], // 64 s capped at 60 s
    [50, 0.5, 45_000],
    [5000, 0, 30_000], // 2^4999 is Infinity: still the cap
  ])('returns %i-th retry delay with rng %f as %i ms', (attempt, r, expected) => {
    expect(nextRetryDelay(attempt, () => r, opts)).toBe(expected);
  });

  it('never shrinks the minimum delay as attempts grow', () => {
    const mins = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => nextRetryDelay(a, () => 0, opts));
    expect([...mins].sort((a, b) => a - b)).toEqual(mins);
  });

  it('stays within [exp/2, exp) for any rng value', () => {
    for (const r of [0, 0.1, 0.5, 0.999_999]) {
      const d = nextRetryDelay(4, () => r, opts);
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThan(8000);
    }
  });

  it('refuses an attempt below 1 and an rng outside [0, 1)', () => {
    expect(() => nextRetryDelay(0, () => 0, opts)).toThrow(/attempt/);
    expect(() => nextRetryDelay(1.5, () => 0, opts)).toThrow(/attempt/);
    expect(() => nextRetryDelay(1, () => 1, opts)).toThrow(/rng/);
  });
});
