import type {
  CanonicalCompany,
  CanonicalConsent,
  CanonicalEvent,
  CanonicalOutcome,
  CanonicalPerson,
  EngagementType,
  PersonConsent,
} from '../types.ts';

/** A record as the REST API (JSON values) or Bulk 2.0 (CSV strings, '' for null) returns it. */
export type SalesforceRecord = Record<string, unknown>;

type Kind = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

/**
 * The fields read from each object, as data: `kind` makes REST and Bulk 2.0 values agree. No name,
 * company name, city or website: nothing uses them, and leadgate stores only what its features read
 * (issue 14 item 11, app/pipeline/feature-spec.ts storedProperties drops the rest before the store).
 */
export const OBJECT_FIELDS = {
  Lead: {
    Id: 'text',
    Email: 'text',
    Title: 'text',
    Industry: 'text',
    LeadSource: 'text',
    Status: 'text',
    Rating: 'text',
    AnnualRevenue: 'number',
    NumberOfEmployees: 'number',
    Country: 'text',
    HasOptedOutOfEmail: 'boolean',
    IsConverted: 'boolean',
    ConvertedDate: 'date',
    ConvertedAccountId: 'text',
    ConvertedContactId: 'text',
    ConvertedOpportunityId: 'text',
    OwnerId: 'text',
    CreatedDate: 'datetime',
    SystemModstamp: 'datetime',
  },
  Contact: {
    Id: 'text',
    Email: 'text',
    AccountId: 'text',
    Title: 'text',
    Department: 'text',
    LeadSource: 'text',
    MailingCountry: 'text',
    HasOptedOutOfEmail: 'boolean',
    OwnerId: 'text',
    CreatedDate: 'datetime',
    SystemModstamp: 'datetime',
  },
  Account: {
    Id: 'text',
    Industry: 'text',
    Type: 'text',
    AnnualRevenue: 'number',
    NumberOfEmployees: 'number',
    BillingCountry: 'text',
    CreatedDate: 'datetime',
    SystemModstamp: 'datetime',
  },
  Task: {
    Id: 'text',
    WhoId: 'text',
    Subject: 'text',
    Type: 'text',
    TaskSubtype: 'text',
    Status: 'text',
    ActivityDate: 'date',
    CreatedDate: 'datetime',
  },
  Event: {
    Id: 'text',
    WhoId: 'text',
    Subject: 'text',
    Type: 'text',
    ActivityDateTime: 'datetime',
    StartDateTime: 'datetime',
    DurationInMinutes: 'number',
    CreatedDate: 'datetime',
  },
  Opportunity: {
    Id: 'text',
    AccountId: 'text',
    ContactId: 'text',
    StageName: 'text',
    CreatedDate: 'datetime',
  },
} as const satisfies Record<string, Record<string, Kind>>;

export type ObjectName = keyof typeof OBJECT_FIELDS;

export const fieldList = (object: ObjectName): string => Object.keys(OBJECT_FIELDS[object]).join(', ');

/** Epoch ms of a Salesforce datetime (`2013-05-20T20:49:32.000+0000`, or Bulk's `…Z`) or date. */
export function parseSalesforceTime(value: string): number {
  // Date.parse wants `+00:00`; REST sends `+0000` (salesforce.md §2).
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new RangeError(`not a Salesforce date/time: ${value}`);
  return ms;
}

/** One value as a canonical string: numbers and booleans spelled out, datetimes in ISO UTC, '' as null. */
function normalize(kind: Kind, raw: unknown): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  if (kind === 'datetime' && typeof raw === 'string') return new Date(parseSalesforceTime(raw)).toISOString();
  if (kind === 'number') return String(Number(raw));
  if (kind === 'boolean') return String(raw === true || raw === 'true');
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

/** The record's fields as canonical strings; the same for a REST and a Bulk 2.0 read. */
export function normalizeRecord(object: ObjectName, record: SalesforceRecord): Record<string, string | null> {
  const kinds: Record<string, Kind> = OBJECT_FIELDS[object];
  return Object.fromEntries(
    Object.entries(kinds).map(([name, kind]) => [name, normalize(kind, record[name])]),
  );
}

const time = (v: string | null | undefined): number | null => (v == null ? null : parseSalesforceTime(v));

function required(props: Record<string, string | null>, name: string): string {
  const v = props[name];
  if (v == null) throw new RangeError(`Salesforce record without ${name}`);
  return v;
}

export function toPerson(object: 'Lead' | 'Contact', record: SalesforceRecord): CanonicalPerson {
  const properties = normalizeRecord(object, record);
  // A Lead belongs to an Account only once converted; a Contact through AccountId.
  const companyId = object === 'Lead' ? properties['ConvertedAccountId'] : properties['AccountId'];
  return {
    crmId: required(properties, 'Id'),
    objectType: object === 'Lead' ? 'lead' : 'contact',
    createdAt: parseSalesforceTime(required(properties, 'CreatedDate')),
    updatedAt: parseSalesforceTime(required(properties, 'SystemModstamp')),
    properties,
    ...(companyId == null ? {} : { companyId }),
    consent: consentOf(properties),
    // Only a Lead converts; a Contact's conversions (Opportunities) come from the outcome stream.
    ...(object === 'Lead' ? { outcomes: leadConversion(properties) } : {}),
  };
}

export const OUTCOME_LEAD_CONVERTED = 'lead_converted';

/**
 * A converted Lead's outcome (`IsConverted`, at `ConvertedDate`, a date: midnight UTC of the day;
 * SystemModstamp when it is missing), from its normalized fields; none when not converted.
 */
export function leadConversion(props: Readonly<Record<string, string | null>>): CanonicalOutcome[] {
  const id = props['Id'];
  if (props['IsConverted'] !== 'true' || id == null) return [];
  const at = props['ConvertedDate'] ?? props['SystemModstamp'];
  return at == null
    ? []
    : [{ personId: id, type: OUTCOME_LEAD_CONVERTED, occurredAt: parseSalesforceTime(at) }];
}

export function toCompany(record: SalesforceRecord): CanonicalCompany {
  const properties = normalizeRecord('Account', record);
  return {
    crmId: required(properties, 'Id'),
    createdAt: parseSalesforceTime(required(properties, 'CreatedDate')),
    updatedAt: parseSalesforceTime(required(properties, 'SystemModstamp')),
    properties,
  };
}

/** An email Task says what the person did only in its Subject ("Re: …", "Email opened: …"). */
function emailType(subject: string): EngagementType | null {
  if (/^\s*re:|\brepl(y|ied)\b/i.test(subject)) return 'email_reply';
  if (/\bclick/i.test(subject)) return 'email_click';
  if (/\bopen(ed)?\b/i.test(subject)) return 'email_open';
  return null;
}

/**
 * The engagement type of a Task or Event, or null for activity that is not the person's own
 * signal (an outbound email, a to-do). Type/TaskSubtype decide first, the Subject second.
 */
export function activityType(
  object: 'Task' | 'Event',
  props: Record<string, string | null>,
): EngagementType | null {
  const kind = (props['TaskSubtype'] ?? props['Type'] ?? '').toLowerCase();
  const subject = props['Subject'] ?? '';
  if (object === 'Event') return kind === 'call' ? 'call' : 'meeting';
  if (kind === 'call') return 'call';
  if (kind === 'meeting') return 'meeting';
  if (kind === 'email') return emailType(subject);
  if (/\bcall\b/i.test(subject)) return 'call';
  if (/\b(meeting|demo)\b/i.test(subject)) return 'meeting';
  return emailType(subject);
}

export function toEvent(object: 'Task' | 'Event', record: SalesforceRecord): CanonicalEvent | null {
  const props = normalizeRecord(object, record);
  const type = activityType(object, props);
  const personId = props['WhoId'];
  if (type === null || personId == null) return null;
  const occurredAt =
    object === 'Task'
      ? (time(props['ActivityDate']) ?? time(props['CreatedDate']))
      : (time(props['ActivityDateTime']) ?? time(props['StartDateTime']) ?? time(props['CreatedDate']));
  const duration = props['DurationInMinutes'];
  return {
    personId,
    type,
    occurredAt: occurredAt ?? 0,
    attributes: {
      object,
      subject: props['Subject'] ?? null,
      ...(props['Status'] === undefined ? {} : { status: props['Status'] }),
      ...(duration == null ? {} : { durationMinutes: Number(duration) }),
    },
    // The activity's record Id: ingesting the same Task twice is a no-op downstream.
    sourceId: required(props, 'Id'),
  };
}

/**
 * Consent as the emulator's schema allows: `HasOptedOutOfEmail` on Lead and Contact, one of the people
 * fields, so every people read carries it. Profiling is treated as not allowed for a person who opted
 * out of email (the conservative reading); not opted out states no lawful basis (`basis` null). Orgs
 * with Data Protection (Individual.HasOptedOutProfiling) need that object added here.
 */
export function consentOf(props: Readonly<Record<string, string | null>>): PersonConsent {
  const optedOut = props['HasOptedOutOfEmail'] === 'true';
  return { profilingAllowed: !optedOut, basis: optedOut ? 'opted_out_of_email' : null };
}

/** Consent as a record of its own (CanonicalConsent), from the same fields as a person's `consent`. */
export function toConsent(object: 'Lead' | 'Contact', record: SalesforceRecord): CanonicalConsent {
  const props = normalizeRecord(object, record);
  return {
    personId: required(props, 'Id'),
    ...consentOf(props),
    recordedAt: parseSalesforceTime(required(props, 'SystemModstamp')),
  };
}
