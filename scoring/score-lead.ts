import { decide, type DecisionPolicy } from './policy.ts';
import type { RuleScorer } from './rules.ts';
import type { Scorer } from './scorer.ts';
import type { Confidence, LeadInput, Reason, Route, Tier } from './types.ts';

/**
 * One lead in, one decision out: which scorer applies (model, fallback rules or none), the tier
 * and route under the policy, and the reasons. This is what gets stored, written to the CRM and
 * shown on the card.
 */

export interface LeadDecision {
  source: 'model' | 'rules' | 'none';
  probability: number | null;
  score: number | null;
  tier: Tier | null;
  route: Route | null;
  confidence: Confidence | null;
  fit: number | null;
  engagement: number | null;
  /** Strongest first; positive reasons then negative ones. */
  reasons: readonly Reason[];
  /** The model version, or "rules:<version>" for the fallback, or null when not scored. */
  modelVersion: string | null;
  policyVersion: string;
  notes: readonly string[];
}

export interface ScoringContext {
  model?: Scorer;
  rules?: RuleScorer;
  policy: DecisionPolicy;
}

export interface LeadConsent {
  /** False when there is no lawful basis for profiling (opted out, no consent where it is needed). */
  profilingAllowed: boolean;
}

function unscored(policy: DecisionPolicy, notes: readonly string[]): LeadDecision {
  return {
    source: 'none',
    probability: null,
    score: null,
    tier: null,
    route: null,
    confidence: null,
    fit: null,
    engagement: null,
    reasons: [],
    modelVersion: null,
    policyVersion: policy.version,
    notes,
  };
}

function byRules(context: ScoringContext, lead: LeadInput, notes: readonly string[]): LeadDecision {
  const { rules, policy } = context;
  if (!rules) return unscored(policy, [...notes, 'no fallback rules configured']);
  const result = rules.score(lead);
  // Rule scores are uncalibrated: confidence is low by construction, but a rule result is the
  // fallback itself, so "low confidence → fallback" must not loop; "review" still applies.
  const decision = decide(policy, result.probability, policy.lowConfidence === 'review' ? 'low' : 'medium');
  return {
    source: 'rules',
    probability: result.probability,
    score: result.score,
    tier: decision.tier,
    route: decision.route,
    confidence: 'low',
    fit: null,
    engagement: null,
    reasons: [
      ...result.positiveReasons.map((r): Reason => ({
        source: r.ruleId,
        direction: 'positive',
        weight: r.points,
        text: r.text,
      })),
      ...result.negativeReasons.map((r): Reason => ({
        source: r.ruleId,
        direction: 'negative',
        weight: r.points,
        text: r.text,
      })),
    ],
    modelVersion: `rules:${result.rulesVersion}`,
    policyVersion: policy.version,
    notes: decision.note ? [...notes, decision.note] : notes,
  };
}

export function scoreLead(context: ScoringContext, lead: LeadInput, consent?: LeadConsent): LeadDecision {
  const { model, policy } = context;
  if (consent && !consent.profilingAllowed) {
    const note = 'no lawful basis for profiling';
    return policy.withoutConsent === 'rules' ? byRules(context, lead, [note]) : unscored(policy, [note]);
  }
  if (!model) return byRules(context, lead, ['no model qualifies yet']);
  const result = model.score(lead);
  if (result.confidence === 'low' && policy.lowConfidence === 'fallback') {
    return byRules(context, lead, ['model confidence low: ' + result.confidenceNotes.join(', ')]);
  }
  const decision = decide(policy, result.probability, result.confidence);
  return {
    source: 'model',
    probability: result.probability,
    score: result.score,
    tier: decision.tier,
    route: decision.route,
    confidence: result.confidence,
    fit: result.fit,
    engagement: result.engagement,
    reasons: result.reasons,
    modelVersion: result.modelVersion,
    policyVersion: policy.version,
    notes: decision.note ? [...result.confidenceNotes, decision.note] : result.confidenceNotes,
  };
}
