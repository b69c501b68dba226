import { Ajv, type ValidateFunction } from 'ajv';
import { describeAjvErrors } from './schema-errors.ts';
import type { LeadInput, Value } from './types.ts';
import { MissingTokens, readEventCount } from './values.ts';

/**
 * Declarative fallback scoring for when no model qualifies yet (a new install) or a model score is
 * not trusted. Points add to a base score; every rule that fires is a reason. Rule scores are not
 * calibrated probabilities, so they always carry low confidence.
 */

export type Condition =
  | { field: string; op: 'eq' | 'neq' | 'contains'; value: string }
  | { field: string; op: 'in'; values: string[] }
  | { field: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { field: string; op: 'present' | 'absent' }
  | { event: string; withinDays: number; atLeast: number; attribute?: string; contains?: string }
  | { all: Condition[] }
  | { any: Condition[] };

export interface Rule {
  id: string;
  when: Condition;
  points: number;
  /** The sentence shown as the reason when the rule fires. */
  reason: string;
}

export interface RuleSet {
  version: string;
  baseScore: number;
  missingTokens?: string[];
  rules: Rule[];
}

const conditionSchema = {
  $id: 'condition',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['field', 'op', 'value'],
      properties: {
        field: { type: 'string', minLength: 1 },
        op: { enum: ['eq', 'neq', 'contains'] },
        value: { type: 'string' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['field', 'op', 'values'],
      properties: {
        field: { type: 'string', minLength: 1 },
        op: { const: 'in' },
        values: { type: 'array', minItems: 1, items: { type: 'string' } },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['field', 'op', 'value'],
      properties: {
        field: { type: 'string', minLength: 1 },
        op: { enum: ['gt', 'gte', 'lt', 'lte'] },
        value: { type: 'number' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['field', 'op'],
      properties: { field: { type: 'string', minLength: 1 }, op: { enum: ['present', 'absent'] } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['event', 'withinDays', 'atLeast'],
      properties: {
        event: { type: 'string', minLength: 1 },
        withinDays: { type: 'number', exclusiveMinimum: 0 },
        atLeast: { type: 'integer', minimum: 1 },
        attribute: { type: 'string' },
        contains: { type: 'string' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['all'],
      properties: { all: { type: 'array', minItems: 1, items: { $ref: 'condition' } } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['any'],
      properties: { any: { type: 'array', minItems: 1, items: { $ref: 'condition' } } },
    },
  ],
} as const;

export const ruleSetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'baseScore', 'rules'],
  properties: {
    version: { type: 'string', minLength: 1 },
    baseScore: { type: 'number', minimum: 0, maximum: 100 },
    missingTokens: { type: 'array', items: { type: 'string' } },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'when', 'points', 'reason'],
        properties: {
          id: { type: 'string', minLength: 1 },
          when: { $ref: 'condition' },
          points: { type: 'number', minimum: -100, maximum: 100 },
          reason: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(conditionSchema);
// Typed as unknown on purpose: the checks below the schema finish the job before the cast.
const validate: ValidateFunction = ajv.compile(ruleSetSchema);

export class InvalidRulesError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid fallback rules: ${problems.join('; ')}`);
    this.name = 'InvalidRulesError';
  }
}

export function parseRuleSet(value: unknown): RuleSet {
  if (!validate(value)) throw new InvalidRulesError(describeAjvErrors(validate.errors, 'rules').slice(0, 5));
  const rules = value as RuleSet;
  const ids = new Set<string>();
  for (const rule of rules.rules) {
    if (ids.has(rule.id)) throw new InvalidRulesError([`rules: rule id "${rule.id}" is used twice`]);
    ids.add(rule.id);
  }
  return rules;
}

export interface RuleReason {
  ruleId: string;
  points: number;
  text: string;
}

export interface RuleScore {
  score: number;
  probability: number;
  positiveReasons: RuleReason[];
  negativeReasons: RuleReason[];
  rulesVersion: string;
}

function text(value: Value): string {
  return value === null || value === undefined ? '' : String(value).trim();
}

function holds(condition: Condition, lead: LeadInput, missing: MissingTokens): boolean {
  if ('all' in condition) return condition.all.every((c) => holds(c, lead, missing));
  if ('any' in condition) return condition.any.some((c) => holds(c, lead, missing));
  if ('event' in condition) {
    const match =
      condition.attribute !== undefined
        ? {
            attribute: condition.attribute,
            ...(condition.contains !== undefined ? { contains: condition.contains } : {}),
          }
        : undefined;
    const reading = readEventCount(lead, condition.event, condition.withinDays, match);
    return !Number.isNaN(reading.value) && reading.value >= condition.atLeast;
  }
  const raw = lead.attributes[condition.field];
  const isMissing = missing.isMissing(raw);
  switch (condition.op) {
    case 'present':
      return !isMissing;
    case 'absent':
      return isMissing;
    case 'eq':
      return !isMissing && text(raw).toLowerCase() === condition.value.toLowerCase();
    case 'neq':
      return isMissing || text(raw).toLowerCase() !== condition.value.toLowerCase();
    case 'contains':
      return !isMissing && text(raw).toLowerCase().includes(condition.value.toLowerCase());
    case 'in':
      return !isMissing && condition.values.some((v) => v.toLowerCase() === text(raw).toLowerCase());
    default: {
      if (isMissing) return false;
      const n = typeof raw === 'number' ? raw : Number(text(raw));
      if (!Number.isFinite(n)) return false;
      if (condition.op === 'gt') return n > condition.value;
      if (condition.op === 'gte') return n >= condition.value;
      if (condition.op === 'lt') return n < condition.value;
      return n <= condition.value;
    }
  }
}

export class RuleScorer {
  private readonly missing: MissingTokens;
  constructor(readonly ruleSet: RuleSet) {
    this.missing = new MissingTokens(ruleSet.missingTokens ?? []);
  }

  score(lead: LeadInput): RuleScore {
    let score = this.ruleSet.baseScore;
    const fired: RuleReason[] = [];
    for (const rule of this.ruleSet.rules) {
      if (!holds(rule.when, lead, this.missing)) continue;
      score += rule.points;
      fired.push({ ruleId: rule.id, points: rule.points, text: rule.reason });
    }
    score = Math.min(100, Math.max(0, Math.round(score)));
    const byStrength = fired.slice().sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
    return {
      score,
      probability: score / 100,
      positiveReasons: byStrength.filter((r) => r.points > 0).slice(0, 3),
      negativeReasons: byStrength.filter((r) => r.points < 0).slice(0, 3),
      rulesVersion: this.ruleSet.version,
    };
  }
}
