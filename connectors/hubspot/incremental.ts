/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes; its
   serializer reads fields by name, so a literal with the same fields is what it sends. */
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { FilterOperatorEnum as ObjectFilterOperator } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import {
  ConnectorError,
  type CanonicalEvent,
  type CanonicalPerson,
  type ChangedPage,
  type Page,
} from '../types.ts';
import { companyLinks, engagementContacts } from './associations.ts';
import type { Caller } from './client.ts';
import { decodeCursor, encodeCursor, page } from './cursor.ts';
import {
  analyticsEvent,
  ENGAGEMENT_PROPERTIES,
  engagementEvents,
  type EngagementObject,
  type HsObject,
} from './mapping.ts';
import { EVENT_PHASES, LIST_PAGE_SIZE, type PeopleRead } from './paging.ts';
import {
  firstSearchCursor,
  isSearchCursor,
  SEARCH_PAGE_SIZE,
  stepSearch,
  type SearchCursor,
} from './search-cursor.ts';

/**
 * Where an incremental events read stands: the phase (EVENT_PHASES), the sweep's lower bound, and
 * within it the engagement search's cursor (`s`) or the Events API's `after`.
 */
interface ChangedEventsCursor {
  phase: string;
  since: number;
  s?: SearchCursor;
  after?: string;
}

function isChangedEventsCursor(v: unknown): v is ChangedEventsCursor {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.phase === 'string' &&
    typeof r.since === 'number' &&
    (r.s === undefined || isSearchCursor(r.s)) &&
    (r.after === undefined || typeof r.after === 'string')
  );
}

/** When a search hit last changed: its modification property, else the SDK's `updatedAt`. */
function modifiedAt(o: HsObject, property: string): number {
  const raw = o.properties[property];
  const ms = raw === null || raw === undefined ? Number.NaN : Date.parse(raw);
  return Number.isNaN(ms) ? o.updatedAt.getTime() : ms;
}

export async function listPeopleChangedSince(
  call: Caller,
  people: PeopleRead,
  since: number,
  cursor?: string,
): Promise<Page<CanonicalPerson>> {
  const at: SearchCursor =
    cursor === undefined ? firstSearchCursor(since) : decodeCursor(cursor, isSearchCursor);
  // Contacts keep the legacy `lastmodifieddate` (§3.5); GTE plus ascending order lets a new
  // query resume from the last timestamp when the 10,000-result cap nears.
  const res = await call('search', (c) =>
    c.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gte, value: String(at.since) },
          ],
        },
      ],
      sorts: ['lastmodifieddate'],
      properties: people.properties,
      limit: SEARCH_PAGE_SIZE,
      after: String(at.after),
    }),
  );
  const step = stepSearch(
    at,
    res.results.map((o) => ({ id: o.id, modifiedAt: modifiedAt(o, 'lastmodifieddate') })),
    res.paging?.next?.after !== undefined,
  );
  const emit = new Set(step.emit);
  const chosen = res.results.filter((o) => emit.has(o.id));
  const links = await companyLinks(
    call,
    chosen.map((o) => o.id),
  );
  const items = chosen.map((o) => {
    const p = people.toPerson(o);
    const companyId = links.get(o.id);
    return companyId === undefined ? p : { ...p, companyId };
  });
  return page(items, step.next === undefined ? undefined : encodeCursor(step.next));
}

/**
 * Events new since `since`, phase by phase as the backfill's listEvents: engagements (emails,
 * meetings, calls) searched by `hs_lastmodifieddate` GTE since, ascending, through the same
 * 10,000-result restart as the people search, with their contacts from one v4 batch read per page;
 * then the Events API per analytics event type with `occurredAfter` (exclusive: one millisecond
 * before `since`, so "at or after"). The watermark is the newest modification or occurrence read.
 */
export async function listEventsChangedSince(
  call: Caller,
  since: number,
  cursor?: string,
): Promise<ChangedPage<CanonicalEvent>> {
  const at: ChangedEventsCursor =
    cursor === undefined
      ? { phase: EVENT_PHASES[0] as string, since }
      : decodeCursor(cursor, isChangedEventsCursor);
  if (!EVENT_PHASES.includes(at.phase))
    throw new ConnectorError('invalid_request', `unknown cursor phase "${at.phase}"`);
  const nextPhase = (): string | undefined => {
    const phase = EVENT_PHASES[EVENT_PHASES.indexOf(at.phase) + 1];
    return phase === undefined ? undefined : encodeCursor({ phase, since: at.since });
  };
  if (at.phase === 'emails' || at.phase === 'meetings' || at.phase === 'calls') {
    const kind: EngagementObject = at.phase;
    const s = at.s ?? firstSearchCursor(at.since);
    const res = await call('search', (c) =>
      c.crm.objects.searchApi.doSearch(kind, {
        filterGroups: [
          {
            filters: [
              {
                propertyName: 'hs_lastmodifieddate',
                operator: ObjectFilterOperator.Gte,
                value: String(s.since),
              },
            ],
          },
        ],
        sorts: ['hs_lastmodifieddate'],
        properties: [...ENGAGEMENT_PROPERTIES[kind], 'hs_lastmodifieddate'],
        limit: SEARCH_PAGE_SIZE,
        after: String(s.after),
      }),
    );
    const hits = res.results.map((o) => ({ id: o.id, modifiedAt: modifiedAt(o, 'hs_lastmodifieddate') }));
    const step = stepSearch(s, hits, res.paging?.next?.after !== undefined);
    const emit = new Set(step.emit);
    const chosen = res.results.filter((o) => emit.has(o.id));
    const contacts = await engagementContacts(
      call,
      kind,
      chosen.map((o) => o.id),
    );
    const items = chosen.flatMap((o) =>
      engagementEvents(kind, {
        id: o.id,
        createdAt: o.createdAt,
        updatedAt: o.updatedAt,
        properties: o.properties,
        associations: { contacts: { results: (contacts.get(o.id) ?? []).map((id) => ({ id, type: '' })) } },
      }),
    );
    const watermark = hits.reduce<number | undefined>(
      (m, h) => Math.max(m ?? h.modifiedAt, h.modifiedAt),
      undefined,
    );
    const next =
      step.next === undefined
        ? nextPhase()
        : encodeCursor({ phase: at.phase, since: at.since, s: step.next });
    return {
      items,
      ...(next === undefined ? {} : { next }),
      ...(watermark === undefined ? {} : { watermark }),
    };
  }
  const res = await call('standard', (c) =>
    c.events.eventsApi.getPage(
      'contact',
      at.phase,
      at.after,
      undefined,
      LIST_PAGE_SIZE,
      undefined,
      new Date(at.since - 1),
    ),
  );
  const items = res.results.flatMap((e) => {
    const event = analyticsEvent(e);
    return event === undefined ? [] : [event];
  });
  const watermark = res.results.reduce<number | undefined>(
    (m, e) => Math.max(m ?? e.occurredAt.getTime(), e.occurredAt.getTime()),
    undefined,
  );
  const after = res.paging?.next?.after;
  const next = after === undefined ? nextPhase() : encodeCursor({ phase: at.phase, since: at.since, after });
  return {
    items,
    ...(next === undefined ? {} : { next }),
    ...(watermark === undefined ? {} : { watermark }),
  };
}
