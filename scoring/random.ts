/**
 * Seeded randomness for splits and folds. The scoring core has no global randomness: the same seed
 * always gives the same split, so "seed 42" means the same rows in the CLI, the tests and the bench.
 */

/** mulberry32: a small, fast 32-bit generator; plenty for shuffling, not for cryptography. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

export interface Split {
  train: number[];
  test: number[];
}

/**
 * Stratified split: each class keeps its share in both parts (rounded per class), so a 38% positive
 * rate stays 38% in train and test. Indices are returned in ascending order.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction: number, seed: number): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError('testFraction must be in (0, 1)');
  const random = seededRandom(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [0, 1]) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === cls) members.push(i);
    const order = shuffled(members, random);
    const nTest = Math.round(order.length * testFraction);
    test.push(...order.slice(0, nTest));
    train.push(...order.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/** Stratified k folds: fold[i] is the list of indices held out in round i. */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): number[][] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError('k must be an integer >= 2');
  const random = seededRandom(seed);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const cls of [0, 1]) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === cls) members.push(i);
    for (const index of shuffled(members, random)) {
      (folds[next % k] as number[]).push(index);
      next++;
    }
  }
  return folds.map((fold) => fold.sort((a, b) => a - b));
}
