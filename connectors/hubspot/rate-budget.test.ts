import { describe, expect, it } from 'vitest';
import { PortalBudget, RollingBudget } from './rate-budget.ts';

describe('RollingBudget', () => {
  it('admits max requests in a window, then says how long to wait', () => {
    const b = new RollingBudget(3, 1_000);
    expect([b.tryTake(0), b.tryTake(10), b.tryTake(20), b.tryTake(30)]).toEqual([true, true, true, false]);
    expect(b.waitMs(30)).toBe(971);
    expect(b.tryTake(1_000)).toBe(false);
    expect(b.tryTake(1_001)).toBe(true);
  });

  it('never admits more than max in any rolling window, whatever the arrival pattern', () => {
    const b = new RollingBudget(100, 10_000);
    const sent: number[] = [];
    let now = 0;
    while (now < 60_000) {
      if (b.tryTake(now)) sent.push(now);
      now += (now * 7919) % 13; // an irregular, deterministic arrival pattern
      now += 1;
    }
    for (let i = 0; i + 100 < sent.length; i++)
      expect((sent[i + 100] as number) - (sent[i] as number)).toBeGreaterThan(10_000);
    expect(sent.length).toBeGreaterThan(550);
  });

  it('rejects a non-positive max', () => {
    expect(() => new RollingBudget(0, 1_000)).toThrow(RangeError);
  });
});

describe('PortalBudget', () => {
  it('keeps search apart from the 10-second window', () => {
    const b = new PortalBudget({
      standardPerWindow: 2,
      standardWindowMs: 10_000,
      searchPerWindow: 1,
      searchWindowMs: 1_000,
    });
    expect(b.tryTake('standard', 0)).toBe(true);
    expect(b.tryTake('standard', 0)).toBe(true);
    expect(b.tryTake('standard', 0)).toBe(false);
    expect(b.tryTake('search', 0)).toBe(true);
    expect(b.tryTake('search', 500)).toBe(false);
    expect(b.waitMs('search', 500)).toBe(501);
  });
});
