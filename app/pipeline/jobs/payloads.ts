import { PEOPLE_CHANGED_SOURCES, type PeopleChangedSource } from '../people-changed.ts';
import { NOT_NULL, jobValueValidator } from './validate.ts';

/**
 * Every job type's payload as a type and a schema, compiled once. A payload that fails its schema
 * fails the job for good with the reason (retrying reads the same row). The schemas accept every
 * shape a producer of this codebase has ever queued, so jobs waiting in a queue across an upgrade
 * still run: each legacy field says where it came from.
 */

const strings = { type: 'array', items: { type: 'string' } } as const;

/** backfill: queued by the install (`connect.ts`) with `{}`; it reads everything. */
export type BackfillPayload = Record<string, never>;

export const backfillPayload = jobValueValidator<BackfillPayload>('backfill payload', {
  type: 'object',
  additionalProperties: false,
  required: [],
});

/**
 * CRM record ids only ([0-9A-Za-z]: Salesforce 15/18-character ids, HubSpot numeric ids): a payload
 * with anything else is refused, never put into a query. The Salesforce connector further keeps
 * Lead (00Q) and Contact (003) ids only.
 */
const RECORD_ID = { type: 'string', pattern: '^[0-9A-Za-z]+$', maxLength: 64 } as const;

/** incremental: a PeopleChanged (people-changed.ts), plus the fields of jobs queued before it. */
export interface IncrementalPayload {
  /** Absent in jobs from sweeps before PeopleChanged (`{ sweep: slot }`) and in tests' `{}`. */
  source?: PeopleChangedSource;
  recordIds?: string[];
  entities?: string[];
  /**
   * Legacy: HubSpot webhook jobs named their contacts `personIds`; nothing read them (they were never
   * checked as record ids either), so those jobs sweep the people pages as they always did. Jobs
   * queued since name them in `recordIds` and are read by id.
   */
  personIds?: string[];
  /**
   * Legacy: one Salesforce change event per job (`{ source: 'cdc', entity, recordIds }`). Ids of an
   * entity other than Lead or Contact (Account, Task…) name no person: that job sweeps.
   */
  entity?: string;
  /** Legacy: the sweep's time slot, which is also in its idempotency key. */
  sweep?: number;
}

export const incrementalPayload = jobValueValidator<IncrementalPayload>('incremental payload', {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: PEOPLE_CHANGED_SOURCES, nullable: true, ...NOT_NULL },
    recordIds: { type: 'array', items: RECORD_ID, nullable: true, ...NOT_NULL },
    entities: { ...strings, nullable: true, ...NOT_NULL },
    personIds: { ...strings, nullable: true, ...NOT_NULL },
    entity: { type: 'string', nullable: true, ...NOT_NULL },
    sweep: { type: 'integer', nullable: true, ...NOT_NULL },
  },
});

/** The record ids to fetch by id, if the job names people (not for a legacy non-person entity). */
export function recordIdsOf(payload: IncrementalPayload): string[] | undefined {
  if (payload.entity !== undefined && payload.entity !== 'Lead' && payload.entity !== 'Contact')
    return undefined;
  return payload.recordIds;
}

/** retrain: `{ afterBackfill: true }` after a backfill; `{}` from an operator or a test. */
export interface RetrainPayload {
  afterBackfill?: boolean;
}

export const retrainPayload = jobValueValidator<RetrainPayload>('retrain payload', {
  type: 'object',
  additionalProperties: false,
  properties: { afterBackfill: { type: 'boolean', nullable: true, ...NOT_NULL } },
});

/** rescore: everyone (`{ afterBackfill }` from retrain, or `{}`), or the people named in `personIds`. */
export interface RescorePayload {
  afterBackfill?: boolean;
  personIds?: string[];
}

export const rescorePayload = jobValueValidator<RescorePayload>('rescore payload', {
  type: 'object',
  additionalProperties: false,
  properties: {
    afterBackfill: { type: 'boolean', nullable: true, ...NOT_NULL },
    personIds: { ...strings, nullable: true, ...NOT_NULL },
  },
});

/** write-back: `{}` from rescore and the quota wait, `{ replay: true }` from the dead-letter replay. */
export interface WriteBackPayload {
  replay?: boolean;
}

export const writeBackPayload = jobValueValidator<WriteBackPayload>('write-back payload', {
  type: 'object',
  additionalProperties: false,
  properties: { replay: { type: 'boolean', nullable: true, ...NOT_NULL } },
});

/** clear-scores: the persons the score step found without a lawful basis (score.ts, clear.ts). */
export interface ClearScoresPayload {
  people: { personId: string; objectType: 'contact' | 'lead' }[];
}

export const clearScoresPayload = jobValueValidator<ClearScoresPayload>('clear-scores payload', {
  type: 'object',
  additionalProperties: false,
  required: ['people'],
  properties: {
    people: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['personId', 'objectType'],
        properties: {
          personId: { type: 'string' },
          objectType: { type: 'string', enum: ['contact', 'lead'] },
        },
      },
    },
  },
});
