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

  it('holds an open slot until a window after its answer', () => {
    const b = new RollingBudget(2, 1_000);
    expect([b.tryOpen(0), b.tryOpen(0), b.tryOpen(0)]).toEqual([true, true, false]);
    expect(b.waitMs(0)).toBe(1_001); // both in flight: nothing frees before a whole window
    b.finish(300);
    expect(b.waitMs(500)).toBe(801);
    expect(b.tryOpen(1_300)).toBe(false);
    expect(b.tryOpen(1_301)).toBe(true);
    expect(() => {
      new RollingBudget(1, 1_000).finish(0);
    }).toThrow(/without an open request/);
  });

  it('keeps a server that counts on arrival within max, whatever the latency and jitter', () => {
    // Several callers keep requests in flight; each request reaches the server somewhere between its
    // send and its answer (random), and answers come back in any order.
    const max = 110;
    const windowMs = 10_000;
    const b = new RollingBudget(max, windowMs);
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const arrivals: number[] = [];
    const open: { answerAt: number }[] = [];
    for (let now = 0; now < 120_000; now += 1 + Math.floor(rand() * 20)) {
      for (let i = open.length - 1; i >= 0; i--) {
        if ((open[i] as { answerAt: number }).answerAt <= now) {
          b.finish(now);
          open.splice(i, 1);
        }
      }
      while (open.length < 6 && b.tryOpen(now)) {
        const latency = 5 + Math.floor(rand() * 400);
        arrivals.push(now + Math.floor(rand() * latency));
        open.push({ answerAt: now + latency });
      }
    }
    arrivals.sort((x, y) => x - y);
    // The emulator's rule: a request is refused when max others arrived in (t - window, t].
    for (let i = max; i < arrivals.length; i++)
      expect((arrivals[i] as number) - (arrivals[i - max] as number)).toBeGreaterThanOrEqual(windowMs);
    expect(arrivals.length).toBeGreaterThan(11 * max); // and it does not starve: ~12 windows' worth
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
