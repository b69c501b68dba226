import { Ajv, type ValidateFunction } from 'ajv';
import { describeAjvErrors } from './schema-errors.ts';
import type { Calibration } from './calibration.ts';
import type { FittedFeatureSpec } from './feature-spec.ts';
import type { Metrics } from './metrics.ts';

/**
 * A trained model as a versioned JSON document: everything needed to score (spec, weights,
 * calibration) and to audit it (data hash, training config, metrics). JSON numbers round-trip
 * doubles exactly, so a saved and reloaded model scores bit-identically.
 */

export const MODEL_FORMAT = 'leadgate-model/1';

export interface TrainingConfig {
  /** The L2 strengths tried by cross-validation. */
  l2Grid: number[];
  folds: number;
  seed: number;
  calibration: 'auto' | 'platt' | 'isotonic';
}

export interface ModelArtifact {
  format: typeof MODEL_FORMAT;
  version: string;
  createdAt: string;
  label: string;
  featureSpec: FittedFeatureSpec;
  weights: number[];
  intercept: number;
  /** Training mean of each column: the baseline that contributions are measured against. */
  columnMeans: number[];
  calibration: Calibration;
  /** Mean |contribution| of each fitted field over training: how much each usually matters. */
  fieldImportance: number[];
  training: {
    rows: number;
    positives: number;
    dataHash: string;
    config: TrainingConfig;
    l2: number;
    iterations: number;
    converged: boolean;
    crossValidatedLogLoss: Record<string, number>;
    calibrationLogLoss: { platt: number; isotonic: number };
    window?: { from: string; to: string };
    /** The column that identifies a row in CSV input, when the trainer named one. */
    idColumn?: string;
  };
  metrics: { crossValidated: Metrics; holdout?: Metrics };
}

const numberArray = { type: 'array', items: { type: 'number' } } as const;
const text = {
  type: 'object',
  additionalProperties: false,
  properties: { value: { type: 'string' }, missing: { type: 'string' } },
} as const;
const match = {
  type: 'object',
  additionalProperties: false,
  required: ['attribute'],
  properties: { attribute: { type: 'string' }, equals: { type: 'string' }, contains: { type: 'string' } },
} as const;
const baseField = {
  field: { type: 'string', minLength: 1 },
  label: { type: 'string' },
  group: { enum: ['fit', 'engagement'] },
  text,
  offset: { type: 'integer', minimum: 0 },
  width: { type: 'integer', minimum: 1 },
} as const;
const transform = {
  type: 'object',
  additionalProperties: false,
  required: ['log', 'clipLow', 'clipHigh', 'mean', 'sd', 'edges', 'quantiles', 'trainMin', 'trainMax'],
  properties: {
    log: { type: 'boolean' },
    clipLow: { type: 'number' },
    clipHigh: { type: 'number' },
    mean: { type: 'number' },
    sd: { type: 'number', exclusiveMinimum: 0 },
    edges: numberArray,
    quantiles: { ...numberArray, minItems: 21, maxItems: 21 },
    trainMin: { type: 'number' },
    trainMax: { type: 'number' },
  },
} as const;
const metrics = {
  type: 'object',
  required: ['auc', 'pr_auc', 'log_loss', 'brier', 'ece', 'lift_top_decile', 'n', 'positives'],
  properties: {
    auc: { type: 'number' },
    pr_auc: { type: 'number' },
    log_loss: { type: 'number' },
    brier: { type: 'number' },
    ece: { type: 'number' },
    lift_top_decile: { type: 'number' },
    n: { type: 'integer' },
    positives: { type: 'integer' },
  },
} as const;

export const modelArtifactSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'format',
    'version',
    'createdAt',
    'label',
    'featureSpec',
    'weights',
    'intercept',
    'columnMeans',
    'calibration',
    'fieldImportance',
    'training',
    'metrics',
  ],
  properties: {
    format: { const: MODEL_FORMAT },
    version: { type: 'string', minLength: 1 },
    createdAt: { type: 'string', format: 'date-time' },
    label: { type: 'string' },
    featureSpec: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'missingTokens', 'fields', 'dropped', 'columns'],
      properties: {
        version: { type: 'string' },
        missingTokens: { type: 'array', items: { type: 'string' } },
        columns: { type: 'integer', minimum: 1 },
        dropped: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['field', 'reason'],
            properties: { field: { type: 'string' }, reason: { type: 'string' } },
          },
        },
        fields: {
          type: 'array',
          minItems: 1,
          items: {
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['kind', 'field', 'label', 'group', 'offset', 'width', 'transform'],
                properties: {
                  ...baseField,
                  kind: { const: 'numeric' },
                  log: { enum: [true, false, 'auto'] },
                  bins: { type: 'integer', minimum: 0 },
                  transform,
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: [
                  'kind',
                  'field',
                  'label',
                  'group',
                  'offset',
                  'width',
                  'transform',
                  'eventType',
                  'windowDays',
                ],
                properties: {
                  ...baseField,
                  kind: { const: 'event_count' },
                  eventType: { type: 'string' },
                  windowDays: { type: 'number', exclusiveMinimum: 0 },
                  match,
                  bins: { type: 'integer', minimum: 0 },
                  transform,
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['kind', 'field', 'label', 'group', 'offset', 'width', 'transform', 'eventType'],
                properties: {
                  ...baseField,
                  kind: { const: 'event_recency' },
                  eventType: { type: 'string' },
                  match,
                  bins: { type: 'integer', minimum: 0 },
                  transform,
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['kind', 'field', 'label', 'group', 'offset', 'width', 'levels', 'display', 'rare'],
                properties: {
                  ...baseField,
                  kind: { const: 'categorical' },
                  minCount: { type: 'integer', minimum: 1 },
                  levels: { type: 'array', items: { type: 'string' } },
                  display: { type: 'array', items: { type: 'string' } },
                  rare: { type: 'array', items: { type: 'string' } },
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['kind', 'field', 'label', 'group', 'offset', 'width'],
                properties: { ...baseField, kind: { const: 'boolean' } },
              },
            ],
          },
        },
      },
    },
    weights: numberArray,
    intercept: { type: 'number' },
    columnMeans: numberArray,
    calibration: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['method', 'slope', 'offset'],
          properties: { method: { const: 'platt' }, slope: { type: 'number' }, offset: { type: 'number' } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['method', 'logits', 'probabilities'],
          properties: {
            method: { const: 'isotonic' },
            logits: { ...numberArray, minItems: 1 },
            probabilities: { type: 'array', minItems: 1, items: { type: 'number', minimum: 0, maximum: 1 } },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['method'],
          properties: { method: { const: 'identity' } },
        },
      ],
    },
    fieldImportance: numberArray,
    training: {
      type: 'object',
      required: ['rows', 'positives', 'dataHash', 'config', 'l2', 'iterations', 'converged'],
      properties: {
        rows: { type: 'integer', minimum: 1 },
        positives: { type: 'integer', minimum: 0 },
        dataHash: { type: 'string' },
        l2: { type: 'number', exclusiveMinimum: 0 },
        iterations: { type: 'integer' },
        converged: { type: 'boolean' },
        idColumn: { type: 'string' },
        config: {
          type: 'object',
          additionalProperties: false,
          required: ['l2Grid', 'folds', 'seed', 'calibration'],
          properties: {
            l2Grid: { type: 'array', minItems: 1, items: { type: 'number', exclusiveMinimum: 0 } },
            folds: { type: 'integer', minimum: 2 },
            seed: { type: 'integer' },
            calibration: { enum: ['auto', 'platt', 'isotonic'] },
          },
        },
      },
    },
    metrics: {
      type: 'object',
      required: ['crossValidated'],
      properties: { crossValidated: metrics, holdout: metrics },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
// Typed as unknown on purpose: the checks below the schema finish the job before the cast.
const validateArtifact: ValidateFunction = ajv.compile(modelArtifactSchema);

export class InvalidArtifactError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid model artifact: ${problems.join('; ')}`);
    this.name = 'InvalidArtifactError';
  }
}

/** Checks a parsed JSON value against the artifact schema and its internal consistency. */
export function parseModelArtifact(value: unknown): ModelArtifact {
  if (!validateArtifact(value)) {
    // oneOf failures list every branch; the first few messages say enough.
    throw new InvalidArtifactError(describeAjvErrors(validateArtifact.errors, 'model').slice(0, 5));
  }
  const artifact = value as ModelArtifact;
  const columns = artifact.featureSpec.columns;
  const problems: string[] = [];
  if (artifact.weights.length !== columns)
    problems.push(`model.weights has ${artifact.weights.length} entries, expected ${columns}`);
  if (artifact.columnMeans.length !== columns)
    problems.push(`model.columnMeans has ${artifact.columnMeans.length} entries, expected ${columns}`);
  if (artifact.fieldImportance.length !== artifact.featureSpec.fields.length) {
    problems.push('model.fieldImportance must have one entry per field');
  }
  let expectedOffset = 0;
  for (const field of artifact.featureSpec.fields) {
    if (field.offset !== expectedOffset)
      problems.push(
        `model.featureSpec field "${field.field}" has offset ${field.offset}, expected ${expectedOffset}`,
      );
    expectedOffset = field.offset + field.width;
  }
  if (expectedOffset !== columns)
    problems.push(`model.featureSpec fields cover ${expectedOffset} columns, expected ${columns}`);
  if (
    artifact.calibration.method === 'isotonic' &&
    artifact.calibration.logits.length !== artifact.calibration.probabilities.length
  ) {
    problems.push('model.calibration logits and probabilities differ in length');
  }
  if (problems.length > 0) throw new InvalidArtifactError(problems);
  return artifact;
}
