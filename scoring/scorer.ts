import type { ModelArtifact } from './artifact.ts';
import { applyCalibration } from './calibration.ts';
import { assessConfidence, DEFAULT_CONFIDENCE_RULES, type ConfidenceRules } from './confidence.ts';
import type { FittedField } from './feature-spec.ts';
import { MISSING_LEVEL } from './feature-spec.ts';
import { binIndex, readNumericField, scaleValue } from './featurize.ts';
import { reasonText, type Shown } from './reason-text.ts';
import type { Confidence, Group, LeadInput, Reason, Value } from './types.ts';
import { categoryKey, MissingTokens, readBoolean, readNumber } from './values.ts';

/**
 * Scores leads with a trained model and explains each score exactly.
 *
 * The logit is additive over fields: logit = baselineLogit + Σ_f contribution_f, where a field's
 * contribution is Σ_{j∈f} w_j·(x_j − x̄_j) (x̄ = the training mean). Each field's constant part
 * −Σ w_j·x̄_j is folded in when the scorer is built, so scoring costs one lookup or one small
 * transform per field, and the explanation falls out of the score rather than being computed beside it.
 */

export interface ModelScore {
  probability: number;
  /** round(100 × probability). */
  score: number;
  logit: number;
  /** Calibrated probability × 100 if only fit (resp. engagement) signals differed from the average lead. */
  fit: number;
  engagement: number;
  confidence: Confidence;
  confidenceNotes: readonly string[];
  /** Up to 3 reasons that raise the score, strongest first, then up to 3 that lower it, strongest first. */
  reasons: readonly Reason[];
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
  /** What the lead's value of this field comes to: contribution, state, and how to say it. */
  evaluate(lead: LeadInput): Outcome;
}

/** What one raw value of an attribute field comes to. */
interface Outcome {
  contribution: number;
  state: number;
  shown: Shown;
  text?: string;
  /** The reason object for this outcome, built once and shared (readonly) by every lead with it. */
  reason?: Readonly<Reason>;
}

/**
 * A field's outcome depends only on its raw value, and CRM fields repeat the same few values
 * (sources, countries, yes/no, small counts), so outcomes are memoised per raw value: scoring a
 * lead becomes one map lookup per field. The memo stops growing at MEMO_LIMIT distinct values,
 * after which new values are simply computed each time.
 */
const MEMO_LIMIT = 10_000;

function attributeEvaluator(spec: FittedField, compute: (raw: Value) => Outcome): FieldEvaluator {
  const memo = new Map<Value, Outcome>();
  const field = spec.field;
  const lookup = (raw: Value): Outcome => {
    let outcome = memo.get(raw);
    if (outcome === undefined) {
      outcome = compute(raw);
      if (memo.size < MEMO_LIMIT) memo.set(raw, outcome);
    }
    return outcome;
  };
  return {
    spec,
    isEngagement: spec.group === 'engagement',
    evaluate: (lead) => lookup(lead.attributes[field]),
  };
}

/** The sentence for an outcome, built once per distinct value (memoised outcomes keep it). */
function textOf(spec: FittedField, outcome: Outcome): string {
  outcome.text ??= reasonText(spec, outcome.shown);
  return outcome.text;
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
  return attributeEvaluator(field, (raw) => {
    const key = categoryKey(raw, missing);
    if (key === null)
      return { contribution: missingContribution, state: MISSING, shown: { kind: 'missing' } };
    const level = field.levels.indexOf(key);
    if (level >= 0) {
      return {
        contribution: byKey.get(key) as number,
        state: PRESENT,
        shown: { kind: 'level', value: field.display[level] ?? key, rare: false, unknown: false },
      };
    }
    const isRare = rareKeys.has(key);
    return {
      contribution: isRare ? rare : unknown,
      state: isRare ? PRESENT : OUT_OF_RANGE,
      shown: { kind: 'level', value: String(raw).trim(), rare: isRare, unknown: !isRare },
    };
  });
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
  return attributeEvaluator(field, (raw) => {
    const reading = readBoolean(raw, missing);
    if (reading.invalid)
      return {
        contribution: whenMissing,
        state: OUT_OF_RANGE,
        shown: { kind: 'invalid', value: String(raw) },
      };
    if (Number.isNaN(reading.value))
      return { contribution: whenMissing, state: MISSING, shown: { kind: 'missing' } };
    const value = reading.value === 1;
    return { contribution: value ? whenTrue : base, state: PRESENT, shown: { kind: 'boolean', value } };
  });
}

type NumericLike = Extract<FittedField, { kind: 'numeric' | 'event_count' | 'event_recency' }>;

/** Contribution of a numeric reading: linear term + its bin's weight, or the missing weight. */
function numericOutcome(
  field: NumericLike,
  weights: readonly number[],
  base: number,
): (reading: { value: number; invalid: boolean }, raw: Value) => Outcome {
  const t = field.transform;
  const linear = weights[field.offset] as number;
  const whenMissing = base + (weights[field.offset + 1] as number);
  const binWeights = Float64Array.from(
    { length: t.edges.length + 1 },
    (_, k) => weights[field.offset + 2 + k] as number,
  );
  return (reading, raw) => {
    const v = reading.value;
    if (reading.invalid)
      return {
        contribution: whenMissing,
        state: OUT_OF_RANGE,
        shown: { kind: 'invalid', value: String(raw) },
      };
    if (Number.isNaN(v)) return { contribution: whenMissing, state: MISSING, shown: { kind: 'missing' } };
    return {
      contribution: base + linear * scaleValue(t, v) + (binWeights[binIndex(t.edges, v)] as number),
      state: v < t.trainMin || v > t.trainMax ? OUT_OF_RANGE : PRESENT,
      shown: { kind: 'number', value: v },
    };
  };
}

function numericEvaluator(
  field: NumericLike,
  weights: readonly number[],
  means: readonly number[],
  missing: MissingTokens,
): FieldEvaluator {
  const outcomeOf = numericOutcome(field, weights, fieldBase(field, weights, means));
  if (field.kind === 'numeric') {
    return attributeEvaluator(field, (raw) => outcomeOf(readNumber(raw, missing), raw));
  }
  // Event features depend on the whole event list and the as-of time: nothing to memoise.
  return {
    spec: field,
    isEngagement: field.group === 'engagement',
    evaluate: (lead) => outcomeOf(readNumericField(field, lead, missing), undefined),
  };
}

const TOP_REASONS = 3;

export class Scorer {
  readonly version: string;
  readonly baselineLogit: number;
  private readonly evaluators: FieldEvaluator[];
  private readonly importance: Float64Array;
  private readonly totalImportance: number;
  private readonly contributions: Float64Array;
  private readonly outcomes: Outcome[];
  /** Scratch for the top reasons: positives at [0, 3), negatives at [3, 6). */
  private readonly top = new Int32Array(2 * TOP_REASONS);

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
    this.contributions = new Float64Array(this.evaluators.length);
    this.outcomes = new Array<Outcome>(this.evaluators.length);
  }

  /** Raw (uncalibrated) logit. */
  logit(lead: LeadInput): number {
    let z = this.baselineLogit;
    const evaluators = this.evaluators;
    for (let f = 0; f < evaluators.length; f++)
      z += (evaluators[f] as FieldEvaluator).evaluate(lead).contribution;
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
      const c = (evaluators[f] as FieldEvaluator).evaluate(lead).contribution;
      out[f] = c;
      z += c;
    }
    return z;
  }

  /** Every field's contribution, in fitted-spec order; they sum to logit − baselineLogit. */
  explain(lead: LeadInput): { baselineLogit: number; logit: number; fields: FieldContribution[] } {
    const fields: FieldContribution[] = [];
    let z = this.baselineLogit;
    this.evaluators.forEach((evaluator) => {
      const contribution = evaluator.evaluate(lead).contribution;
      z += contribution;
      fields.push({ field: evaluator.spec.field, group: evaluator.spec.group, contribution });
    });
    return { baselineLogit: this.baselineLogit, logit: z, fields };
  }

  /** Score, sub-scores, confidence and the top reasons either way. */
  score(lead: LeadInput): ModelScore {
    const evaluators = this.evaluators;
    const contributions = this.contributions;
    const outcomes = this.outcomes;
    let fitSum = 0;
    let engagementSum = 0;
    let missingImportance = 0;
    let outOfRange = 0;
    for (let f = 0; f < evaluators.length; f++) {
      const evaluator = evaluators[f] as FieldEvaluator;
      const outcome = evaluator.evaluate(lead);
      outcomes[f] = outcome;
      const c = outcome.contribution;
      contributions[f] = c;
      if (evaluator.isEngagement) engagementSum += c;
      else fitSum += c;
      const s = outcome.state;
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
    const top = this.top;
    const positives = topIndices(contributions, top, 0, 1);
    const negatives = topIndices(contributions, top, TOP_REASONS, -1);
    const reasons: Reason[] = [];
    for (let k = 0; k < positives; k++) reasons.push(this.reason(top[k] as number, 'positive'));
    for (let k = 0; k < negatives; k++) reasons.push(this.reason(top[TOP_REASONS + k] as number, 'negative'));
    return {
      probability,
      score: Math.round(probability * 100),
      logit,
      fit: Math.round(applyCalibration(calibration, this.baselineLogit + fitSum) * 100),
      engagement: Math.round(applyCalibration(calibration, this.baselineLogit + engagementSum) * 100),
      confidence: confidence.level,
      confidenceNotes: confidence.notes,
      reasons,
      modelVersion: this.version,
    };
  }

  private reason(f: number, direction: Reason['direction']): Reason {
    const spec = (this.evaluators[f] as FieldEvaluator).spec;
    const outcome = this.outcomes[f] as Outcome;
    // The direction follows from the contribution's sign, so a memoised outcome's reason is the
    // same object every time: no allocation per lead for the common case.
    outcome.reason ??= Object.freeze({
      source: spec.field,
      direction,
      weight: outcome.contribution,
      text: textOf(spec, outcome),
    });
    return outcome.reason;
  }
}

/**
 * Writes into out[at ..] the indices of the (up to TOP_REASONS) largest values of sign·v that are
 * > 0, largest first, and returns how many. An insertion sort into a fixed scratch array: the field
 * count is small and this runs for every lead, so it allocates nothing.
 */
function topIndices(values: Float64Array, out: Int32Array, at: number, sign: 1 | -1): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = sign * (values[i] as number);
    if (!(v > 1e-9)) continue;
    if (count === TOP_REASONS && v <= sign * (values[out[at + TOP_REASONS - 1] as number] as number))
      continue;
    let k = count === TOP_REASONS ? TOP_REASONS - 1 : count++;
    while (k > 0 && sign * (values[out[at + k - 1] as number] as number) < v) {
      out[at + k] = out[at + k - 1] as number;
      k--;
    }
    out[at + k] = i;
  }
  return count;
}
