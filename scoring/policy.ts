import { Ajv, type ValidateFunction } from 'ajv';
import { describeAjvErrors } from './schema-errors.ts';
import type { Confidence, Route, Tier } from './types.ts';

/**
 * The decision policy: what a calibrated probability means for a lead's tier and route. Versioned
 * JSON so RevOps can change it without a deploy, and every decision records the version it used.
 */
export interface DecisionPolicy {
  version: string;
  /** Minimum calibrated probability for each tier; anything below C is D. A > B > C. */
  tiers: { A: number; B: number; C: number };
  routes: Record<Tier, Route>;
  /** Half-width of the band around each cut-off (where routes differ) that goes to human review. 0 disables it. */
  reviewBand: number;
  /** What a low-confidence model score does: go to review, be replaced by the fallback rules, or stand. */
  lowConfidence: 'review' | 'fallback' | 'keep';
  /** A person without a lawful basis for profiling gets the rule-based result, or no score at all. */
  withoutConsent: 'rules' | 'none';
}

export const DEFAULT_POLICY: DecisionPolicy = {
  version: 'default-1',
  tiers: { A: 0.6, B: 0.35, C: 0.15 },
  routes: { A: 'ae', B: 'sdr', C: 'nurture', D: 'nurture' },
  reviewBand: 0.02,
  lowConfidence: 'review',
  withoutConsent: 'none',
};

const probability = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } as const;
const route = { enum: ['ae', 'sdr', 'nurture', 'review'] } as const;

export const decisionPolicySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'tiers', 'routes', 'reviewBand', 'lowConfidence', 'withoutConsent'],
  properties: {
    version: { type: 'string', minLength: 1, maxLength: 100 },
    tiers: {
      type: 'object',
      additionalProperties: false,
      required: ['A', 'B', 'C'],
      properties: { A: probability, B: probability, C: probability },
    },
    routes: {
      type: 'object',
      additionalProperties: false,
      required: ['A', 'B', 'C', 'D'],
      properties: { A: route, B: route, C: route, D: route },
    },
    reviewBand: { type: 'number', minimum: 0, maximum: 0.2 },
    lowConfidence: { enum: ['review', 'fallback', 'keep'] },
    withoutConsent: { enum: ['rules', 'none'] },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
// Typed as unknown on purpose: the checks below the schema finish the job before the cast.
const validate: ValidateFunction = ajv.compile(decisionPolicySchema);

export class InvalidPolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid decision policy: ${problems.join('; ')}`);
    this.name = 'InvalidPolicyError';
  }
}

/** Validates a policy: shape with ajv, then the rules a schema cannot say (ordering, band widths). */
export function parsePolicy(value: unknown): DecisionPolicy {
  if (!validate(value)) throw new InvalidPolicyError(describeAjvErrors(validate.errors, 'policy'));
  const policy = value as DecisionPolicy;
  const problems: string[] = [];
  const { A, B, C } = policy.tiers;
  if (!(B < A)) problems.push(`policy.tiers.B (${B}) must be below policy.tiers.A (${A})`);
  if (!(C < B)) problems.push(`policy.tiers.C (${C}) must be below policy.tiers.B (${B})`);
  const narrowest = Math.min(A - B, B - C, C, 1 - A);
  if (problems.length === 0 && policy.reviewBand * 2 >= narrowest) {
    problems.push(
      `policy.reviewBand (${policy.reviewBand}) must be less than half the narrowest tier (${narrowest.toFixed(3)}), or bands would overlap`,
    );
  }
  if (problems.length > 0) throw new InvalidPolicyError(problems);
  return policy;
}

export interface Decision {
  tier: Tier;
  route: Route;
  /** Why the route is "review" when it is, in words. */
  note?: string;
}

export function tierFor(policy: DecisionPolicy, p: number): Tier {
  if (p >= policy.tiers.A) return 'A';
  if (p >= policy.tiers.B) return 'B';
  if (p >= policy.tiers.C) return 'C';
  return 'D';
}

function nearCutoff(tier: Tier, cutoff: string, band: number): Decision {
  return { tier, route: 'review', note: `within ${band} of the ${cutoff} cut-off` };
}

/** Tier and route for a calibrated probability and its confidence. */
export function decide(policy: DecisionPolicy, p: number, confidence: Confidence): Readonly<Decision> {
  const tier = tierFor(policy, p);
  const route = policy.routes[tier];
  if (confidence === 'low' && policy.lowConfidence === 'review') {
    return { tier, route: 'review', note: 'low confidence' };
  }
  // Only a cut-off that changes who works the lead is worth a second look.
  const band = policy.reviewBand;
  const { routes, tiers } = policy;
  if (routes.A !== routes.B && Math.abs(p - tiers.A) < band) return nearCutoff(tier, 'A/B', band);
  if (routes.B !== routes.C && Math.abs(p - tiers.B) < band) return nearCutoff(tier, 'B/C', band);
  if (routes.C !== routes.D && Math.abs(p - tiers.C) < band) return nearCutoff(tier, 'C/D', band);
  return PLAIN_DECISIONS[tier][route];
}

/** The 16 note-free decisions, shared and frozen: the common path allocates nothing per lead. */
const PLAIN_DECISIONS = Object.fromEntries(
  (['A', 'B', 'C', 'D'] as const).map((tier) => [
    tier,
    Object.fromEntries(
      (['ae', 'sdr', 'nurture', 'review'] as const).map((route) => [route, Object.freeze({ tier, route })]),
    ),
  ]),
) as Record<Tier, Record<Route, Readonly<Decision>>>;
