import type { Group } from './types.ts';

/**
 * The feature spec is data: for each source field, how to turn it into model columns and how to
 * describe it to a person. Training learns the numbers (vocabularies, bins, scalers) into a
 * FittedFeatureSpec that is stored inside the model artifact.
 */

export interface EventMatch {
  attribute: string;
  /** The attribute equals this (case-insensitive) … */
  equals?: string;
  /** … or contains this substring (case-insensitive), e.g. "/pricing". */
  contains?: string;
}

export interface FieldText {
  /** Sentence for a known value; placeholders {label}, {value}, {relative}, {window}. */
  value?: string;
  /** Sentence when the value is missing. */
  missing?: string;
}

interface BaseFieldSpec {
  /** Source field name (an attribute), or the feature's own name for event features. */
  field: string;
  /** Human label used in reasons. */
  label: string;
  group: Group;
  text?: FieldText;
}

export interface NumericFieldSpec extends BaseFieldSpec {
  kind: 'numeric';
  /** log1p before scaling: true, false, or 'auto' (when non-negative and right-skewed). */
  log?: boolean | 'auto';
  /** Quantile bins so the effect need not be a straight line (default 8; 0 = linear only). */
  bins?: number;
}

export interface CategoricalFieldSpec extends BaseFieldSpec {
  kind: 'categorical';
  /** Levels seen fewer times than this in training are grouped as "rare" (default: 0.5% of rows, ≥ 10). */
  minCount?: number;
}

export interface BooleanFieldSpec extends BaseFieldSpec {
  kind: 'boolean';
}

export interface EventCountFieldSpec extends BaseFieldSpec {
  kind: 'event_count';
  eventType: string;
  windowDays: number;
  match?: EventMatch;
  bins?: number;
}

export interface EventRecencyFieldSpec extends BaseFieldSpec {
  kind: 'event_recency';
  eventType: string;
  match?: EventMatch;
  bins?: number;
}

export type FieldSpec =
  NumericFieldSpec | CategoricalFieldSpec | BooleanFieldSpec | EventCountFieldSpec | EventRecencyFieldSpec;

export interface FeatureSpec {
  version: string;
  /** Strings that mean "no value" (compared trimmed, case-insensitive); the empty string always does. */
  missingTokens?: string[];
  fields: FieldSpec[];
}

/** What training learned about a numeric-valued field (numeric, event count, event recency). */
export interface NumericTransform {
  log: boolean;
  clipLow: number;
  clipHigh: number;
  /** Mean and standard deviation of the (clipped, maybe logged) value, for the linear column. */
  mean: number;
  sd: number;
  /** Inner bin edges on the raw scale: bin k holds edges[k-1] < v ≤ edges[k]. */
  edges: number[];
  /** Raw-scale quantiles at 0, 5, …, 100% of training values, to say "higher than 80% of leads". */
  quantiles: number[];
  trainMin: number;
  trainMax: number;
}

export type FittedField =
  | ((NumericFieldSpec | EventCountFieldSpec | EventRecencyFieldSpec) & {
      offset: number;
      width: number;
      transform: NumericTransform;
    })
  | (CategoricalFieldSpec & {
      offset: number;
      width: number;
      /** Lower-cased keys of the levels kept, in column order; then a rare column and an unknown column. */
      levels: string[];
      /** How each kept level is shown (its most frequent spelling in training). */
      display: string[];
      /** Keys seen in training too seldom for a column of their own; anything else is unknown. */
      rare: string[];
    })
  | (BooleanFieldSpec & { offset: number; width: number });

export interface DroppedField {
  field: string;
  reason: string;
}

export interface FittedFeatureSpec {
  version: string;
  missingTokens: string[];
  fields: FittedField[];
  dropped: DroppedField[];
  columns: number;
}

export const RARE_LEVEL = '(rare)';
export const UNKNOWN_LEVEL = '(unknown)';
export const MISSING_LEVEL = '(missing)';
