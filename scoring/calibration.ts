import { logLoss } from './metrics.ts';
import { fitLogistic, sigmoid } from './logistic.ts';
import { SparseBuilder } from './sparse.ts';

/**
 * Maps a model's raw logit to a calibrated probability. Platt keeps the map a sigmoid of an affine
 * function of the logit, so per-feature contributions stay additive in calibrated log-odds;
 * isotonic is a monotone step map (interpolated between block centres) that can fix bends Platt can't.
 */
export type Calibration =
  | { method: 'platt'; slope: number; offset: number }
  | { method: 'isotonic'; logits: number[]; probabilities: number[] }
  | { method: 'identity' };

/** Isotonic outputs are kept off 0 and 1 so that a wrong extreme never costs infinite log loss. */
const ISOTONIC_FLOOR = 1e-3;

export function applyCalibration(calibration: Calibration, logit: number): number {
  switch (calibration.method) {
    case 'identity':
      return sigmoid(logit);
    case 'platt':
      return sigmoid(calibration.slope * logit + calibration.offset);
    case 'isotonic':
      return interpolate(calibration.logits, calibration.probabilities, logit);
  }
}

function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const last = xs.length - 1;
  if (x <= (xs[0] as number)) return ys[0] as number;
  if (x >= (xs[last] as number)) return ys[last] as number;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  const y1 = ys[hi] as number;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** Platt scaling: a 1-feature logistic regression of the label on the logit (near-zero L2). */
export function fitPlatt(logits: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  const builder = new SparseBuilder(1);
  for (let i = 0; i < logits.length; i++) {
    builder.push(0, logits[i] as number);
    builder.endRow();
  }
  const fit = fitLogistic(builder.build(), labels, { l2: 1e-6 });
  return { method: 'platt', slope: fit.weights[0] as number, offset: fit.intercept };
}

/** Isotonic regression by pool-adjacent-violators over logits sorted ascending (ties pooled first). */
export function fitIsotonic(logits: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  const order = Array.from({ length: logits.length }, (_, i) => i).sort(
    (a, b) => (logits[a] as number) - (logits[b] as number),
  );
  // Blocks: sum of labels, count, sum of logits.
  const sumY: number[] = [];
  const count: number[] = [];
  const sumX: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    const x = logits[i] as number;
    const y = labels[i] as number;
    const top = sumY.length - 1;
    if (top >= 0 && (sumX[top] as number) / (count[top] as number) === x) {
      sumY[top] = (sumY[top] as number) + y;
      count[top] = (count[top] as number) + 1;
      sumX[top] = (sumX[top] as number) + x;
    } else {
      sumY.push(y);
      count.push(1);
      sumX.push(x);
    }
    // Merge while the last block's mean is not above the previous one's.
    while (sumY.length > 1) {
      const b = sumY.length - 1;
      const a = b - 1;
      if ((sumY[a] as number) / (count[a] as number) < (sumY[b] as number) / (count[b] as number)) break;
      sumY[a] = (sumY[a] as number) + (sumY[b] as number);
      count[a] = (count[a] as number) + (count[b] as number);
      sumX[a] = (sumX[a] as number) + (sumX[b] as number);
      sumY.pop();
      count.pop();
      sumX.pop();
    }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let b = 0; b < sumY.length; b++) {
    xs.push((sumX[b] as number) / (count[b] as number));
    const mean = (sumY[b] as number) / (count[b] as number);
    ys.push(Math.min(1 - ISOTONIC_FLOOR, Math.max(ISOTONIC_FLOOR, mean)));
  }
  return { method: 'isotonic', logits: xs, probabilities: ys };
}

export interface CalibrationChoice {
  calibration: Calibration;
  /** Cross-validated log loss of each candidate on the held-out logits. */
  logLoss: { platt: number; isotonic: number };
  /** Each candidate's prediction for every lead, from a map fitted without that lead. */
  heldOut: { platt: Float64Array; isotonic: Float64Array };
}

/**
 * Chooses between Platt and isotonic on held-out (out-of-fold) logits by cross-validated log loss:
 * each candidate is fitted on k−1 parts and scored on the remaining part, so the flexible isotonic
 * map gets no credit for memorising the points it is judged on.
 */
export function chooseCalibration(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  folds: readonly (readonly number[])[],
): CalibrationChoice {
  const heldOutPlatt = new Float64Array(logits.length);
  const heldOutIsotonic = new Float64Array(logits.length);
  for (const fold of folds) {
    const inFold = new Uint8Array(logits.length);
    for (const i of fold) inFold[i] = 1;
    const trainX: number[] = [];
    const trainY: number[] = [];
    for (let i = 0; i < logits.length; i++) {
      if (inFold[i] === 1) continue;
      trainX.push(logits[i] as number);
      trainY.push(labels[i] as number);
    }
    const platt = fitPlatt(trainX, trainY);
    const isotonic = fitIsotonic(trainX, trainY);
    for (const i of fold) {
      heldOutPlatt[i] = applyCalibration(platt, logits[i] as number);
      heldOutIsotonic[i] = applyCalibration(isotonic, logits[i] as number);
    }
  }
  const scores = { platt: logLoss(labels, heldOutPlatt), isotonic: logLoss(labels, heldOutIsotonic) };
  const calibration = scores.isotonic < scores.platt ? fitIsotonic(logits, labels) : fitPlatt(logits, labels);
  return { calibration, logLoss: scores, heldOut: { platt: heldOutPlatt, isotonic: heldOutIsotonic } };
}
