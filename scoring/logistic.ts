import { choleskySolve } from './linalg.ts';
import type { SparseMatrix } from './sparse.ts';

/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) with a backtracking line
 * search. It minimises  Σᵢ wᵢ·logloss(yᵢ, σ(b + xᵢ·β)) + (λ/2)·‖β‖²  with the intercept b unpenalised,
 * which is scikit-learn's LogisticRegression(C = 1/λ) objective. Newton converges in a handful of
 * iterations on lead data (tens to a few hundred columns), and the Hessian is built from each row's
 * non-zeros only, so a fit costs O(rows · nnz_per_row²) per iteration.
 */
export interface LogisticOptions {
  /** λ, the L2 strength on the (non-intercept) weights. Must be > 0. */
  l2: number;
  maxIterations?: number;
  /** Stop when the Newton decrement ½·gᵀH⁻¹g falls below this (in units of the objective). */
  tolerance?: number;
  /**
   * Also stop right after a full Newton step that moved no parameter by more than this: Newton
   * converges quadratically, so the next step would be far smaller still. Saves the Hessian that
   * would only confirm convergence; for fits whose exact optimum does not matter (cross-validation).
   * Default 0: off.
   */
  stepTolerance?: number;
  /** Start from these weights/intercept (warm start); defaults to zeros and the base-rate logit. */
  initialWeights?: ArrayLike<number>;
  initialIntercept?: number;
}

export interface LogisticFit {
  weights: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  objective: number;
  /** max |∂objective/∂θ| at the solution: ~0 at the optimum. */
  gradientMax: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function objective(
  x: SparseMatrix,
  y: ArrayLike<number>,
  beta: Float64Array,
  intercept: number,
  l2: number,
  z: Float64Array,
): number {
  let loss = 0;
  for (let r = 0; r < x.rows; r++) {
    let zr = intercept;
    for (let k = x.indptr[r] as number; k < (x.indptr[r + 1] as number); k++) {
      zr += (x.values[k] as number) * (beta[x.indices[k] as number] as number);
    }
    z[r] = zr;
    // logloss = softplus(z) − y·z
    loss += softplus(zr) - (y[r] as number) * zr;
  }
  let penalty = 0;
  for (let j = 0; j < beta.length; j++) penalty += (beta[j] as number) ** 2;
  return loss + 0.5 * l2 * penalty;
}

export function fitLogistic(x: SparseMatrix, y: ArrayLike<number>, options: LogisticOptions): LogisticFit {
  const { l2 } = options;
  if (!(l2 > 0)) throw new RangeError('l2 must be > 0');
  if (y.length !== x.rows) throw new RangeError('labels and rows differ in length');
  if (x.rows === 0) throw new RangeError('no training rows');
  const maxIterations = options.maxIterations ?? 50;
  // Newton converges quadratically: once the decrement is this small the weights are exact to ~1e-9.
  const tolerance = options.tolerance ?? 1e-14;
  const stepTolerance = options.stepTolerance ?? 0;
  const p = x.cols;
  const n = p + 1; // last parameter is the intercept
  let positives = 0;
  for (let r = 0; r < y.length; r++) positives += y[r] as number;
  if (positives === 0 || positives === y.length) throw new RangeError('labels must contain both classes');

  let beta = options.initialWeights ? Float64Array.from(options.initialWeights) : new Float64Array(p);
  let intercept = options.initialIntercept ?? Math.log(positives / (y.length - positives));
  const z = new Float64Array(x.rows);
  let current = objective(x, y, beta, intercept, l2, z);
  const hessian = new Float64Array(n * n);
  const gradient = new Float64Array(n);
  let iterations = 0;
  let converged = false;

  const { indptr, indices, values } = x;
  for (; iterations < maxIterations; iterations++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let r = 0; r < x.rows; r++) {
      const prob = sigmoid(z[r] as number);
      const residual = prob - (y[r] as number);
      const curvature = prob * (1 - prob);
      const start = indptr[r] as number;
      const end = indptr[r + 1] as number;
      for (let a = start; a < end; a++) {
        const ia = indices[a] as number;
        const va = values[a] as number;
        gradient[ia] = (gradient[ia] as number) + residual * va;
        const cva = curvature * va;
        const rowOffset = ia * n;
        // Upper triangle only: a row's column indices ascend (see SparseMatrix), so b ≥ a means
        // ib ≥ ia; the lower triangle is mirrored after the pass.
        for (let b = a; b < end; b++) {
          const cell = rowOffset + (indices[b] as number);
          hessian[cell] = (hessian[cell] as number) + cva * (values[b] as number);
        }
        hessian[rowOffset + p] = (hessian[rowOffset + p] as number) + cva;
      }
      gradient[p] = (gradient[p] as number) + residual;
      hessian[p * n + p] = (hessian[p * n + p] as number) + curvature;
    }
    for (let j = 0; j < p; j++) {
      gradient[j] = (gradient[j] as number) + l2 * (beta[j] as number);
      hessian[j * n + j] = (hessian[j * n + j] as number) + l2;
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) hessian[j * n + i] = hessian[i * n + j] as number;
    }

    let step = choleskySolve(hessian, gradient, n);
    // The intercept's diagonal can be tiny when predictions saturate; a touch of ridge restores it.
    for (let jitter = 1e-10; step === null && jitter < 1; jitter *= 100) {
      for (let i = 0; i < n; i++) hessian[i * n + i] = (hessian[i * n + i] as number) + jitter;
      step = choleskySolve(hessian, gradient, n);
    }
    if (step === null) break;

    let decrement = 0;
    for (let i = 0; i < n; i++) decrement += (gradient[i] as number) * (step[i] as number);
    if (decrement / 2 < tolerance) {
      converged = true;
      break;
    }

    // Backtracking (Armijo) line search: full Newton steps are almost always accepted.
    let t = 1;
    let accepted = false;
    const trialBeta = new Float64Array(p);
    for (let halvings = 0; halvings < 30; halvings++) {
      for (let j = 0; j < p; j++) trialBeta[j] = (beta[j] as number) - t * (step[j] as number);
      const trialIntercept = intercept - t * (step[p] as number);
      const trial = objective(x, y, trialBeta, trialIntercept, l2, z);
      if (trial <= current - 1e-4 * t * decrement) {
        beta = trialBeta;
        intercept = trialIntercept;
        current = trial;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) {
      // No descent possible at machine precision: we are at the optimum.
      objective(x, y, beta, intercept, l2, z);
      converged = true;
      break;
    }
    if (t === 1 && stepTolerance > 0) {
      let largest = 0;
      for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(step[i] as number));
      if (largest < stepTolerance) {
        iterations++;
        converged = true;
        break;
      }
    }
  }

  return {
    weights: beta,
    intercept,
    iterations,
    converged,
    objective: current,
    gradientMax: gradientMaxAt(x, y, beta, intercept, l2),
  };
}

/** max |∇objective| at (β, b): the optimality check used by tests and reported with a fit. */
export function gradientMaxAt(
  x: SparseMatrix,
  y: ArrayLike<number>,
  beta: ArrayLike<number>,
  intercept: number,
  l2: number,
): number {
  const gradient = new Float64Array(x.cols + 1);
  for (let r = 0; r < x.rows; r++) {
    let zr = intercept;
    for (let k = x.indptr[r] as number; k < (x.indptr[r + 1] as number); k++) {
      zr += (x.values[k] as number) * (beta[x.indices[k] as number] as number);
    }
    const residual = sigmoid(zr) - (y[r] as number);
    for (let k = x.indptr[r] as number; k < (x.indptr[r + 1] as number); k++) {
      const c = x.indices[k] as number;
      gradient[c] = (gradient[c] as number) + residual * (x.values[k] as number);
    }
    gradient[x.cols] = (gradient[x.cols] as number) + residual;
  }
  let max = 0;
  for (let j = 0; j <= x.cols; j++) {
    const g = (gradient[j] as number) + (j < x.cols ? l2 * (beta[j] as number) : 0);
    max = Math.max(max, Math.abs(g));
  }
  return max;
}
