import type { CanonicalConsent, CanonicalPerson, Connector, Page } from '../types.ts';
import { listPeopleByIds } from './by-ids.ts';
import { createCaller, type Caller, type Clock, type RetryEvent, type Sleep } from './client.ts';
import { listEventsChangedSince, listPeopleChangedSince } from './incremental.ts';
import {
  CONSENT_PROPERTIES,
  LIFECYCLE_DATE_PROPERTIES,
  PERSON_PROPERTIES,
  toPerson,
  type HsObject,
} from './mapping.ts';
import { listOutcomes } from './outcomes.ts';
import { listCompanies, listEvents, listPeople, type PeopleRead } from './paging.ts';
import type { PortalBudget } from './rate-budget.ts';
import type { RetryPolicy } from './retry.ts';
import { ensureSchema } from './schema.ts';
import { clearScores, writeScores } from './write-scores.ts';

export interface HubSpotConnectorOptions {
  /** Asked before every request; refreshing is the app's business (401 → `unauthorized`). */
  accessToken: () => Promise<string>;
  /** The API host without a trailing slash (the emulator in tests); HubSpot's when absent. */
  basePath?: string;
  portalId: number;
  /** The portal's budget, shared by every connector instance of that portal. */
  budget: PortalBudget;
  clock: Clock;
  sleep?: Sleep;
  rng?: () => number;
  retryPolicy?: RetryPolicy;
  /** Contact properties read for features; PERSON_PROPERTIES by default. */
  personProperties?: readonly string[];
  onAttemptFailed?: (event: RetryEvent) => void;
}

export interface HubSpotConnector extends Connector {
  readonly crm: 'hubspot';
  /**
   * Exactly these contacts (ids from webhooks), with consent, outcome and company as on the people
   * pages: one batch read per 100 ids, no search. Unknown or deleted ids are left out.
   */
  listPeopleByIds(ids: readonly string[]): Promise<CanonicalPerson[]>;
}

export function createHubSpotConnector(options: HubSpotConnectorOptions): HubSpotConnector {
  const call: Caller = createCaller(options.basePath, {
    accessToken: options.accessToken,
    budget: options.budget,
    clock: options.clock,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    rng: options.rng ?? Math.random,
    ...(options.retryPolicy === undefined ? {} : { retryPolicy: options.retryPolicy }),
    ...(options.onAttemptFailed === undefined ? {} : { onAttemptFailed: options.onAttemptFailed }),
  });
  const personProperties = [...(options.personProperties ?? PERSON_PROPERTIES)];
  // Every people read (pages, changed-since search, by id) carries the person's consent and lifecycle
  // outcome: the same record, the same moment (types.ts PersonConsent, CanonicalPerson.outcomes), so a
  // contact reaching SQL after install is an outcome the next incremental read records.
  const people: PeopleRead = {
    properties: [...new Set([...personProperties, ...CONSENT_PROPERTIES, ...LIFECYCLE_DATE_PROPERTIES])],
    toPerson: (o: HsObject): CanonicalPerson => toPerson(o, { consent: true, outcomes: true }),
  };
  /**
   * People pages carry consent (listPeople and listPeopleChangedSince read CONSENT_PROPERTIES), so
   * the consent stream is one empty page and no call: a second pass over every contact would spend
   * the portal's budget on what the people pass read already.
   */
  const noConsentStream = (): Promise<Page<CanonicalConsent>> => Promise.resolve({ items: [] });

  return {
    crm: 'hubspot',
    ensureSchema: () => ensureSchema(call),
    listPeople: (cursor) => listPeople(call, people, cursor),
    listCompanies: (cursor) => listCompanies(call, cursor),
    listEvents: (cursor) => listEvents(call, cursor),
    listOutcomes: (cursor) => listOutcomes(call, cursor),
    listConsent: noConsentStream,
    listPeopleChangedSince: (since, cursor) => listPeopleChangedSince(call, people, since, cursor),
    listPeopleByIds: (ids) => listPeopleByIds(call, people, ids),
    listEventsChangedSince: (since, cursor) => listEventsChangedSince(call, since, cursor),
    writeScores: (writes) => writeScores(call, options.clock, writes),
    clearScores: (clears) => clearScores(call, options.clock, clears),
  };
}
