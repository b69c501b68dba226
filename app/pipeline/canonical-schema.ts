import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type {
  CanonicalCompany,
  CanonicalConsent,
  CanonicalEvent,
  CanonicalOutcome,
  CanonicalPerson,
} from '../../connectors/index.ts';

/**
 * Connector pages are checked before anything is written: a connector bug must fail the page loudly
 * (naming the item and field), never put half a record into the feature store.
 */

const time = { type: 'integer', minimum: 0 } as const;
const id = { type: 'string', minLength: 1, maxLength: 255 } as const;
const stringProps = { type: 'object', additionalProperties: { type: ['string', 'null'] } } as const;

const outcomeSchema = {
  type: 'object',
  required: ['personId', 'type', 'occurredAt'],
  properties: { personId: id, type: id, occurredAt: time },
} as const;

const personSchema = {
  type: 'object',
  required: ['crmId', 'objectType', 'createdAt', 'updatedAt', 'properties'],
  properties: {
    crmId: id,
    objectType: { enum: ['contact', 'lead'] },
    createdAt: time,
    updatedAt: time,
    properties: stringProps,
    companyId: id,
    consent: {
      type: 'object',
      required: ['profilingAllowed', 'basis'],
      properties: { profilingAllowed: { type: 'boolean' }, basis: { type: ['string', 'null'] } },
    },
    outcomes: { type: 'array', items: outcomeSchema },
  },
} as const;

const companySchema = {
  type: 'object',
  required: ['crmId', 'createdAt', 'updatedAt', 'properties'],
  properties: { crmId: id, createdAt: time, updatedAt: time, properties: stringProps },
} as const;

const eventSchema = {
  type: 'object',
  required: ['personId', 'type', 'occurredAt', 'attributes', 'sourceId'],
  properties: {
    personId: id,
    type: {
      enum: [
        'page_view',
        'form_submission',
        'email_open',
        'email_click',
        'email_reply',
        'meeting',
        'call',
        'content_download',
      ],
    },
    occurredAt: time,
    attributes: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    sourceId: id,
  },
} as const;

const consentSchema = {
  type: 'object',
  required: ['personId', 'profilingAllowed', 'basis', 'recordedAt'],
  properties: {
    personId: id,
    profilingAllowed: { type: 'boolean' },
    basis: { type: ['string', 'null'] },
    recordedAt: time,
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });

export class InvalidPageError extends Error {
  constructor(
    readonly kind: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid ${kind} page from the connector: ${problems.slice(0, 5).join('; ')}`);
    this.name = 'InvalidPageError';
  }
}

function describe(errors: ErrorObject[] | null | undefined, at: string): string[] {
  return (errors ?? []).map((e) => `${at}${e.instancePath} ${e.message ?? 'is invalid'}`);
}

function pageValidator<T>(kind: string, schema: object): (items: readonly unknown[]) => T[] {
  const validate: ValidateFunction = ajv.compile(schema);
  return (items) => {
    const problems: string[] = [];
    items.forEach((item, i) => {
      if (!validate(item)) problems.push(...describe(validate.errors, `${kind}[${i}]`));
    });
    if (problems.length > 0) throw new InvalidPageError(kind, problems);
    return items as T[];
  };
}

export const checkPeople = pageValidator<CanonicalPerson>('people', personSchema);
export const checkCompanies = pageValidator<CanonicalCompany>('companies', companySchema);
export const checkEvents = pageValidator<CanonicalEvent>('events', eventSchema);
export const checkOutcomes = pageValidator<CanonicalOutcome>('outcomes', outcomeSchema);
export const checkConsent = pageValidator<CanonicalConsent>('consent', consentSchema);
