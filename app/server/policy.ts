import type { JSONSchemaType } from 'ajv';
import type { Route } from '../store/index.ts';
import { HttpError } from './errors.ts';
import { bodyValidator } from './validate.ts';

/**
 * The decision policy document an admin PUTs (design §5): tier cut-offs on calibrated probability,
 * the route of each tier, a review band around each cut-off, and what low confidence or a missing
 * lawful basis leads to. Versioned by the store on every save.
 * TODO(scoring): when scoring/ exports its policy type and schema, validate against that instead.
 */
export interface DecisionPolicy {
  tiers: { A: number; B: number; C: number };
  routes: { A: Route; B: Route; C: Route; D: Route };
  reviewBand: number;
  lowConfidence: 'rules' | 'review';
  noLawfulBasis: 'rules' | 'none';
}

const ROUTES: Route[] = ['ae', 'sdr', 'nurture', 'review'];
const probability = { type: 'number', minimum: 0, maximum: 1 } as const;
const route = { type: 'string', enum: ROUTES } as const;

const schema: JSONSchemaType<DecisionPolicy> = {
  type: 'object',
  additionalProperties: false,
  required: ['tiers', 'routes', 'reviewBand', 'lowConfidence', 'noLawfulBasis'],
  properties: {
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
    // Above 0.2 the "band" would swallow whole tiers.
    reviewBand: { type: 'number', minimum: 0, maximum: 0.2 },
    lowConfidence: { type: 'string', enum: ['rules', 'review'] },
    noLawfulBasis: { type: 'string', enum: ['rules', 'none'] },
  },
};

const validateShape = bodyValidator(schema);

/** Validates a PUT body: schema first, then the rule a schema cannot state (cut-offs strictly descending). */
export function parsePolicy(body: unknown): DecisionPolicy {
  const policy = validateShape(body);
  const { A, B, C } = policy.tiers;
  if (!(A > B && B > C)) {
    throw new HttpError('validation_failed', 'Validation failed: body.tiers must satisfy A > B > C.');
  }
  return policy;
}

/** What a tenant gets before an admin sets a policy, so scores are useful on day one. */
export const DEFAULT_POLICY: DecisionPolicy = {
  tiers: { A: 0.6, B: 0.3, C: 0.1 },
  routes: { A: 'ae', B: 'sdr', C: 'nurture', D: 'nurture' },
  reviewBand: 0.02,
  lowConfidence: 'rules',
  noLawfulBasis: 'rules',
};
