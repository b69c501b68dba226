import { describe, expect, it } from 'vitest';
import { fitLogistic, gradientMaxAt, sigmoid } from './logistic.ts';
import { seededRandom } from './random.ts';
import { SparseBuilder, type SparseMatrix } from './sparse.ts';

function dense(rows: number[][]): SparseMatrix {
  const builder = new SparseBuilder(rows[0]?.length ?? 0);
  for (const row of rows) {
    row.forEach((v, j) => {
      builder.push(j, v);
    });
    builder.endRow();
  }
  return builder.build();
}

// A fixed 12×3 problem; references from scikit-learn 1.2.1:
// LogisticRegression(C=C, solver='newton-cg', tol=1e-14).fit(X, y) — its objective is ours with λ = 1/C.
// (The default lbfgs solver stops ~1e-6 short of the optimum on this problem, so it is no reference.)
const X = [
  [0.5, -1.2, 1],
  [1.5, 0.3, 0],
  [-0.7, 2.1, 1],
  [0.0, 0.0, 0],
  [2.2, -0.4, 1],
  [-1.3, -1.1, 0],
  [0.9, 1.7, 1],
  [-0.2, 0.8, 0],
  [1.1, -2.0, 1],
  [-1.8, 0.5, 0],
  [0.3, 0.1, 1],
  [-0.6, -0.9, 1],
];
const Y = [1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0];
const SKLEARN = [
  {
    C: 1,
    coef: [1.4998498994652378, -0.2139523373165152, 0.5739027243832905],
    intercept: -0.5816751288354101,
  },
  {
    C: 0.25,
    coef: [0.7359521210632245, -0.14067405005655909, 0.23103220609174274],
    intercept: -0.2520079241534773,
  },
];

describe('fitLogistic', () => {
  it.each(SKLEARN)('matches scikit-learn when C = $C', ({ C, coef, intercept }) => {
    const fit = fitLogistic(dense(X), Y, { l2: 1 / C });
    expect(fit.converged).toBe(true);
    fit.weights.forEach((w, j) => {
      expect(w).toBeCloseTo(coef[j] as number, 6);
    });
    expect(fit.intercept).toBeCloseTo(intercept, 6);
  });

  it('recovers each group’s log-odds when one binary feature splits the data and λ is tiny', () => {
    // Group 0: 3 of 10 convert; group 1: 8 of 10 convert.
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 10; i++) {
      rows.push([0]);
      labels.push(i < 3 ? 1 : 0);
      rows.push([1]);
      labels.push(i < 8 ? 1 : 0);
    }
    const fit = fitLogistic(dense(rows), labels, { l2: 1e-9 });
    expect(fit.intercept).toBeCloseTo(Math.log(3 / 7), 5);
    expect((fit.weights[0] as number) + fit.intercept).toBeCloseTo(Math.log(8 / 2), 5);
  });

  it('reaches a zero gradient on random sparse data', () => {
    const random = seededRandom(7);
    const builder = new SparseBuilder(30);
    const labels: number[] = [];
    for (let r = 0; r < 500; r++) {
      let z = -0.5;
      for (let j = 0; j < 30; j++) {
        if (random() < 0.2) {
          const v = random() * 2 - 1;
          builder.push(j, v);
          z += (j % 3 === 0 ? 1.5 : -0.5) * v;
        }
      }
      builder.endRow();
      labels.push(random() < sigmoid(z) ? 1 : 0);
    }
    const x = builder.build();
    const fit = fitLogistic(x, labels, { l2: 0.5 });
    expect(fit.converged).toBe(true);
    expect(gradientMaxAt(x, labels, fit.weights, fit.intercept, 0.5)).toBeLessThan(1e-6);
  });

  it('gives the same solution from a warm start', () => {
    const cold = fitLogistic(dense(X), Y, { l2: 1 });
    const warm = fitLogistic(dense(X), Y, { l2: 1, initialWeights: [5, 5, 5], initialIntercept: 3 });
    warm.weights.forEach((w, j) => {
      expect(w).toBeCloseTo(cold.weights[j] as number, 7);
    });
  });

  it('stops early on a small full step, still close to the optimum, when a step tolerance is set', () => {
    const exact = fitLogistic(dense(X), Y, { l2: 1 });
    const early = fitLogistic(dense(X), Y, { l2: 1, stepTolerance: 0.05 });
    expect(early.iterations).toBeLessThan(exact.iterations);
    early.weights.forEach((w, j) => {
      expect(Math.abs(w - (exact.weights[j] as number))).toBeLessThan(1e-3);
    });
  });

  it('refuses labels of a single class', () => {
    expect(() =>
      fitLogistic(
        dense(X),
        X.map(() => 1),
        { l2: 1 },
      ),
    ).toThrow(/both classes/);
  });

  it('refuses a non-positive L2 strength', () => {
    expect(() => fitLogistic(dense(X), Y, { l2: 0 })).toThrow(/l2 must be > 0/);
  });

  it('refuses labels that do not match the rows', () => {
    expect(() => fitLogistic(dense(X), Y.slice(1), { l2: 1 })).toThrow(/differ in length/);
  });
});

describe('SparseBuilder', () => {
  it('refuses columns out of order within a row, which the solver relies on', () => {
    const builder = new SparseBuilder(3);
    builder.push(2, 1);
    expect(() => {
      builder.push(1, 1);
    }).toThrow(/ascend/);
  });
});
