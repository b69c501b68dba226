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
  notes: readonly string[];
}

const HIGH: ConfidenceVerdict = Object.freeze({ level: 'high', notes: Object.freeze([]) });

export function assessConfidence(
  signals: ConfidenceSignals,
  rules: ConfidenceRules = DEFAULT_CONFIDENCE_RULES,
): ConfidenceVerdict {
  // Most leads of a mature model are high: answer them without building notes (the hot path).
  if (
    signals.positivesTrained >= rules.minPositivesForHigh &&
    signals.missingShare <= rules.maxMissingShareForHigh &&
    signals.outOfRange <= rules.maxOutOfRangeForHigh
  ) {
    return HIGH;
  }
  // The slow path: say why. Each check may lower the level; notes collect the reasons.
  const found: [Confidence, string][] = [];
  if (signals.positivesTrained < rules.minPositivesForMedium) {
    found.push(['low', `model learned from only ${signals.positivesTrained} conversions`]);
  } else if (signals.positivesTrained < rules.minPositivesForHigh) {
    found.push(['medium', `model learned from ${signals.positivesTrained} conversions`]);
  }
  const missingPercent = Math.round(signals.missingShare * 100);
  if (signals.missingShare > rules.maxMissingShareForMedium) {
    found.push(['low', `${missingPercent}% of the usual signal is missing`]);
  } else if (signals.missingShare > rules.maxMissingShareForHigh) {
    found.push(['medium', `${missingPercent}% of the usual signal is missing`]);
  }
  if (signals.outOfRange > rules.maxOutOfRangeForMedium) {
    found.push(['low', `${signals.outOfRange} values outside what the model was trained on`]);
  } else if (signals.outOfRange > rules.maxOutOfRangeForHigh) {
    found.push(['medium', `${signals.outOfRange} value outside what the model was trained on`]);
  }
  const level = found.some(([l]) => l === 'low') ? 'low' : found.length > 0 ? 'medium' : 'high';
  const notes = found.map(([, note]) => note);
  return { level, notes };
}
