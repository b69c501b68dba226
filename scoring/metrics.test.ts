import { describe, expect, it } from 'vitest';
import {
  brierScore,
  evaluate,
  expectedCalibrationError,
  liftTopDecile,
  logLoss,
  prAuc,
  reliabilityTable,
  rocAuc,
} from './metrics.ts';

// Reference values from scikit-learn 1.2.1 (roc_auc_score, average_precision_score, log_loss, brier_score_loss).
describe('rocAuc', () => {
  it.each([
    { y: [0, 0, 1, 1], p: [0.1, 0.4, 0.35, 0.8], auc: 0.75 },
    { y: [0, 1, 0, 1], p: [0.2, 0.2, 0.2, 0.9], auc: 0.75 }, // a tie between classes counts half
    { y: [1, 1, 0, 0], p: [0.9, 0.8, 0.2, 0.1], auc: 1 },
    { y: [1, 1, 0, 0], p: [0.1, 0.2, 0.8, 0.9], auc: 0 },
  ])('is $auc for $p', ({ y, p, auc }) => {
    expect(rocAuc(y, p)).toBeCloseTo(auc, 12);
  });

  it('is NaN when only one class is present', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });
});

describe('prAuc', () => {
  it.each([
    { y: [0, 0, 1, 1], p: [0.1, 0.4, 0.35, 0.8], ap: 0.8333333333333333 },
    { y: [1, 0, 1, 0, 1], p: [0.9, 0.8, 0.7, 0.6, 0.5], ap: 0.7555555555555555 },
  ])('matches average precision for $p', ({ y, p, ap }) => {
    expect(prAuc(y, p)).toBeCloseTo(ap, 12);
  });
});

describe('probability losses', () => {
  const y = [0, 0, 1, 1];
  const p = [0.1, 0.4, 0.35, 0.8];
  it('computes log loss', () => {
    expect(logLoss(y, p)).toBeCloseTo(0.47228795380917615, 12);
  });
  it('computes the Brier score', () => {
    expect(brierScore(y, p)).toBeCloseTo(0.158125, 12);
  });
  it('keeps log loss finite for a confident wrong prediction', () => {
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });
});

describe('calibration metrics', () => {
  it('puts probabilities in equal-width bins and reports observed rates', () => {
    const table = reliabilityTable([0, 1, 1, 0], [0.05, 0.15, 0.95, 1], 10);
    expect(table).toEqual([
      { lower: 0, upper: 0.1, count: 1, meanPredicted: 0.05, observedRate: 0 },
      { lower: 0.1, upper: 0.2, count: 1, meanPredicted: 0.15, observedRate: 1 },
      { lower: 0.9, upper: 1, count: 2, meanPredicted: 0.975, observedRate: 0.5 },
    ]);
  });

  it('weights each bin’s gap by its share of rows', () => {
    // Bins: [0.05]→|0−0.05|, [0.15]→|1−0.15|, [0.95,1]→|0.5−0.975|.
    const expected = (0.05 + 0.85 + 2 * 0.475) / 4;
    expect(expectedCalibrationError([0, 1, 1, 0], [0.05, 0.15, 0.95, 1])).toBeCloseTo(expected, 12);
  });

  it('counts only the gap between predicted and observed in each bin', () => {
    expect(expectedCalibrationError([0, 1, 0, 0, 1, 1], [0.5, 0.5, 0.05, 0.05, 0.95, 0.95])).toBeCloseTo(
      0.2 / 6,
      12,
    );
  });
});

describe('liftTopDecile', () => {
  it('compares the top 10% rate with the overall rate', () => {
    // 20 rows, 5 positives; the top 2 by score are both positive: 1.0 / 0.25 = 4.
    const y = [1, 1, ...Array<number>(15).fill(0), 1, 1, 1];
    const p = y.map((_, i) => (i < 2 ? 0.9 : 0.5 - i / 100));
    expect(liftTopDecile(y, p)).toBeCloseTo(4, 12);
  });
});

describe('evaluate', () => {
  it('reports every metric with counts', () => {
    const m = evaluate([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(m).toMatchObject({ n: 4, positives: 2, auc: 0.75 });
  });

  it('refuses arrays of different lengths', () => {
    expect(() => evaluate([0, 1], [0.5])).toThrow(/differ in length/);
  });
});
