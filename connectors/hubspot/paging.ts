import type { CanonicalCompany, CanonicalEvent, CanonicalPerson, Page } from '../types.ts';
import type { Caller } from './client.ts';
import { afterOf, encodeCursor, nextPhaseCursor, page, phaseOf } from './cursor.ts';
import {
  ANALYTICS_EVENT_TYPES,
  analyticsEvent,
  COMPANY_PROPERTIES,
  ENGAGEMENT_PROPERTIES,
  engagementEvents,
  toCompany,
  type EngagementObject,
  type HsObject,
} from './mapping.ts';

/** "You can retrieve up to 100 records" per list page (hubspot.md §3.2). */
export const LIST_PAGE_SIZE = 100;

/**
 * Events come from three engagement object types, then one Events API pass per event type. Notes
 * are read by nobody: they are written by reps and say nothing the lead did.
 */
export const EVENT_PHASES: readonly string[] = [
  'emails',
  'meetings',
  'calls',
  ...Object.keys(ANALYTICS_EVENT_TYPES),
];

/** What a people read asks HubSpot for and what each contact becomes: the backfill, the sweep and the read by id alike. */
export interface PeopleRead {
  properties: string[];
  toPerson: (o: HsObject) => CanonicalPerson;
}

/** Every contact, a list page at a time, with its company association. */
export async function listPeople(
  call: Caller,
  people: PeopleRead,
  cursor?: string,
): Promise<Page<CanonicalPerson>> {
  const res = await call('standard', (c) =>
    c.crm.contacts.basicApi.getPage(LIST_PAGE_SIZE, afterOf(cursor), people.properties, undefined, [
      'companies',
    ]),
  );
  const next = res.paging?.next?.after;
  return page(
    res.results.map(people.toPerson),
    next === undefined ? undefined : encodeCursor({ phase: 'contacts', after: next }),
  );
}

export async function listCompanies(call: Caller, cursor?: string): Promise<Page<CanonicalCompany>> {
  const res = await call('standard', (c) =>
    c.crm.companies.basicApi.getPage(LIST_PAGE_SIZE, afterOf(cursor), [...COMPANY_PROPERTIES]),
  );
  const next = res.paging?.next?.after;
  return page(
    res.results.map(toCompany),
    next === undefined ? undefined : encodeCursor({ phase: 'companies', after: next }),
  );
}

/** Every event, phase by phase (EVENT_PHASES): engagement object lists, then the Events API. */
export async function listEvents(call: Caller, cursor?: string): Promise<Page<CanonicalEvent>> {
  const { phase, after } = phaseOf(cursor, EVENT_PHASES);
  if (phase === 'emails' || phase === 'meetings' || phase === 'calls') {
    const kind: EngagementObject = phase;
    const res = await call('standard', (c) =>
      c.crm.objects.basicApi.getPage(
        kind,
        LIST_PAGE_SIZE,
        after,
        [...ENGAGEMENT_PROPERTIES[kind]],
        undefined,
        ['contacts'],
      ),
    );
    const items = res.results.flatMap((o) => engagementEvents(kind, o as HsObject));
    return page(items, nextPhaseCursor(EVENT_PHASES, phase, res.paging?.next?.after));
  }
  const res = await call('standard', (c) =>
    c.events.eventsApi.getPage('contact', phase, after, undefined, LIST_PAGE_SIZE),
  );
  const items = res.results.flatMap((e) => {
    const event = analyticsEvent(e);
    return event === undefined ? [] : [event];
  });
  return page(items, nextPhaseCursor(EVENT_PHASES, phase, res.paging?.next?.after));
}
