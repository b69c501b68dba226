import type { CanonicalCompany, CanonicalPerson, EpochMs } from '../../connectors/index.ts';
import type { JsonObject, JsonValue, RecordVersion } from '../kit/store/index.ts';
import type { StoredCompany, StoredPerson } from './feature-spec.ts';

/**
 * How canonical persons and companies sit in the point-in-time store: one record version holds the
 * CRM's property strings plus the creation time and company link, so an as-of read returns the
 * company link that was valid then too.
 */

export const PERSON_OBJECT_TYPES = ['contact', 'lead'] as const;
export const COMPANY_OBJECT_TYPE = 'company';

export class StoredRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoredRecordError';
  }
}

function propertiesOf(value: JsonValue | undefined, what: string): Record<string, string | null> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoredRecordError(`${what}: properties must be an object`);
  }
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v !== 'string')
      throw new StoredRecordError(`${what}: property ${k} is not a string`);
    out[k] = v;
  }
  return out;
}

/**
 * `updatedAt` is the CRM's modification time of the read a version comes from (the creation time for
 * a backfill's seed). The pipeline stores few properties (storedProperties), so two reads often hold
 * the same ones; with the time in the document a newer read still makes a version, and a read older
 * than one already stored is refused as stale rather than taken for news. Before issue 14 the CRM's
 * own stamp (lastmodifieddate, SystemModstamp) was stored among the properties and did this.
 */
export function personDocument(
  person: CanonicalPerson,
  properties: CanonicalPerson['properties'],
  updatedAt: EpochMs,
): JsonObject {
  return {
    createdAt: person.createdAt,
    updatedAt,
    companyId: person.companyId ?? null,
    properties: { ...properties },
  };
}

export function companyDocument(properties: CanonicalCompany['properties'], updatedAt: EpochMs): JsonObject {
  return { updatedAt, properties: { ...properties } };
}

export function readPerson(version: Pick<RecordVersion, 'crmId' | 'properties'>): StoredPerson {
  const doc = version.properties;
  const what = `person ${version.crmId}`;
  if (typeof doc.createdAt !== 'number') throw new StoredRecordError(`${what}: createdAt is missing`);
  const companyId = doc.companyId;
  if (companyId !== null && companyId !== undefined && typeof companyId !== 'string') {
    throw new StoredRecordError(`${what}: companyId must be a string or null`);
  }
  return {
    crmId: version.crmId,
    createdAt: doc.createdAt,
    companyId: companyId ?? null,
    properties: propertiesOf(doc.properties, what),
  };
}

export function readCompany(version: Pick<RecordVersion, 'crmId' | 'properties'>): StoredCompany {
  return {
    crmId: version.crmId,
    properties: propertiesOf(version.properties.properties, `company ${version.crmId}`),
  };
}
