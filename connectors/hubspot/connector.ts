/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes; its
   serializer reads fields by name, so a literal with the same fields is what it sends. */
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { FilterOperatorEnum as ObjectFilterOperator } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import {
  ConnectorError,
  type CanonicalCompany,
  type CanonicalConsent,
  type CanonicalEvent,
  type CanonicalOutcome,
  type CanonicalPerson,
  type ChangedPage,
  type Connector,
  type Page,
  type ScoreClear,
  type ScoreWrite,
  type WriteResult,
} from '../types.ts';
import { createCaller, type Caller, type Clock, type RetryEvent, type Sleep } from './client.ts';
import { decodeCursor, encodeCursor, isPhaseCursor, nextPhaseCursor, type PhaseCursor } from './cursor.ts';
import { mapBatchItemError, toConnectorError } from './errors.ts';
import {
  ANALYTICS_EVENT_TYPES,
  analyticsEvent,
  COMPANY_PROPERTIES,
  CONSENT_PROPERTIES,
  dealOutcomes,
  engagementEvents,
  LIFECYCLE_DATE_PROPERTIES,
  lifecycleOutcome,
  PERSON_PROPERTIES,
  toCompany,
  toPerson,
  type EngagementObject,
  type HsObject,
} from './mapping.ts';
import type { PortalBudget } from './rate-budget.ts';
import type { RetryPolicy } from './retry.ts';
import { LEADGATE_PROPERTIES, PROPERTY_GROUP, toHubSpotProperties, type PropertySpec } from './schema.ts';
import {
  firstSearchCursor,
  isSearchCursor,
  SEARCH_PAGE_SIZE,
  stepSearch,
  type SearchCursor,
} from './search-cursor.ts';

/** "You can retrieve up to 100 records" per list page (hubspot.md §3.2). */
export const LIST_PAGE_SIZE = 100;
/** "Object API batch endpoints are limited to 100 inputs per request" (hubspot.md §3.4). */
export const BATCH_SIZE = 100;

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

const ENGAGEMENT_PROPERTIES: Readonly<Record<EngagementObject, readonly string[]>> = {
  emails: ['hs_timestamp', 'hs_email_direction', 'hs_email_subject'],
  meetings: [
    'hs_timestamp',
    'hs_meeting_title',
    'hs_meeting_start_time',
    'hs_meeting_end_time',
    'hs_meeting_outcome',
  ],
  calls: ['hs_timestamp', 'hs_call_title', 'hs_call_duration', 'hs_call_disposition'],
};

/**
 * Events come from three engagement object types, then one Events API pass per event type. Notes
 * are read by nobody: they are written by reps and say nothing the lead did.
 */
const EVENT_PHASES: readonly string[] = [
  'emails',
  'meetings',
  'calls',
  ...Object.keys(ANALYTICS_EVENT_TYPES),
];
const OUTCOME_PHASES: readonly string[] = ['lifecycle', 'deals'];

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

function phaseOf(cursor: string | undefined, phases: readonly string[]): PhaseCursor {
  if (cursor === undefined) return { phase: phases[0] as string };
  const c = decodeCursor(cursor, isPhaseCursor);
  if (!phases.includes(c.phase))
    throw new ConnectorError('invalid_request', `unknown cursor phase "${c.phase}"`);
  return c;
}

function afterOf(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor, isPhaseCursor).after;
}

function page<T>(items: T[], next: string | undefined): Page<T> {
  return next === undefined ? { items } : { items, next };
}

/** Tolerates 409 on create: the group or property exists already (idempotent setup, §2.5). */
async function ignoringConflict(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof ConnectorError) || e.code !== 'conflict') throw e;
  }
}

/** One record's property values for a batch update. */
interface PropertyWrite {
  crmId: string;
  objectType: ScoreWrite['objectType'];
  properties: Record<string, string>;
}

/** Every leadgate property empty: HubSpot clears a property written as "" (consent withdrawn). */
const CLEARED: Readonly<Record<string, string>> = Object.fromEntries(
  LEADGATE_PROPERTIES.map((p) => [p.name, '']),
);

/** `undefined`-free chunks of at most `size`, never holding the same id twice (batch update rejects duplicates). */
function chunks(writes: readonly PropertyWrite[], size: number): PropertyWrite[][] {
  const out: PropertyWrite[][] = [];
  let current: PropertyWrite[] = [];
  let ids = new Set<string>();
  for (const w of writes) {
    if (current.length === size || ids.has(w.crmId)) {
      out.push(current);
      current = [];
      ids = new Set();
    }
    current.push(w);
    ids.add(w.crmId);
  }
  if (current.length > 0) out.push(current);
  return out;
}

export function createHubSpotConnector(options: HubSpotConnectorOptions): Connector {
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
  // Every people read carries the person's consent and lifecycle outcome: the same record, the same
  // moment (types.ts PersonConsent, CanonicalPerson.outcomes), so a contact reaching SQL after install
  // is an outcome the next incremental sweep records.
  const peopleProperties = [
    ...new Set([...personProperties, ...CONSENT_PROPERTIES, ...LIFECYCLE_DATE_PROPERTIES]),
  ];
  const person = (o: HsObject): CanonicalPerson => toPerson(o, { consent: true, outcomes: true });

  async function ensureSchema(): Promise<void> {
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

  async function companyLinks(ids: readonly string[]): Promise<Map<string, string>> {
    const links = new Map<string, string>();
    if (ids.length === 0) return links;
    // Search results carry no associations: one v4 batch read per page (≤ 1,000 inputs, §3.6).
    const res = await call('standard', (c) =>
      c.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: ids.map((id) => ({ id })) }),
    );
    for (const r of res.results) {
      // Type 1 is the primary contact→company association (§3.6).
      const primary = r.to.find((t) => t.associationTypes.some((a) => a.typeId === 1)) ?? r.to[0];
      if (primary !== undefined) links.set(r._from.id, primary.toObjectId);
    }
    return links;
  }

  async function listPeople(cursor?: string): Promise<Page<CanonicalPerson>> {
    const res = await call('standard', (c) =>
      c.crm.contacts.basicApi.getPage(LIST_PAGE_SIZE, afterOf(cursor), peopleProperties, undefined, [
        'companies',
      ]),
    );
    const next = res.paging?.next?.after;
    return page(
      res.results.map(person),
      next === undefined ? undefined : encodeCursor({ phase: 'contacts', after: next }),
    );
  }

  async function listCompanies(cursor?: string): Promise<Page<CanonicalCompany>> {
    const res = await call('standard', (c) =>
      c.crm.companies.basicApi.getPage(LIST_PAGE_SIZE, afterOf(cursor), [...COMPANY_PROPERTIES]),
    );
    const next = res.paging?.next?.after;
    return page(
      res.results.map(toCompany),
      next === undefined ? undefined : encodeCursor({ phase: 'companies', after: next }),
    );
  }

  async function listEvents(cursor?: string): Promise<Page<CanonicalEvent>> {
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

  async function listOutcomes(cursor?: string): Promise<Page<CanonicalOutcome>> {
    const { phase, after } = phaseOf(cursor, OUTCOME_PHASES);
    if (phase === 'lifecycle') {
      const res = await call('standard', (c) =>
        c.crm.contacts.basicApi.getPage(LIST_PAGE_SIZE, after, LIFECYCLE_DATE_PROPERTIES),
      );
      const items = res.results.flatMap((o) => {
        const outcome = lifecycleOutcome(o);
        return outcome === undefined ? [] : [outcome];
      });
      return page(items, nextPhaseCursor(OUTCOME_PHASES, phase, res.paging?.next?.after));
    }
    const res = await call('standard', (c) =>
      c.crm.deals.basicApi.getPage(LIST_PAGE_SIZE, after, ['createdate'], undefined, ['contacts']),
    );
    return page(
      res.results.flatMap(dealOutcomes),
      nextPhaseCursor(OUTCOME_PHASES, phase, res.paging?.next?.after),
    );
  }

  /**
   * People pages carry consent (listPeople and listPeopleChangedSince read CONSENT_PROPERTIES), so
   * the consent stream is one empty page and no call: a second pass over every contact would spend
   * the portal's budget on what the people pass read already.
   */
  function listConsent(): Promise<Page<CanonicalConsent>> {
    return Promise.resolve({ items: [] });
  }

  async function listPeopleChangedSince(since: number, cursor?: string): Promise<Page<CanonicalPerson>> {
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
        properties: peopleProperties,
        limit: SEARCH_PAGE_SIZE,
        after: String(at.after),
      }),
    );
    const modifiedAt = (o: HsObject): number => {
      const raw = o.properties.lastmodifieddate;
      const ms = raw === null || raw === undefined ? Number.NaN : Date.parse(raw);
      return Number.isNaN(ms) ? o.updatedAt.getTime() : ms;
    };
    const step = stepSearch(
      at,
      res.results.map((o) => ({ id: o.id, modifiedAt: modifiedAt(o) })),
      res.paging?.next?.after !== undefined,
    );
    const emit = new Set(step.emit);
    const chosen = res.results.filter((o) => emit.has(o.id));
    const links = await companyLinks(chosen.map((o) => o.id));
    const items = chosen.map((o) => {
      const p = person(o);
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
  async function listEventsChangedSince(
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
      const modifiedAt = (o: HsObject): number => {
        const raw = o.properties.hs_lastmodifieddate;
        const ms = raw === null || raw === undefined ? Number.NaN : Date.parse(raw);
        return Number.isNaN(ms) ? o.updatedAt.getTime() : ms;
      };
      const hits = res.results.map((o) => ({ id: o.id, modifiedAt: modifiedAt(o) }));
      const step = stepSearch(s, hits, res.paging?.next?.after !== undefined);
      const emit = new Set(step.emit);
      const chosen = res.results.filter((o) => emit.has(o.id));
      const contacts = await engagementContacts(
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
    const next =
      after === undefined ? nextPhase() : encodeCursor({ phase: at.phase, since: at.since, after });
    return {
      items,
      ...(next === undefined ? {} : { next }),
      ...(watermark === undefined ? {} : { watermark }),
    };
  }

  /** The contacts of these engagements: search results carry no associations (one v4 batch read, §3.6). */
  async function engagementContacts(
    kind: EngagementObject,
    ids: readonly string[],
  ): Promise<Map<string, string[]>> {
    const links = new Map<string, string[]>();
    if (ids.length === 0) return links;
    const res = await call('standard', (c) =>
      c.crm.associations.v4.batchApi.getPage(kind, 'contacts', { inputs: ids.map((id) => ({ id })) }),
    );
    for (const r of res.results)
      links.set(
        r._from.id,
        r.to.map((t) => t.toObjectId),
      );
    return links;
  }

  async function writeChunk(chunk: readonly PropertyWrite[]): Promise<WriteResult[]> {
    const contacts = chunk.filter((w) => w.objectType === 'contact');
    const failed = new Map<string, ConnectorError>();
    for (const w of chunk)
      if (w.objectType !== 'contact')
        failed.set(w.crmId, new ConnectorError('invalid_request', `HubSpot has no ${w.objectType} records`));
    const written = new Set<string>();
    if (contacts.length > 0) {
      try {
        const res = await call('standard', (c) =>
          c.crm.contacts.batchApi.update({
            inputs: contacts.map((w) => ({ id: w.crmId, properties: w.properties })),
          }),
        );
        for (const r of res.results) written.add(r.id);
        // A 207 resolves in the SDK; the failures are in `errors[]`, each naming its ids (§3.4).
        if ('errors' in res) {
          for (const item of res.errors ?? []) {
            const error = mapBatchItemError(item);
            for (const id of item.context.ids ?? []) failed.set(id, error);
          }
        }
      } catch (e) {
        const error = toConnectorError(e, options.clock.now());
        // A 400 for the whole batch is about our request, not the portal: report it per record
        // so the app dead-letters them and the other batches go on. Anything else stops the call.
        if (error.code !== 'invalid_request') throw error;
        for (const w of contacts) failed.set(w.crmId, error);
      }
    }
    return chunk.map((w): WriteResult => {
      const error = failed.get(w.crmId);
      if (error !== undefined) return { crmId: w.crmId, ok: false, error };
      if (written.has(w.crmId)) return { crmId: w.crmId, ok: true };
      return {
        crmId: w.crmId,
        ok: false,
        error: new ConnectorError('unknown', 'HubSpot answered the batch without a result for this record'),
      };
    });
  }

  async function writeProperties(writes: readonly PropertyWrite[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    for (const chunk of chunks(writes, BATCH_SIZE)) results.push(...(await writeChunk(chunk)));
    return results;
  }

  function writeScores(writes: readonly ScoreWrite[]): Promise<WriteResult[]> {
    return writeProperties(
      writes.map((w) => ({
        crmId: w.crmId,
        objectType: w.objectType,
        properties: toHubSpotProperties(w.fields),
      })),
    );
  }

  function clearScores(clears: readonly ScoreClear[]): Promise<WriteResult[]> {
    return writeProperties(
      clears.map((c) => ({ crmId: c.crmId, objectType: c.objectType, properties: { ...CLEARED } })),
    );
  }

  return {
    crm: 'hubspot',
    ensureSchema,
    listPeople,
    listCompanies,
    listEvents,
    listOutcomes,
    listConsent,
    listPeopleChangedSince,
    listEventsChangedSince,
    writeScores,
    clearScores,
  };
}
