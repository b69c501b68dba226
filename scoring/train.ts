import { MODEL_FORMAT, type ModelArtifact, type TrainingConfig } from './artifact.ts';
import {
  applyCalibration,
  chooseCalibration,
  fitIsotonic,
  fitPlatt,
  type Calibration,
} from './calibration.ts';
import type { FeatureSpec } from './feature-spec.ts';
import { featurize, fitFeatureSpec } from './featurize.ts';
import { fitLogistic, type LogisticFit } from './logistic.ts';
import { evaluate, logLoss } from './metrics.ts';
import { stratifiedFolds } from './random.ts';
import { Scorer } from './scorer.ts';
import { columnMeans, linearPredictor, selectRows, type SparseMatrix } from './sparse.ts';
import type { LeadInput } from './types.ts';

/**
 * Training: learn the feature transforms, pick the L2 strength by k-fold cross-validated log loss,
 * calibrate on the out-of-fold logits (so calibration never sees a lead the model was fitted on),
 * then refit on all training leads. Pure: the caller passes the version, time and data hash in.
 */

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  l2Grid: [1, 3, 10, 30],
  folds: 5,
  seed: 42,
  calibration: 'auto',
};

export interface TrainingContext {
  version: string;
  /** ISO time the model is created (the core has no clock). */
  createdAt: string;
  /** Hash of the training data, computed by the caller from the bytes it read. */
  dataHash: string;
  label: string;
  window?: { from: string; to: string };
}

export interface TrainingProgress {
  (stage: string, detail: string): void;
}

/**
 * Out-of-fold logits: each lead scored by a model fitted without its fold. Each fold's fit starts
 * from the all-rows fit at the same λ, which is close, so Newton needs only a step or two more.
 */
function outOfFoldLogits(
  x: SparseMatrix,
  y: Float64Array,
  folds: readonly number[][],
  l2: number,
  start: LogisticFit,
): Float64Array {
  const logits = new Float64Array(x.rows);
  for (const fold of folds) {
    const inFold = new Uint8Array(x.rows);
    for (const i of fold) inFold[i] = 1;
    const trainRows: number[] = [];
    for (let i = 0; i < x.rows; i++) if (inFold[i] === 0) trainRows.push(i);
    const fit = fitLogistic(
      selectRows(x, trainRows),
      trainRows.map((i) => y[i] as number),
      {
        l2,
        initialWeights: start.weights,
        initialIntercept: start.intercept,
        // Fold models only rank λ and feed calibration: 1e-6 log-loss units per row is far below
        // the differences that decide either, and saves the last, purely confirming Newton step.
        tolerance: 1e-6 * trainRows.length,
      },
    );
    const z = linearPredictor(selectRows(x, fold), fit.weights, fit.intercept);
    fold.forEach((i, r) => (logits[i] = z[r] as number));
  }
  return logits;
}

export function trainModel(
  leads: readonly LeadInput[],
  labels: ArrayLike<number>,
  spec: FeatureSpec,
  context: TrainingContext,
  config: TrainingConfig = DEFAULT_TRAINING_CONFIG,
  progress: TrainingProgress = () => undefined,
): ModelArtifact {
  if (leads.length !== labels.length) throw new RangeError('leads and labels differ in length');
  const y = Float64Array.from(labels);
  let positives = 0;
  for (const v of y) {
    if (v !== 0 && v !== 1) throw new RangeError('labels must be 0 or 1');
    positives += v;
  }
  if (positives < config.folds || y.length - positives < config.folds) {
    throw new RangeError(
      `need at least ${config.folds} leads of each class to train (got ${positives} converted, ${y.length - positives} not)`,
    );
  }

  const fitted = fitFeatureSpec(spec, leads);
  const x = featurize(fitted, leads);
  progress(
    'features',
    `${fitted.fields.length} fields, ${fitted.columns} columns, ${fitted.dropped.length} dropped`,
  );

  // Choose λ by cross-validated log loss; warm starts make each later λ a couple of Newton steps.
  const folds = stratifiedFolds(y, config.folds, config.seed);
  const crossValidatedLogLoss: Record<string, number> = {};
  let previous: LogisticFit | undefined;
  let best: { l2: number; loss: number; fit: LogisticFit; logits: Float64Array } | undefined;
  // Strongest penalty first: each all-rows fit warm-starts the next, weaker one.
  for (const l2 of [...config.l2Grid].sort((a, b) => b - a)) {
    const full: LogisticFit = fitLogistic(x, y, {
      l2,
      ...(previous ? { initialWeights: previous.weights, initialIntercept: previous.intercept } : {}),
    });
    previous = full;
    const logits = outOfFoldLogits(x, y, folds, l2, full);
    const loss = logLoss(
      y,
      Array.from(logits, (z) => 1 / (1 + Math.exp(-z))),
    );
    crossValidatedLogLoss[String(l2)] = loss;
    if (best === undefined || loss < best.loss) best = { l2, loss, fit: full, logits };
    progress('cross-validation', `l2=${l2} log loss ${loss.toFixed(4)}`);
  }
  if (best === undefined) throw new RangeError('l2Grid must not be empty');
  const bestL2 = best.l2;
  const final = best.fit;
  const oofLogits = best.logits;

  // Calibrate on out-of-fold logits; judge Platt vs isotonic on folds of those logits.
  const calibrationFolds = stratifiedFolds(y, config.folds, config.seed + 1);
  const choice = chooseCalibration(oofLogits, y, calibrationFolds);
  let calibration: Calibration = choice.calibration;
  if (config.calibration === 'platt') calibration = fitPlatt(oofLogits, y);
  if (config.calibration === 'isotonic') calibration = fitIsotonic(oofLogits, y);
  progress(
    'calibration',
    `${calibration.method} (platt ${choice.logLoss.platt.toFixed(4)}, isotonic ${choice.logLoss.isotonic.toFixed(4)})`,
  );

  // Cross-validated metrics use calibration maps that did not see the lead either.
  const crossValidated = evaluate(
    y,
    crossFittedCalibrated(oofLogits, y, calibrationFolds, calibration.method),
  );

  const means = columnMeans(x);
  const artifact: ModelArtifact = {
    format: MODEL_FORMAT,
    version: context.version,
    createdAt: context.createdAt,
    label: context.label,
    featureSpec: fitted,
    weights: Array.from(final.weights),
    intercept: final.intercept,
    columnMeans: Array.from(means),
    calibration,
    fieldImportance: fitted.fields.map(() => 0),
    training: {
      rows: leads.length,
      positives,
      dataHash: context.dataHash,
      config,
      l2: bestL2,
      iterations: final.iterations,
      converged: final.converged,
      crossValidatedLogLoss,
      calibrationLogLoss: choice.logLoss,
      ...(context.window ? { window: context.window } : {}),
    },
    metrics: { crossValidated },
  };
  artifact.fieldImportance = fieldImportance(artifact, leads);
  progress('fit', `l2=${bestL2}, ${final.iterations} Newton steps, converged=${final.converged}`);
  return artifact;
}

function crossFittedCalibrated(
  logits: Float64Array,
  y: Float64Array,
  folds: readonly number[][],
  method: Calibration['method'],
): Float64Array {
  const out = new Float64Array(logits.length);
  for (const fold of folds) {
    const inFold = new Uint8Array(logits.length);
    for (const i of fold) inFold[i] = 1;
    const trainX: number[] = [];
    const trainY: number[] = [];
    for (let i = 0; i < logits.length; i++) {
      if (inFold[i] === 1) continue;
      trainX.push(logits[i] as number);
      trainY.push(y[i] as number);
    }
    const map: Calibration =
      method === 'isotonic'
        ? fitIsotonic(trainX, trainY)
        : method === 'platt'
          ? fitPlatt(trainX, trainY)
          : { method: 'identity' };
    for (const i of fold) out[i] = applyCalibration(map, logits[i] as number);
  }
  return out;
}

/** Mean |contribution| per field over the training leads. */
function fieldImportance(artifact: ModelArtifact, leads: readonly LeadInput[]): number[] {
  const scorer = new Scorer(artifact);
  const totals = new Float64Array(artifact.featureSpec.fields.length);
  const contributions = new Float64Array(totals.length);
  for (const lead of leads) {
    scorer.contributionsInto(lead, contributions);
    for (let f = 0; f < totals.length; f++)
      totals[f] = (totals[f] as number) + Math.abs(contributions[f] as number);
  }
  return Array.from(totals, (t) => t / leads.length);
}
