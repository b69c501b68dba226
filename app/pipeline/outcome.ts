import { Ajv, type ValidateFunction } from 'ajv';
import type { CrmKind } from '../../connectors/index.ts';

/**
 * What counts as a conversion for a tenant, and when a person is judged. The connector emits outcome
 * types (its contract with this module); the definition says which of them count and within what horizon.
 */
export interface OutcomeDefinition {
  /** Outcome types that count as a conversion. */
  types: string[];
  /** A conversion counts when it happens within this many days after the decision time. */
  horizonDays: number;
  /** A person is judged (features frozen) this many days after creation. */
  decisionDelayDays: number;
}

/**
 * Defaults (design §3, issues 4 and 5): HubSpot lifecycle stage reaching SQL or later, or a deal
 * associated; Salesforce lead converted or an opportunity created. The type names are what the
 * connectors emit as `CanonicalOutcome.type`.
 */
export const DEFAULT_OUTCOMES: Readonly<Record<CrmKind, OutcomeDefinition>> = {
  hubspot: {
    types: ['lifecycle_sql_or_later', 'deal_created'],
    horizonDays: 90,
    decisionDelayDays: 7,
  },
  salesforce: { types: ['lead_converted', 'opportunity_created'], horizonDays: 90, decisionDelayDays: 7 },
};

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['types', 'horizonDays', 'decisionDelayDays'],
  properties: {
    types: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
    horizonDays: { type: 'integer', minimum: 1, maximum: 730 },
    decisionDelayDays: { type: 'integer', minimum: 0, maximum: 365 },
  },
} as const;

const validate: ValidateFunction = new Ajv({ allErrors: true, strict: true }).compile(schema);

export class InvalidOutcomeDefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid outcome definition: ${problems.join('; ')}`);
    this.name = 'InvalidOutcomeDefinitionError';
  }
}

export function parseOutcomeDefinition(value: unknown): OutcomeDefinition {
  if (!validate(value)) {
    throw new InvalidOutcomeDefinitionError(
      (validate.errors ?? []).map((e) => `outcome${e.instancePath} ${e.message ?? 'is invalid'}`),
    );
  }
  return value as OutcomeDefinition;
}
