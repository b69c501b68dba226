import type { ScoreFields } from '../types.ts';

/**
 * The write-back contract of design §7 in Salesforce field form, as data: one row per field, read by
 * ensureSchema (Tooling `CustomField` metadata, FieldPermissions) and by writeScores (values).
 */

/** Tooling API `CustomField.Metadata` (CustomFieldMetadata), the attributes we set. */
export interface PicklistValueSet {
  restricted: boolean;
  valueSetDefinition: { sorted: boolean; value: { fullName: string; default: boolean; label: string }[] };
}

export interface CustomFieldMetadata {
  label: string;
  type: 'Number' | 'Text' | 'LongTextArea' | 'Picklist' | 'DateTime';
  description: string;
  length?: number;
  precision?: number;
  scale?: number;
  visibleLines?: number;
  valueSet?: PicklistValueSet;
}

export interface ScoreFieldSpec {
  key: keyof ScoreFields;
  /** API name, the same on Lead and Contact. */
  name: string;
  metadata: CustomFieldMetadata;
  toSalesforce: (fields: ScoreFields) => string | number | null;
}

/** Custom fields go on both person objects (design §3: a person is a Lead or a Contact). */
export const SCORED_OBJECTS = ['Lead', 'Contact'] as const;
export type ScoredObject = (typeof SCORED_OBJECTS)[number];

/** The permission set that grants the integration user field-level security on the fields below. */
export const PERMISSION_SET = { Name: 'Leadgate_Integration', Label: 'Leadgate Integration' } as const;

// Restricted picklists: Salesforce refuses any other value (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST),
// so a typo in our code fails loudly instead of creating a new value flows would not match.
const picklist = (values: readonly string[]): PicklistValueSet => ({
  restricted: true,
  valueSetDefinition: {
    sorted: false,
    value: values.map((v) => ({ fullName: v, default: false, label: v })),
  },
});

const round = (n: number | null, digits: number): number | null =>
  n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;

/** Salesforce caps a Long Text Area at its declared length: longer text fails with STRING_TOO_LONG. */
export const REASONS_MAX_LENGTH = 32_768;
const MODEL_VERSION_MAX_LENGTH = 80;

export const SCORE_FIELDS: readonly ScoreFieldSpec[] = [
  {
    key: 'score',
    name: 'Leadgate_Score__c',
    metadata: {
      label: 'Leadgate Score',
      type: 'Number',
      precision: 3,
      scale: 0,
      description: 'Calibrated probability of conversion, 0-100 (leadgate).',
    },
    toSalesforce: (f) => Math.round(f.score),
  },
  {
    key: 'tier',
    name: 'Leadgate_Tier__c',
    metadata: {
      label: 'Leadgate Tier',
      type: 'Picklist',
      valueSet: picklist(['A', 'B', 'C', 'D']),
      description: 'Tier A-D from the decision policy (leadgate).',
    },
    toSalesforce: (f) => f.tier,
  },
  {
    key: 'fitScore',
    name: 'Leadgate_Fit_Score__c',
    metadata: {
      label: 'Leadgate Fit Score',
      type: 'Number',
      precision: 5,
      scale: 2,
      description: 'Fit sub-score (firmographics) from the same additive model (leadgate).',
    },
    toSalesforce: (f) => round(f.fitScore, 2),
  },
  {
    key: 'engagementScore',
    name: 'Leadgate_Engagement_Score__c',
    metadata: {
      label: 'Leadgate Engagement Score',
      type: 'Number',
      precision: 5,
      scale: 2,
      description: 'Engagement sub-score (activity) from the same additive model (leadgate).',
    },
    toSalesforce: (f) => round(f.engagementScore, 2),
  },
  {
    key: 'route',
    name: 'Leadgate_Route__c',
    metadata: {
      label: 'Leadgate Route',
      type: 'Picklist',
      valueSet: picklist(['ae', 'sdr', 'nurture', 'review']),
      description: 'Where the decision policy routes the person (leadgate).',
    },
    toSalesforce: (f) => f.route,
  },
  {
    key: 'confidence',
    name: 'Leadgate_Confidence__c',
    metadata: {
      label: 'Leadgate Confidence',
      type: 'Picklist',
      valueSet: picklist(['high', 'medium', 'low']),
      description: 'Confidence of the score (leadgate).',
    },
    toSalesforce: (f) => f.confidence,
  },
  {
    key: 'reasons',
    name: 'Leadgate_Reasons__c',
    metadata: {
      label: 'Leadgate Reasons',
      type: 'LongTextArea',
      length: REASONS_MAX_LENGTH,
      visibleLines: 5,
      description: 'Top reasons behind the score, in plain words (leadgate).',
    },
    toSalesforce: (f) => f.reasons.slice(0, REASONS_MAX_LENGTH),
  },
  {
    key: 'modelVersion',
    name: 'Leadgate_Model_Version__c',
    metadata: {
      label: 'Leadgate Model Version',
      type: 'Text',
      length: MODEL_VERSION_MAX_LENGTH,
      description: 'Model (or rules) version that produced the score (leadgate).',
    },
    toSalesforce: (f) => f.modelVersion.slice(0, MODEL_VERSION_MAX_LENGTH),
  },
  {
    key: 'scoredAt',
    name: 'Leadgate_Scored_At__c',
    metadata: {
      label: 'Leadgate Scored At',
      type: 'DateTime',
      description: 'When the score was computed (leadgate).',
    },
    toSalesforce: (f) => new Date(f.scoredAt).toISOString(),
  },
];

/** The Salesforce field values of one write, keyed by API name. */
export function toSalesforceValues(fields: ScoreFields): Record<string, string | number | null> {
  return Object.fromEntries(SCORE_FIELDS.map((spec) => [spec.name, spec.toSalesforce(fields)]));
}
