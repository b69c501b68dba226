import type {
  CanonicalCompany,
  CanonicalConsent,
  CanonicalEvent,
  CanonicalOutcome,
  CanonicalPerson,
  EngagementType,
  PersonConsent,
} from '../types.ts';

/** The shape of a CRM object as the SDK deserialises it (dates as `Date`, values as strings). */
export interface HsObject {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  properties: Readonly<Record<string, string | null>>;
  associations?: Readonly<Record<string, { results: readonly { id: string; type: string }[] }>>;
}

/** A web-analytics event as the Events API answers it (hubspot.md; emulator `routes-events.ts`). */
export interface HsAnalyticsEvent {
  id: string;
  eventType: string;
  objectId: string;
  occurredAt: Date;
  properties?: Readonly<Record<string, string>>;
}

/**
 * Contact properties read for features, consent and the lifecycle outcome; they are also the
 * contact.propertyChange subscriptions of the app manifest (manifest/hubspot, its test keeps the two
 * equal). No name: nothing uses it, and leadgate stores only what its features read (issue 14 item 11,
 * app/pipeline/feature-spec.ts storedProperties drops the rest before the store).
 */
export const PERSON_PROPERTIES = [
  'email',
  'jobtitle',
  'country',
  'seniority',
  'company',
  'hs_analytics_source',
  'hs_analytics_num_page_views',
  'num_associated_deals',
  'lifecyclestage',
  'createdate',
  'lastmodifieddate',
] as const;

/** Company properties read for the firmographic features; no name or domain (nothing uses them). */
export const COMPANY_PROPERTIES = [
  'industry',
  'numberofemployees',
  'annualrevenue',
  'country',
  'createdate',
] as const;

/** Which CRM engagement objects are events of the lead, and of which type. */
export type EngagementObject = 'emails' | 'meetings' | 'calls';

/** Engagement properties read for events, per engagement object. */
export const ENGAGEMENT_PROPERTIES: Readonly<Record<EngagementObject, readonly string[]>> = {
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
 * Lifecycle stages at or after SQL (design §3 default outcome), each with the date property HubSpot
 * calculates when a contact first enters it (`hs_lifecyclestage_<stage>_date`).
 */
export const CONVERTED_STAGES = ['salesqualifiedlead', 'opportunity', 'customer', 'evangelist'] as const;
export const LIFECYCLE_DATE_PROPERTIES = CONVERTED_STAGES.map((s) => `hs_lifecyclestage_${s}_date`);

/** GDPR fields on the contact: `hs_legal_basis` (lawful basis) and `hs_email_optout`. */
export const CONSENT_PROPERTIES = ['hs_legal_basis', 'hs_email_optout'] as const;

/** The Events API's event names, one listing phase each (emulator `EVENT_TYPES`; only e_visited_page is sourced). */
export const ANALYTICS_EVENT_TYPES: Readonly<Record<string, EngagementType>> = {
  e_visited_page: 'page_view',
  e_submitted_form: 'form_submission',
  e_opened_email: 'email_open',
  e_clicked_email: 'email_click',
};

/** The primary company of a contact: the `contact_to_company` link, else any link. */
export function primaryCompanyId(obj: HsObject): string | undefined {
  const links = obj.associations?.companies?.results ?? [];
  return (links.find((l) => l.type === 'contact_to_company') ?? links[0])?.id;
}

/** Which optional parts of a person the read asked for (and so states, even when empty). */
export interface PersonReads {
  /** CONSENT_PROPERTIES were requested: the person carries its consent. */
  consent?: boolean;
  /** LIFECYCLE_DATE_PROPERTIES were requested: the person carries its lifecycle outcome (or none). */
  outcomes?: boolean;
}

/**
 * A contact. An empty requested property is as much a statement as a set one (HubSpot may leave
 * it out of the answer), so a read that asked for consent or lifecycle dates always carries them.
 */
export function toPerson(obj: HsObject, reads: PersonReads = {}): CanonicalPerson {
  const companyId = primaryCompanyId(obj);
  const outcome = reads.outcomes === true ? lifecycleOutcome(obj) : undefined;
  return {
    crmId: obj.id,
    objectType: 'contact',
    createdAt: obj.createdAt.getTime(),
    updatedAt: obj.updatedAt.getTime(),
    properties: { ...obj.properties },
    ...(companyId === undefined ? {} : { companyId }),
    ...(reads.consent === true ? { consent: consentOf(obj.properties) } : {}),
    ...(reads.outcomes === true ? { outcomes: outcome === undefined ? [] : [outcome] } : {}),
  };
}

export function toCompany(obj: HsObject): CanonicalCompany {
  return {
    crmId: obj.id,
    createdAt: obj.createdAt.getTime(),
    updatedAt: obj.updatedAt.getTime(),
    properties: { ...obj.properties },
  };
}

function time(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function contactIds(obj: HsObject): string[] {
  return [...new Set((obj.associations?.contacts?.results ?? []).map((l) => l.id))];
}

function engagementType(kind: EngagementObject, obj: HsObject): EngagementType | undefined {
  if (kind === 'meetings') return 'meeting';
  if (kind === 'calls') return 'call';
  // Only an email *from* the lead is the lead engaging; our own outbound emails are not.
  return obj.properties.hs_email_direction === 'INCOMING_EMAIL' ? 'email_reply' : undefined;
}

/** One event per associated contact; `sourceId` is stable across syncs (object type, id, contact). */
export function engagementEvents(kind: EngagementObject, obj: HsObject): CanonicalEvent[] {
  const type = engagementType(kind, obj);
  const occurredAt = time(obj.properties.hs_timestamp) ?? obj.createdAt.getTime();
  if (type === undefined) return [];
  const attributes: CanonicalEvent['attributes'] = {};
  const title =
    obj.properties.hs_meeting_title ?? obj.properties.hs_email_subject ?? obj.properties.hs_call_title;
  if (title !== undefined) attributes.title = title;
  if (kind === 'meetings') {
    const start = time(obj.properties.hs_meeting_start_time);
    const end = time(obj.properties.hs_meeting_end_time);
    if (start !== undefined && end !== undefined)
      attributes.durationMinutes = Math.round((end - start) / 60_000);
    attributes.outcome = obj.properties.hs_meeting_outcome ?? null;
  }
  return contactIds(obj).map((personId) => ({
    personId,
    type,
    occurredAt,
    attributes,
    sourceId: `hubspot:${kind}:${obj.id}:${personId}`,
  }));
}

export function analyticsEvent(e: HsAnalyticsEvent): CanonicalEvent | undefined {
  const type = ANALYTICS_EVENT_TYPES[e.eventType];
  if (type === undefined) return undefined;
  return {
    personId: e.objectId,
    type,
    occurredAt: e.occurredAt.getTime(),
    attributes: { ...(e.properties ?? {}) },
    sourceId: `hubspot:event:${e.eventType}:${e.id}`,
  };
}

/** The first time the contact entered SQL or a later stage, from HubSpot's calculated dates. */
export function lifecycleOutcome(obj: HsObject): CanonicalOutcome | undefined {
  const times = LIFECYCLE_DATE_PROPERTIES.map((p) => time(obj.properties[p])).filter(
    (t): t is number => t !== undefined,
  );
  if (times.length === 0) return undefined;
  return { personId: obj.id, type: 'lifecycle_sql_or_later', occurredAt: Math.min(...times) };
}

/** A deal associated with a contact is an outcome for that contact, at the deal's creation. */
export function dealOutcomes(deal: HsObject): CanonicalOutcome[] {
  const occurredAt = time(deal.properties.createdate) ?? deal.createdAt.getTime();
  return contactIds(deal).map((personId) => ({ personId, type: 'deal_created', occurredAt }));
}

/**
 * Consent from the contact's GDPR fields. Stricter reading (hubspot.md leaves the profiling
 * question open): profiling needs a lawful basis, and an email opt-out is read as an objection.
 * `recordedAt` is the record's last change: the earliest time we can prove we knew it.
 */
export function toConsent(obj: HsObject): CanonicalConsent {
  return { personId: obj.id, ...consentOf(obj.properties), recordedAt: obj.updatedAt.getTime() };
}

/** The consent stated by a contact's GDPR properties (toConsent's rule, without a time). */
export function consentOf(properties: HsObject['properties']): PersonConsent {
  const basis = properties.hs_legal_basis ?? '';
  const optedOut = properties.hs_email_optout === 'true';
  return { profilingAllowed: basis !== '' && !optedOut, basis: basis === '' ? null : basis };
}
