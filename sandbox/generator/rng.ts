import { seededRandom } from '../../scoring/index.ts';

/** Draws on top of the scoring core's seeded generator: one seed, one stream, same output every run. */
export interface Rng {
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  chance(p: number): boolean;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Poisson count for a small or moderate mean (Knuth's method; means here stay below ~20). */
  poisson(mean: number): number;
}

export function createRng(seed: number): Rng {
  const random = seededRandom(seed);
  const rng: Rng = {
    next: random,
    int: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(random() * items.length)] as T;
    },
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let r = random() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      const last = items[items.length - 1];
      if (last === undefined) throw new RangeError('weighted pick from an empty list');
      return last[0];
    },
    chance: (p) => random() < p,
    exponential: (mean) => -Math.log(1 - random()) * mean,
    normal: () => {
      const u = 1 - random();
      const v = random();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    poisson: (mean) => {
      if (mean <= 0) return 0;
      const limit = Math.exp(-mean);
      let k = 0;
      let p = random();
      while (p > limit) {
        k++;
        p *= random();
      }
      return k;
    },
  };
  return rng;
}
