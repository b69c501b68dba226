import type { Confidence } from './types.ts';

/**
 * How far to trust a model score. Low when the signals that usually matter are missing, when values
 * fall outside what the model was trained on, or when the model learned from few conversions.
 */
export interface ConfidenceRules {
  /** Conversions in training below which the model is "young". */
  minPositivesForHigh: number;
  minPositivesForMedium: number;
  /** Share of the usual explanatory weight (mean |contribution|) whose fields are missing. */
  maxMissingShareForHigh: number;
  maxMissingShareForMedium: number;
  /** Values outside the training range or categories never seen in training. */
  maxOutOfRangeForHigh: number;
  maxOutOfRangeForMedium: number;
}

export const DEFAULT_CONFIDENCE_RULES: ConfidenceRules = {
  minPositivesForHigh: 200,
  minPositivesForMedium: 40,
  maxMissingShareForHigh: 0.25,
  maxMissingShareForMedium: 0.5,
  maxOutOfRangeForHigh: 0,
  maxOutOfRangeForMedium: 1,
};

export interface ConfidenceSignals {
  missingShare: number;
  outOfRange: number;
  positivesTrained: number;
}

export interface ConfidenceVerdict {
  level: Confidence;
  notes: string[];
}

const RANK: Record<Confidence, number> = { high: 2, medium: 1, low: 0 };

export function assessConfidence(
  signals: ConfidenceSignals,
  rules: ConfidenceRules = DEFAULT_CONFIDENCE_RULES,
): ConfidenceVerdict {
  let level: Confidence = 'high';
  const notes: string[] = [];
  const lower = (to: Confidence, note: string): void => {
    if (RANK[to] < RANK[level]) level = to;
    notes.push(note);
  };
  if (signals.positivesTrained < rules.minPositivesForMedium) {
    lower('low', `model learned from only ${signals.positivesTrained} conversions`);
  } else if (signals.positivesTrained < rules.minPositivesForHigh) {
    lower('medium', `model learned from ${signals.positivesTrained} conversions`);
  }
  const missingPercent = Math.round(signals.missingShare * 100);
  if (signals.missingShare > rules.maxMissingShareForMedium) {
    lower('low', `${missingPercent}% of the usual signal is missing`);
  } else if (signals.missingShare > rules.maxMissingShareForHigh) {
    lower('medium', `${missingPercent}% of the usual signal is missing`);
  }
  if (signals.outOfRange > rules.maxOutOfRangeForMedium) {
    lower('low', `${signals.outOfRange} values outside what the model was trained on`);
  } else if (signals.outOfRange > rules.maxOutOfRangeForHigh) {
    lower('medium', `${signals.outOfRange} value outside what the model was trained on`);
  }
  return { level, notes };
}
