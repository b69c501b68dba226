/**
 * Classification metrics for probabilistic scores. All take parallel arrays of labels (0/1) and
 * predicted probabilities; none mutate their inputs.
 */

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

export interface Metrics {
  auc: number;
  pr_auc: number;
  log_loss: number;
  brier: number;
  ece: number;
  lift_top_decile: number;
  n: number;
  positives: number;
}

const EPS = 1e-15;

function checkInputs(labels: ArrayLike<number>, probs: ArrayLike<number>): void {
  if (labels.length !== probs.length) throw new RangeError('labels and probabilities differ in length');
  if (labels.length === 0) throw new RangeError('no rows to evaluate');
}

/** Indices sorted by descending probability (stable on ties). */
function byDescendingProbability(probs: ArrayLike<number>): number[] {
  const order = Array.from({ length: probs.length }, (_, i) => i);
  return order.sort((a, b) => (probs[b] as number) - (probs[a] as number) || a - b);
}

/** ROC AUC via the rank-sum (Mann–Whitney) statistic; tied scores share their average rank. */
export function rocAuc(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkInputs(labels, probs);
  const order = Array.from({ length: probs.length }, (_, i) => i).sort(
    (a, b) => (probs[a] as number) - (probs[b] as number),
  );
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && probs[order[j + 1] as number] === probs[order[i] as number]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Average precision (the step-wise area under the precision–recall curve, as scikit-learn computes it). */
export function prAuc(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkInputs(labels, probs);
  const order = byDescendingProbability(probs);
  let totalPositives = 0;
  for (let i = 0; i < labels.length; i++) totalPositives += labels[i] === 1 ? 1 : 0;
  if (totalPositives === 0) return Number.NaN;
  let truePositives = 0;
  let seen = 0;
  let previousRecall = 0;
  let area = 0;
  let i = 0;
  while (i < order.length) {
    // Treat a run of tied scores as one threshold.
    let j = i;
    while (j + 1 < order.length && probs[order[j + 1] as number] === probs[order[i] as number]) j++;
    for (let k = i; k <= j; k++) truePositives += labels[order[k] as number] === 1 ? 1 : 0;
    seen = j + 1;
    const recall = truePositives / totalPositives;
    area += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
    i = j + 1;
  }
  return area;
}

export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkInputs(labels, probs);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, probs[i] as number));
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / labels.length;
}

export function brierScore(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkInputs(labels, probs);
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += ((probs[i] as number) - (labels[i] as number)) ** 2;
  return total / labels.length;
}

/** Reliability table over `bins` equal-width probability bins; empty bins are left out. */
export function reliabilityTable(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  bins = 10,
): ReliabilityBin[] {
  checkInputs(labels, probs);
  const count = new Array<number>(bins).fill(0);
  const sumPredicted = new Array<number>(bins).fill(0);
  const sumObserved = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const p = probs[i] as number;
    const bin = Math.min(bins - 1, Math.floor(p * bins));
    count[bin] = (count[bin] as number) + 1;
    sumPredicted[bin] = (sumPredicted[bin] as number) + p;
    sumObserved[bin] = (sumObserved[bin] as number) + (labels[i] as number);
  }
  const table: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b] as number;
    if (n === 0) continue;
    table.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      count: n,
      meanPredicted: (sumPredicted[b] as number) / n,
      observedRate: (sumObserved[b] as number) / n,
    });
  }
  return table;
}

/** Expected calibration error: the count-weighted mean |observed − predicted| over equal-width bins. */
export function expectedCalibrationError(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  bins = 10,
): number {
  const table = reliabilityTable(labels, probs, bins);
  let total = 0;
  for (const bin of table) total += bin.count * Math.abs(bin.observedRate - bin.meanPredicted);
  return total / labels.length;
}

/** Conversion rate among the top 10% by score, divided by the overall rate. */
export function liftTopDecile(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkInputs(labels, probs);
  const order = byDescendingProbability(probs);
  const top = Math.max(1, Math.ceil(order.length / 10));
  let topPositives = 0;
  let allPositives = 0;
  for (let k = 0; k < order.length; k++) {
    const y = labels[order[k] as number] as number;
    allPositives += y;
    if (k < top) topPositives += y;
  }
  if (allPositives === 0) return Number.NaN;
  return topPositives / top / (allPositives / order.length);
}

export function evaluate(labels: ArrayLike<number>, probs: ArrayLike<number>): Metrics {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] as number;
  return {
    auc: rocAuc(labels, probs),
    pr_auc: prAuc(labels, probs),
    log_loss: logLoss(labels, probs),
    brier: brierScore(labels, probs),
    ece: expectedCalibrationError(labels, probs),
    lift_top_decile: liftTopDecile(labels, probs),
    n: labels.length,
    positives,
  };
}
