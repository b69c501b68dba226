import type { JsonObject } from '../kit/store/index.ts';

/**
 * What every producer of an `incremental` job says: people in the CRM changed. HubSpot webhooks and
 * Salesforce change events name the records they know of; a change to another object (Account,
 * Task…), a replay gap or the timed sweep name none and ask for the changed-since read.
 */
export const PEOPLE_CHANGED_SOURCES = ['webhook', 'cdc', 'cdc-gap', 'sweep'] as const;

export type PeopleChangedSource = (typeof PEOPLE_CHANGED_SOURCES)[number];

// A type alias, not an interface: it is a JsonValue, as a job payload must be.
export type PeopleChanged = {
  /**
   * `webhook` jobs read their records by id, or the people pages only, never events (see
   * jobs/incremental.ts); the others without record ids read events too.
   */
  source: PeopleChangedSource;
  /**
   * The changed people's CRM record ids (HubSpot contact ids, Salesforce Lead/Contact ids): fetched by
   * id where the connector can (both do: jobs/targeted.ts), otherwise the changed-since read finds them.
   */
  recordIds?: string[];
  /** Objects whose change asks for the changed-since read (Salesforce entity names); informative. */
  entities?: string[];
};

/** The payload of an `incremental` job: exactly the fields of `changed` that are set. */
export function peopleChanged(changed: PeopleChanged): JsonObject {
  const payload: JsonObject = { source: changed.source };
  if (changed.recordIds !== undefined) payload.recordIds = [...changed.recordIds];
  if (changed.entities !== undefined) payload.entities = [...changed.entities];
  return payload;
}
