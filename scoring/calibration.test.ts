import { describe, expect, it } from 'vitest';
import { applyCalibration, chooseCalibration, fitIsotonic, fitPlatt } from './calibration.ts';
import { sigmoid } from './logistic.ts';
import { seededRandom, stratifiedFolds } from './random.ts';

describe('fitIsotonic', () => {
  it('pools adjacent violators into non-decreasing blocks', () => {
    // Labels by ascending logit 1,0,0,1,1: the first three pool to 1/3 (centre 2); the last two
    // tie at 1 and pool (centre 4.5), shown as 0.999 because outputs stay off 1.
    const cal = fitIsotonic([1, 2, 3, 4, 5], [1, 0, 0, 1, 1]);
    expect(cal).toEqual({ method: 'isotonic', logits: [2, 4.5], probabilities: [1 / 3, 0.999] });
  });

  it('is monotone and interpolates between block centres', () => {
    const cal = fitIsotonic([0, 1, 2, 3], [0, 0, 1, 1]);
    const p = [-1, 0.5, 1.5, 2.5, 9].map((z) => applyCalibration(cal, z));
    for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThanOrEqual(p[i - 1] as number);
    expect(applyCalibration(cal, 1.5)).toBeCloseTo(0.5, 12);
  });

  it('keeps outputs off 0 and 1', () => {
    const cal = fitIsotonic([0, 1], [0, 1]);
    expect(applyCalibration(cal, -5)).toBe(0.001);
    expect(applyCalibration(cal, 5)).toBe(0.999);
  });
});

function overconfident(n: number, seed: number): { logits: number[]; labels: number[] } {
  // The true log-odds are half the reported logit: a model that is twice too sure.
  const random = seededRandom(seed);
  const logits: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = (random() * 2 - 1) * 6;
    logits.push(z);
    labels.push(random() < sigmoid(z / 2) ? 1 : 0);
  }
  return { logits, labels };
}

describe('fitPlatt', () => {
  it('recovers the slope of an overconfident model', () => {
    const { logits, labels } = overconfident(20_000, 3);
    const cal = fitPlatt(logits, labels);
    if (cal.method !== 'platt') throw new Error('expected platt');
    expect(cal.slope).toBeCloseTo(0.5, 1);
    expect(cal.offset).toBeCloseTo(0, 1);
  });
});

describe('chooseCalibration', () => {
  it('prefers Platt when the distortion is a sigmoid', () => {
    const { logits, labels } = overconfident(5_000, 4);
    const choice = chooseCalibration(logits, labels, stratifiedFolds(labels, 5, 1));
    expect(choice.calibration.method).toBe('platt');
  });

  it('prefers isotonic when the true curve is a step Platt cannot bend to', () => {
    const random = seededRandom(5);
    const logits: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const z = random() * 8 - 4;
      logits.push(z);
      labels.push(random() < (z > 1 ? 0.9 : z > -1 ? 0.5 : 0.1) * (z > 3 ? 0.3 : 1) ? 1 : 0);
    }
    const choice = chooseCalibration(logits, labels, stratifiedFolds(labels, 5, 1));
    expect(choice.calibration.method).toBe('isotonic');
    expect(choice.logLoss.isotonic).toBeLessThan(choice.logLoss.platt);
  });
});
