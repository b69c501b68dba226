import type { ModelArtifact } from './artifact.ts';
import { applyCalibration } from './calibration.ts';
import { assessConfidence, DEFAULT_CONFIDENCE_RULES, type ConfidenceRules } from './confidence.ts';
import type { FittedField } from './feature-spec.ts';
import { MISSING_LEVEL } from './feature-spec.ts';
import { binIndex, readNumericField, scaleValue } from './featurize.ts';
import { reasonText, type Shown } from './reason-text.ts';
import type { Confidence, Group, LeadInput } from './types.ts';
import { categoryKey, MissingTokens, readBoolean } from './values.ts';

/**
 * Scores leads with a trained model and explains each score exactly.
 *
 * The logit is additive over fields: logit = baselineLogit + Σ_f contribution_f, where a field's
 * contribution is Σ_{j∈f} w_j·(x_j − x̄_j) (x̄ = the training mean). Each field's constant part
 * −Σ w_j·x̄_j is folded in when the scorer is built, so scoring costs one lookup or one small
 * transform per field, and the explanation falls out of the score rather than being computed beside it.
 */

export interface Reason {
  field: string;
  label: string;
  group: Group;
  /** Log-odds this field adds (positive) or removes (negative) relative to the average lead. */
  contribution: number;
  text: string;
}

export interface ModelScore {
  probability: number;
  /** round(100 × probability). */
  score: number;
  logit: number;
  /** Calibrated probability × 100 if only fit (resp. engagement) signals differed from the average lead. */
  fit: number;
  engagement: number;
  confidence: Confidence;
  confidenceNotes: string[];
  /** Up to 3 reasons that raise the score, strongest first, and up to 3 that lower it. */
  positiveReasons: Reason[];
  negativeReasons: Reason[];
  modelVersion: string;
}

export interface FieldContribution {
  field: string;
  group: Group;
  contribution: number;
}

/** Field state after evaluation. */
const PRESENT = 0;
const MISSING = 1;
const OUT_OF_RANGE = 2;

interface FieldEvaluator {
  readonly spec: FittedField;
  readonly isEngagement: boolean;
  /** Returns the contribution; writes PRESENT / MISSING / OUT_OF_RANGE into state[index]. */
  evaluate(lead: LeadInput, state: Uint8Array, index: number): number;
  shown(lead: LeadInput): Shown;
}

function fieldBase(field: FittedField, weights: readonly number[], means: readonly number[]): number {
  let base = 0;
  for (let j = field.offset; j < field.offset + field.width; j++)
    base -= (weights[j] as number) * (means[j] as number);
  return base;
}

function categoricalEvaluator(
  field: Extract<FittedField, { kind: 'categorical' }>,
  weights: readonly number[],
  means: readonly number[],
  missing: MissingTokens,
): FieldEvaluator {
  const base = fieldBase(field, weights, means);
  const byKey = new Map<string, number>();
  field.levels.forEach((key, level) => byKey.set(key, base + (weights[field.offset + level] as number)));
  const rare = base + (weights[field.offset + field.levels.length] as number);
  const unknown = base + (weights[field.offset + field.levels.length + 1] as number);
  const rareKeys = new Set(field.rare);
  const missingContribution = byKey.get(MISSING_LEVEL) ?? rare;
  return {
    spec: field,
    isEngagement: field.group === 'engagement',
    evaluate(lead, state, index) {
      const key = categoryKey(lead.attributes[field.field], missing);
      if (key === null) {
        state[index] = MISSING;
        return missingContribution;
      }
      const known = byKey.get(key);
      if (known !== undefined) {
        state[index] = PRESENT;
        return known;
      }
      if (rareKeys.has(key)) {
        state[index] = PRESENT;
        return rare;
      }
      state[index] = OUT_OF_RANGE;
      return unknown;
    },
    shown(lead) {
      const raw = lead.attributes[field.field];
      const key = categoryKey(raw, missing);
      if (key === null) return { kind: 'missing' };
      const level = field.levels.indexOf(key);
      if (level >= 0)
        return { kind: 'level', value: field.display[level] ?? key, rare: false, unknown: false };
      return {
        kind: 'level',
        value: String(raw).trim(),
        rare: rareKeys.has(key),
        unknown: !rareKeys.has(key),
      };
    },
  };
}

function booleanEvaluator(
  field: Extract<FittedField, { kind: 'boolean' }>,
  weights: readonly number[],
  means: readonly number[],
  missing: MissingTokens,
): FieldEvaluator {
  const base = fieldBase(field, weights, means);
  const whenTrue = base + (weights[field.offset] as number);
  const whenMissing = base + (weights[field.offset + 1] as number);
  return {
    spec: field,
    isEngagement: field.group === 'engagement',
    evaluate(lead, state, index) {
      const reading = readBoolean(lead.attributes[field.field], missing);
      if (Number.isNaN(reading.value)) {
        state[index] = reading.invalid ? OUT_OF_RANGE : MISSING;
        return whenMissing;
      }
      state[index] = PRESENT;
      return reading.value === 1 ? whenTrue : base;
    },
    shown(lead) {
      const raw = lead.attributes[field.field];
      const reading = readBoolean(raw, missing);
      if (reading.invalid) return { kind: 'invalid', value: String(raw) };
      return Number.isNaN(reading.value)
        ? { kind: 'missing' }
        : { kind: 'boolean', value: reading.value === 1 };
    },
  };
}

function numericEvaluator(
  field: Extract<FittedField, { kind: 'numeric' | 'event_count' | 'event_recency' }>,
  weights: readonly number[],
  means: readonly number[],
  missing: MissingTokens,
): FieldEvaluator {
  const base = fieldBase(field, weights, means);
  const t = field.transform;
  const linear = weights[field.offset] as number;
  const whenMissing = base + (weights[field.offset + 1] as number);
  const binWeights = Float64Array.from(
    { length: t.edges.length + 1 },
    (_, k) => weights[field.offset + 2 + k] as number,
  );
  return {
    spec: field,
    isEngagement: field.group === 'engagement',
    evaluate(lead, state, index) {
      const reading = readNumericField(field, lead, missing);
      const v = reading.value;
      if (Number.isNaN(v)) {
        state[index] = reading.invalid ? OUT_OF_RANGE : MISSING;
        return whenMissing;
      }
      state[index] = v < t.trainMin || v > t.trainMax ? OUT_OF_RANGE : PRESENT;
      return base + linear * scaleValue(t, v) + (binWeights[binIndex(t.edges, v)] as number);
    },
    shown(lead) {
      const raw = field.kind === 'numeric' ? lead.attributes[field.field] : undefined;
      const reading = readNumericField(field, lead, missing);
      if (reading.invalid) return { kind: 'invalid', value: String(raw) };
      return Number.isNaN(reading.value) ? { kind: 'missing' } : { kind: 'number', value: reading.value };
    },
  };
}

const TOP_REASONS = 3;

export class Scorer {
  readonly version: string;
  readonly baselineLogit: number;
  private readonly evaluators: FieldEvaluator[];
  private readonly importance: Float64Array;
  private readonly totalImportance: number;
  private readonly state: Uint8Array;
  private readonly contributions: Float64Array;

  constructor(
    private readonly artifact: ModelArtifact,
    private readonly confidenceRules: ConfidenceRules = DEFAULT_CONFIDENCE_RULES,
  ) {
    const { weights, columnMeans, featureSpec } = artifact;
    const missing = new MissingTokens(featureSpec.missingTokens);
    this.version = artifact.version;
    let baseline = artifact.intercept;
    for (let j = 0; j < weights.length; j++) baseline += (weights[j] as number) * (columnMeans[j] as number);
    this.baselineLogit = baseline;
    this.evaluators = featureSpec.fields.map((field) => {
      switch (field.kind) {
        case 'categorical':
          return categoricalEvaluator(field, weights, columnMeans, missing);
        case 'boolean':
          return booleanEvaluator(field, weights, columnMeans, missing);
        default:
          return numericEvaluator(field, weights, columnMeans, missing);
      }
    });
    this.importance = Float64Array.from(artifact.fieldImportance);
    this.totalImportance = this.importance.reduce((a, b) => a + b, 0) || 1;
    this.state = new Uint8Array(this.evaluators.length);
    this.contributions = new Float64Array(this.evaluators.length);
  }

  /** Raw (uncalibrated) logit. */
  logit(lead: LeadInput): number {
    let z = this.baselineLogit;
    const evaluators = this.evaluators;
    for (let f = 0; f < evaluators.length; f++)
      z += (evaluators[f] as FieldEvaluator).evaluate(lead, this.state, f);
    return z;
  }

  /** Calibrated probability only: the fast path when no explanation is needed. */
  probability(lead: LeadInput): number {
    return applyCalibration(this.artifact.calibration, this.logit(lead));
  }

  /** Writes each field's contribution into `out` (fitted-spec order) and returns the logit. */
  contributionsInto(lead: LeadInput, out: Float64Array): number {
    let z = this.baselineLogit;
    const evaluators = this.evaluators;
    for (let f = 0; f < evaluators.length; f++) {
      const c = (evaluators[f] as FieldEvaluator).evaluate(lead, this.state, f);
      out[f] = c;
      z += c;
    }
    return z;
  }

  /** Every field's contribution, in fitted-spec order; they sum to logit − baselineLogit. */
  explain(lead: LeadInput): { baselineLogit: number; logit: number; fields: FieldContribution[] } {
    const fields: FieldContribution[] = [];
    let z = this.baselineLogit;
    this.evaluators.forEach((evaluator, f) => {
      const contribution = evaluator.evaluate(lead, this.state, f);
      z += contribution;
      fields.push({ field: evaluator.spec.field, group: evaluator.spec.group, contribution });
    });
    return { baselineLogit: this.baselineLogit, logit: z, fields };
  }

  /** Score, sub-scores, confidence and the top reasons either way. */
  score(lead: LeadInput): ModelScore {
    const evaluators = this.evaluators;
    const state = this.state;
    const contributions = this.contributions;
    let fitSum = 0;
    let engagementSum = 0;
    let missingImportance = 0;
    let outOfRange = 0;
    for (let f = 0; f < evaluators.length; f++) {
      const evaluator = evaluators[f] as FieldEvaluator;
      const c = evaluator.evaluate(lead, state, f);
      contributions[f] = c;
      if (evaluator.isEngagement) engagementSum += c;
      else fitSum += c;
      const s = state[f];
      if (s === MISSING) missingImportance += this.importance[f] as number;
      else if (s === OUT_OF_RANGE) outOfRange++;
    }
    const calibration = this.artifact.calibration;
    const logit = this.baselineLogit + fitSum + engagementSum;
    const probability = applyCalibration(calibration, logit);
    const confidence = assessConfidence(
      {
        missingShare: missingImportance / this.totalImportance,
        outOfRange,
        positivesTrained: this.artifact.training.positives,
      },
      this.confidenceRules,
    );
    const positive = topIndices(contributions, TOP_REASONS, 1);
    const negative = topIndices(contributions, TOP_REASONS, -1);
    return {
      probability,
      score: Math.round(probability * 100),
      logit,
      fit: Math.round(applyCalibration(calibration, this.baselineLogit + fitSum) * 100),
      engagement: Math.round(applyCalibration(calibration, this.baselineLogit + engagementSum) * 100),
      confidence: confidence.level,
      confidenceNotes: confidence.notes,
      positiveReasons: positive.map((f) => this.reason(lead, f)),
      negativeReasons: negative.map((f) => this.reason(lead, f)),
      modelVersion: this.version,
    };
  }

  private reason(lead: LeadInput, f: number): Reason {
    const evaluator = this.evaluators[f] as FieldEvaluator;
    const spec = evaluator.spec;
    return {
      field: spec.field,
      label: spec.label,
      group: spec.group,
      contribution: this.contributions[f] as number,
      text: reasonText(spec, evaluator.shown(lead)),
    };
  }
}

/**
 * Indices of the `k` largest values of sign·v with sign·v > 0, largest first. A tiny insertion
 * sort: k is 3 and the field count is small, so this beats sorting every field.
 */
function topIndices(values: Float64Array, k: number, sign: 1 | -1): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = sign * (values[i] as number);
    if (!(v > 1e-9)) continue;
    if (best.length === k && v <= sign * (values[best[k - 1] as number] as number)) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && sign * (values[best[at - 1] as number] as number) < v) {
      best[at] = best[at - 1] as number;
      at--;
    }
    best[at] = i;
  }
  return best;
}
