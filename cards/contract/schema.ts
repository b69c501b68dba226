import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import {
  CARD_CONTRACT_VERSION,
  CONFIDENCES,
  DIRECTIONS,
  MAX_HISTORY,
  MAX_REASONS,
  ROUTES,
  TIERS,
} from './types.ts';
import type { CardContract } from './types.ts';

/** `Date.prototype.toISOString()` form: UTC, millisecond precision, `Z`. */
const ISO_UTC = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$';

const percent = { type: 'integer', minimum: 0, maximum: 100 } as const;
const nullablePercent = { type: ['integer', 'null'], minimum: 0, maximum: 100 } as const;

const reason = {
  type: 'object',
  required: ['text', 'direction'],
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 500 },
    direction: { enum: [...DIRECTIONS] },
  },
} as const;

const historyPoint = {
  type: 'object',
  required: ['score', 'tier', 'scoredAt'],
  additionalProperties: false,
  properties: {
    score: percent,
    tier: { enum: [...TIERS] },
    scoredAt: { type: 'string', pattern: ISO_UTC },
  },
} as const;

const REQUIRED = [
  'contractVersion',
  'objectId',
  'state',
  'score',
  'tier',
  'fitScore',
  'engagementScore',
  'confidence',
  'route',
  'reasons',
  'modelVersion',
  'scoredAt',
  'history',
] as const;

const objectId = { type: 'string', minLength: 1, maxLength: 100 } as const;
const contractVersion = { const: CARD_CONTRACT_VERSION } as const;

const scored = {
  type: 'object',
  required: [...REQUIRED],
  additionalProperties: false,
  properties: {
    contractVersion,
    objectId,
    state: { const: 'scored' },
    score: percent,
    tier: { enum: [...TIERS] },
    fitScore: nullablePercent,
    engagementScore: nullablePercent,
    confidence: { enum: [...CONFIDENCES] },
    route: { enum: [...ROUTES] },
    reasons: { type: 'array', maxItems: MAX_REASONS, items: reason },
    modelVersion: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
    scoredAt: { type: 'string', pattern: ISO_UTC },
    history: { type: 'array', minItems: 1, maxItems: MAX_HISTORY, items: historyPoint },
  },
} as const;

const unscored = {
  type: 'object',
  required: [...REQUIRED],
  additionalProperties: false,
  properties: {
    contractVersion,
    objectId,
    state: { enum: ['not_scored', 'not_found'] },
    score: { type: 'null' },
    tier: { type: 'null' },
    fitScore: { type: 'null' },
    engagementScore: { type: 'null' },
    confidence: { type: 'null' },
    route: { type: 'null' },
    reasons: { type: 'array', maxItems: 0 },
    modelVersion: { type: 'null' },
    scoredAt: { type: 'null' },
    history: { type: 'array', maxItems: 0 },
  },
} as const;

/** The contract as JSON Schema (draft-07, ajv): the Salesforce LWC and any other reader can use it too. */
export const CARD_CONTRACT_SCHEMA = {
  $id: 'https://leadgate.dev/schemas/card-contract-v1.json',
  oneOf: [scored, unscored],
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validate: ValidateFunction<CardContract> = ajv.compile<CardContract>(CARD_CONTRACT_SCHEMA);

/** True when value is a valid card contract. */
export function isCardContract(value: unknown): value is CardContract {
  return validate(value);
}

/** Every problem with value as a card contract, `/path message`; empty when it is valid. */
export function cardContractProblems(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`,
  );
}
