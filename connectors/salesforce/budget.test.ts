import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../types.ts';
import { ApiBudget } from './budget.ts';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 15, 9, 30);

function spend(budget: ApiBudget, usage: { used: number; limit: number }, calls: number): number {
  let made = 0;
  for (let i = 0; i < calls; i += 1) {
    try {
      budget.beforeCall();
    } catch (e) {
      if (e instanceof ConnectorError && e.code === 'quota_exhausted') return made;
      throw e;
    }
    usage.used += 1;
    made += 1;
    budget.observe({ ...usage });
  }
  return made;
}

describe('ApiBudget', () => {
  it.each([
    // [used at start, limit, share, calls allowed]
    [0, 15_000, 0.2, 3000],
    [10_000, 15_000, 0.2, 1000],
    [14_990, 15_000, 0.2, 2],
    [14_996, 15_000, 0.2, 1], // the first call is made before the usage is known
    [0, 100, 1, 100],
    [0, 100, 0.5, 50],
  ])('with %i of %i used and share %d allows %i calls', (used, limit, share, allowed) => {
    const budget = new ApiBudget({ share, clock: () => T0 });
    expect(spend(budget, { used, limit }, 100_000)).toBe(allowed);
  });

  it('caps the day at maxCallsPerDay', () => {
    const budget = new ApiBudget({ maxCallsPerDay: 7, clock: () => T0 });
    expect(spend(budget, { used: 0, limit: 15_000 }, 100)).toBe(7);
  });

  it('counts calls by other clients of the org against the day', () => {
    const budget = new ApiBudget({ clock: () => T0 });
    const usage = { used: 0, limit: 1000 };
    expect(spend(budget, usage, 10)).toBe(10);
    usage.used += 150; // another integration's calls
    expect(spend(budget, usage, 1000)).toBe(40);
  });

  it('stops at once after the org refused a call, until the next UTC day', () => {
    let now = T0;
    const budget = new ApiBudget({ clock: () => now });
    budget.markExhausted();
    expect(() => {
      budget.beforeCall();
    }).toThrow(/REQUEST_LIMIT_EXCEEDED.*resumes after 2026-01-16T00:00:00.000Z/);
    now = T0 + DAY;
    expect(() => {
      budget.beforeCall();
    }).not.toThrow();
  });

  it('says how long until it resumes and reports its status', () => {
    const budget = new ApiBudget({ clock: () => T0 });
    const usage = { used: 990, limit: 1000 };
    spend(budget, usage, 10);
    expect(budget.status()).toEqual({
      usage: { used: 992, limit: 1000 },
      allowance: 2,
      spent: 2,
      exhaustedUntil: Date.UTC(2026, 0, 16),
    });
    try {
      budget.beforeCall();
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({
        code: 'quota_exhausted',
        details: { retryAfterMs: Date.UTC(2026, 0, 16) - T0 },
      });
    }
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => new ApiBudget({ share: 0, clock: () => T0 })).toThrow(RangeError);
    expect(() => new ApiBudget({ share: 1.5, clock: () => T0 })).toThrow(RangeError);
  });
});
