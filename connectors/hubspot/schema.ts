/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes; its
   serializer reads fields by name, so a literal with the same fields is what it sends. */
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { ConnectorError, type ScoreFields } from '../types.ts';
import type { Caller } from './client.ts';

/** The contact property group holding every leadgate property (design §7). */
export const PROPERTY_GROUP = { name: 'leadgate', label: 'leadgate', displayOrder: -1 } as const;

export interface PropertySpec {
  name: string;
  label: string;
  description: string;
  /** Valid type/fieldType pairs only (hubspot.md §2.3): number→number, enumeration→select, string→text|textarea, datetime→date. */
  type: 'number' | 'enumeration' | 'string' | 'datetime';
  fieldType: 'number' | 'select' | 'text' | 'textarea' | 'date';
  options?: readonly string[];
}

/** The write-back contract of design §7 as HubSpot contact properties: the one place they are defined. */
export const LEADGATE_PROPERTIES: readonly PropertySpec[] = [
  {
    name: 'leadgate_score',
    label: 'Lead score',
    description: 'Calibrated probability of conversion, 0–100.',
    type: 'number',
    fieldType: 'number',
  },
  {
    name: 'leadgate_tier',
    label: 'Lead tier',
    description: 'A (best) to D.',
    type: 'enumeration',
    fieldType: 'select',
    options: ['A', 'B', 'C', 'D'],
  },
  {
    name: 'leadgate_fit_score',
    label: 'Fit score',
    description: 'Share of the score from firmographic and demographic fit, 0–100.',
    type: 'number',
    fieldType: 'number',
  },
  {
    name: 'leadgate_engagement_score',
    label: 'Engagement score',
    description: 'Share of the score from engagement, 0–100.',
    type: 'number',
    fieldType: 'number',
  },
  {
    name: 'leadgate_route',
    label: 'Lead route',
    description: 'Where the lead goes next.',
    type: 'enumeration',
    fieldType: 'select',
    options: ['ae', 'sdr', 'nurture', 'review'],
  },
  {
    name: 'leadgate_confidence',
    label: 'Score confidence',
    description: 'How much the score can be trusted.',
    type: 'enumeration',
    fieldType: 'select',
    options: ['high', 'medium', 'low'],
  },
  {
    name: 'leadgate_reasons',
    label: 'Score reasons',
    description: 'The main reasons for the score, in plain words.',
    type: 'string',
    fieldType: 'textarea',
  },
  {
    name: 'leadgate_model_version',
    label: 'Model version',
    description: 'The model or rule set that produced the score.',
    type: 'string',
    fieldType: 'text',
  },
  {
    name: 'leadgate_scored_at',
    label: 'Scored at',
    description: 'When the score was computed.',
    type: 'datetime',
    fieldType: 'date',
  },
];

/** A string holds at most 65,536 characters (hubspot.md §2.3). */
export const MAX_STRING_LENGTH = 65_536;

/**
 * ScoreFields as HubSpot property values. Every value travels as a string (§2.4); `""` clears a
 * value, so a missing sub-score clears the property rather than leaving a stale one; datetimes go
 * as ISO 8601 UTC, which HubSpot accepts and answers with (§2.4).
 */
export function toHubSpotProperties(fields: ScoreFields): Record<string, string> {
  const num = (n: number | null): string => (n === null ? '' : String(Math.round(n * 100) / 100));
  return {
    leadgate_score: num(fields.score),
    leadgate_tier: fields.tier,
    leadgate_fit_score: num(fields.fitScore),
    leadgate_engagement_score: num(fields.engagementScore),
    leadgate_route: fields.route,
    leadgate_confidence: fields.confidence,
    leadgate_reasons: fields.reasons.slice(0, MAX_STRING_LENGTH),
    leadgate_model_version: fields.modelVersion,
    leadgate_scored_at: new Date(fields.scoredAt).toISOString(),
  };
}

const TYPE: Readonly<Record<PropertySpec['type'], PropertyCreateTypeEnum>> = {
  number: PropertyCreateTypeEnum.Number,
  enumeration: PropertyCreateTypeEnum.Enumeration,
  string: PropertyCreateTypeEnum.String,
  datetime: PropertyCreateTypeEnum.Datetime,
};
const FIELD_TYPE: Readonly<Record<PropertySpec['fieldType'], PropertyCreateFieldTypeEnum>> = {
  number: PropertyCreateFieldTypeEnum.Number,
  select: PropertyCreateFieldTypeEnum.Select,
  text: PropertyCreateFieldTypeEnum.Text,
  textarea: PropertyCreateFieldTypeEnum.Textarea,
  date: PropertyCreateFieldTypeEnum.Date,
};

/** Tolerates 409 on create: the group or property exists already (idempotent setup, §2.5). */
async function ignoringConflict(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof ConnectorError) || e.code !== 'conflict') throw e;
  }
}

/** Creates the leadgate contact property group and whichever LEADGATE_PROPERTIES are missing. */
export async function ensureSchema(call: Caller): Promise<void> {
  const groups = await call('standard', (c) => c.crm.properties.groupsApi.getAll('contacts'));
  if (!groups.results.some((g) => g.name === PROPERTY_GROUP.name)) {
    await ignoringConflict(() =>
      call('standard', (c) => c.crm.properties.groupsApi.create('contacts', { ...PROPERTY_GROUP })),
    );
  }
  const existing = await call('standard', (c) => c.crm.properties.coreApi.getAll('contacts'));
  const byName = new Map(existing.results.map((p) => [p.name, p]));
  for (const spec of LEADGATE_PROPERTIES) {
    const found = byName.get(spec.name);
    if (found !== undefined) {
      // A same-named property of another type would reject every score we write.
      if (found.type !== spec.type)
        throw new ConnectorError(
          'conflict',
          `contact property ${spec.name} exists as ${found.type}, leadgate needs ${spec.type}`,
          { vendorCode: 'PROPERTY_TYPE_MISMATCH' },
        );
      continue;
    }
    await ignoringConflict(() =>
      call('standard', (c) =>
        c.crm.properties.coreApi.create('contacts', {
          name: spec.name,
          label: spec.label,
          description: spec.description,
          type: TYPE[spec.type],
          fieldType: FIELD_TYPE[spec.fieldType],
          groupName: PROPERTY_GROUP.name,
          ...(spec.options === undefined
            ? {}
            : {
                options: spec.options.map((value, displayOrder) => ({
                  label: value,
                  value,
                  displayOrder,
                  hidden: false,
                })),
              }),
        }),
      ),
    );
  }
}
