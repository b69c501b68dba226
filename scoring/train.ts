import { MODEL_FORMAT, type ModelArtifact, type TrainingConfig } from './artifact.ts';
import { chooseCalibration, fitIsotonic, fitPlatt, type Calibration } from './calibration.ts';
import type { FeatureSpec } from './feature-spec.ts';
import { featurize, fitFeatureSpec } from './featurize.ts';
import { fitLogistic, sigmoid, type LogisticFit } from './logistic.ts';
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

interface Fold {
  trainX: SparseMatrix;
  trainY: number[];
  testX: SparseMatrix;
  test: readonly number[];
}

function splitFolds(x: SparseMatrix, y: Float64Array, folds: readonly number[][]): Fold[] {
  return folds.map((test) => {
    const inFold = new Uint8Array(x.rows);
    for (const i of test) inFold[i] = 1;
    const trainRows: number[] = [];
    for (let i = 0; i < x.rows; i++) if (inFold[i] === 0) trainRows.push(i);
    return {
      trainX: selectRows(x, trainRows),
      trainY: trainRows.map((i) => y[i] as number),
      testX: selectRows(x, test),
      test,
    };
  });
}

/**
 * Out-of-fold logits at one λ: each lead scored by a model fitted without its fold. Each fold's
 * fit warm-starts from the same fold's fit at the previous (stronger) λ, so after the first λ
 * Newton needs only a step or two.
 */
function outOfFoldLogits(
  folds: readonly Fold[],
  rows: number,
  l2: number,
  chains: (LogisticFit | undefined)[],
): Float64Array {
  const logits = new Float64Array(rows);
  folds.forEach((fold, k) => {
    const start = chains[k];
    const fit = fitLogistic(fold.trainX, fold.trainY, {
      l2,
      ...(start ? { initialWeights: start.weights, initialIntercept: start.intercept } : {}),
      // Fold models only rank λ and feed calibration: 1e-6 log-loss units per row is far below
      // the differences that decide either, and saves the last, purely confirming Newton step.
      tolerance: 1e-6 * fold.trainY.length,
      stepTolerance: 0.05,
    });
    chains[k] = fit;
    const z = linearPredictor(fold.testX, fit.weights, fit.intercept);
    fold.test.forEach((i, r) => (logits[i] = z[r] as number));
  });
  return logits;
}

/** The average of the fold models: a close start for the final all-rows fit. */
function averageFit(fits: readonly LogisticFit[]): { weights: Float64Array; intercept: number } {
  const weights = new Float64Array((fits[0] as LogisticFit).weights.length);
  let intercept = 0;
  for (const fit of fits) {
    for (let j = 0; j < weights.length; j++)
      weights[j] = (weights[j] as number) + (fit.weights[j] as number) / fits.length;
    intercept += fit.intercept / fits.length;
  }
  return { weights, intercept };
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

  // Choose λ by cross-validated log loss, strongest penalty first (each warm-starts the next).
  const folds = splitFolds(x, y, stratifiedFolds(y, config.folds, config.seed));
  const chains: (LogisticFit | undefined)[] = folds.map(() => undefined);
  const crossValidatedLogLoss: Record<string, number> = {};
  let best: { l2: number; loss: number; logits: Float64Array; fits: LogisticFit[] } | undefined;
  for (const l2 of [...config.l2Grid].sort((a, b) => b - a)) {
    const logits = outOfFoldLogits(folds, x.rows, l2, chains);
    const loss = logLoss(y, Array.from(logits, sigmoid));
    crossValidatedLogLoss[String(l2)] = loss;
    if (best === undefined || loss < best.loss)
      best = { l2, loss, logits, fits: chains.slice() as LogisticFit[] };
    progress('cross-validation', `l2=${l2} log loss ${loss.toFixed(4)}`);
  }
  if (best === undefined) throw new RangeError('l2Grid must not be empty');
  const bestL2 = best.l2;
  const oofLogits = best.logits;

  // Calibrate on out-of-fold logits; judge Platt vs isotonic on folds of those logits. The held-out
  // calibrated predictions of that judgement are the cross-validated metrics: no lead is scored by
  // a model or a calibration map that saw it.
  const calibrationFolds = stratifiedFolds(y, config.folds, config.seed + 1);
  const choice = chooseCalibration(oofLogits, y, calibrationFolds);
  let calibration: Calibration = choice.calibration;
  if (config.calibration === 'platt') calibration = fitPlatt(oofLogits, y);
  if (config.calibration === 'isotonic') calibration = fitIsotonic(oofLogits, y);
  progress(
    'calibration',
    `${calibration.method} (platt ${choice.logLoss.platt.toFixed(4)}, isotonic ${choice.logLoss.isotonic.toFixed(4)})`,
  );
  const crossValidated = evaluate(
    y,
    calibration.method === 'isotonic' ? choice.heldOut.isotonic : choice.heldOut.platt,
  );

  const start = averageFit(best.fits);
  const final = fitLogistic(x, y, {
    l2: bestL2,
    initialWeights: start.weights,
    initialIntercept: start.intercept,
  });
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
