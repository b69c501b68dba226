import type { EngagementEvent, FeatureSpec, LeadInput, Value } from '../../scoring/index.ts';
import type { CrmKind, EpochMs } from '../../connectors/index.ts';

/**
 * The canonical B2B feature spec leadgate scores persons with (design §4), and the one function that
 * turns canonical records into the scoring core's `LeadInput` as of a time. The spec is data: the
 * model learns vocabularies, bins and weights from it; labels and sentences are what an SDR reads.
 */

export const CRM_FEATURE_SPEC_VERSION = 'crm-b2b-1';

const DAYS = (window: number) => `in the last ${window} days`;

export const CRM_FEATURE_SPEC: FeatureSpec = {
  version: CRM_FEATURE_SPEC_VERSION,
  missingTokens: ['unknown', 'n/a', 'none', '-'],
  fields: [
    // fit
    {
      field: 'industry',
      kind: 'categorical',
      group: 'fit',
      label: 'Industry',
      text: { value: 'Industry is {value}', missing: 'Industry is not known' },
    },
    {
      field: 'employees',
      kind: 'numeric',
      group: 'fit',
      label: 'Company size',
      log: true,
      text: { value: 'Company has {value} employees ({relative})', missing: 'Company size is not known' },
    },
    {
      field: 'annual_revenue',
      kind: 'numeric',
      group: 'fit',
      label: 'Annual revenue',
      log: true,
      text: {
        value: 'Company revenue is {value} a year ({relative})',
        missing: 'Company revenue is not known',
      },
    },
    {
      field: 'country',
      kind: 'categorical',
      group: 'fit',
      label: 'Country',
      text: { value: 'Based in {value}' },
    },
    {
      field: 'seniority',
      kind: 'categorical',
      group: 'fit',
      label: 'Seniority',
      text: { value: 'Job title seniority is {value}', missing: 'Job title is not known' },
    },
    {
      field: 'lead_source',
      kind: 'categorical',
      group: 'fit',
      label: 'Lead source',
      text: { value: 'Came in through {value}' },
    },
    {
      field: 'email_domain_type',
      kind: 'categorical',
      group: 'fit',
      label: 'Email address',
      text: { value: 'Signed up with a {value} email address', missing: 'Email address is not known' },
    },
    // engagement
    ...([7, 30, 90] as const).map((windowDays) => ({
      field: `page_views_${windowDays}d`,
      kind: 'event_count' as const,
      group: 'engagement' as const,
      eventType: 'page_view',
      windowDays,
      label: `Page views (${windowDays} days)`,
      text: { value: `Viewed {value} pages ${DAYS(windowDays)}` },
    })),
    ...([7, 30] as const).map((windowDays) => ({
      field: `pricing_views_${windowDays}d`,
      kind: 'event_count' as const,
      group: 'engagement' as const,
      eventType: 'page_view',
      windowDays,
      match: { attribute: 'path', contains: '/pricing' },
      label: `Pricing-page visits (${windowDays} days)`,
      text: { value: `Visited the pricing page {value} times ${DAYS(windowDays)}` },
    })),
    ...([30, 90] as const).map((windowDays) => ({
      field: `form_submissions_${windowDays}d`,
      kind: 'event_count' as const,
      group: 'engagement' as const,
      eventType: 'form_submission',
      windowDays,
      label: `Form submissions (${windowDays} days)`,
      text: { value: `Submitted {value} forms ${DAYS(windowDays)}` },
    })),
    {
      field: 'email_opens_30d',
      kind: 'event_count',
      group: 'engagement',
      eventType: 'email_open',
      windowDays: 30,
      label: 'Email opens (30 days)',
      text: { value: `Opened {value} emails ${DAYS(30)}` },
    },
    {
      field: 'email_clicks_30d',
      kind: 'event_count',
      group: 'engagement',
      eventType: 'email_click',
      windowDays: 30,
      label: 'Email clicks (30 days)',
      text: { value: `Clicked {value} email links ${DAYS(30)}` },
    },
    {
      field: 'email_replies_30d',
      kind: 'event_count',
      group: 'engagement',
      eventType: 'email_reply',
      windowDays: 30,
      label: 'Email replies (30 days)',
      text: { value: `Replied to {value} emails ${DAYS(30)}` },
    },
    {
      field: 'meetings_90d',
      kind: 'event_count',
      group: 'engagement',
      eventType: 'meeting',
      windowDays: 90,
      label: 'Meetings (90 days)',
      text: { value: `Had {value} meetings ${DAYS(90)}` },
    },
    // Computed in toLeadInput (any engagement type counts), so it is a plain numeric attribute here.
    {
      field: 'days_since_last_engagement',
      kind: 'numeric',
      group: 'engagement',
      label: 'Days since last engagement',
      log: true,
      text: { value: 'Last engaged {value} days ago', missing: 'No engagement recorded yet' },
    },
  ],
};

/**
 * Where each canonical attribute lives in a CRM's properties (values are the CRM's strings). Each is a
 * list: the first non-empty property wins (a Salesforce Lead says Country, a Contact MailingCountry).
 */
export interface CrmFieldMap {
  person: { jobTitle: string[]; email: string[]; leadSource: string[]; country: string[] };
  company: { industry: string[]; employees: string[]; annualRevenue: string[]; country: string[] };
  /**
   * Person records the CRM has closed (it refuses writes to them): kept for training, never scored
   * or written back. A record is closed when its `property` holds `equals`.
   */
  closed?: readonly { objectType: string; property: string; equals: string }[];
}

export const CRM_FIELDS: Readonly<Record<CrmKind, CrmFieldMap>> = {
  hubspot: {
    person: {
      jobTitle: ['jobtitle'],
      email: ['email'],
      leadSource: ['hs_analytics_source'],
      country: ['country'],
    },
    company: {
      industry: ['industry'],
      employees: ['numberofemployees'],
      annualRevenue: ['annualrevenue'],
      country: ['country'],
    },
  },
  salesforce: {
    person: {
      jobTitle: ['Title'],
      email: ['Email'],
      leadSource: ['LeadSource'],
      country: ['Country', 'MailingCountry'],
    },
    // A Lead carries firmographics itself (same names); a Contact's come from its Account.
    company: {
      industry: ['Industry'],
      employees: ['NumberOfEmployees'],
      annualRevenue: ['AnnualRevenue'],
      country: ['BillingCountry', 'Country'],
    },
    // A converted Lead refuses every update (CANNOT_UPDATE_CONVERTED_LEAD); the person goes on as
    // its ConvertedContactId Contact, and the conversion stays the Lead's outcome.
    closed: [{ objectType: 'lead', property: 'IsConverted', equals: 'true' }],
  },
};

/**
 * Where a stored person keeps its email's domain type instead of the address (issue 14 item 11): the
 * `email_domain_type` feature is all the address is used for. The colon keeps it apart from every CRM
 * property name (HubSpot and Salesforce names are letters, digits and underscores).
 */
export const EMAIL_DOMAIN_TYPE_PROPERTY = 'leadgate:email_domain_type';

/**
 * The CRM properties the pipeline stores: those the features read (`fields`) and the closed rule's,
 * nothing else. Names, phone, city, website, company names, lifecycle stage and every other property
 * a read carries are dropped here, before the point-in-time store sees them; the email address is
 * replaced by its domain type. A property the read did not carry stays absent (a partial read states
 * nothing about it); one it carried empty is kept empty, so a removed value makes a new version.
 * The card needs no person property at all (cards/contract shows the score, reasons and history).
 */
export function storedProperties(
  properties: Readonly<Record<string, string | null>>,
  fields: CrmFieldMap,
): Record<string, string | null> {
  const { email, ...person } = fields.person;
  const kept = new Set([
    ...Object.values(person).flat(),
    ...Object.values(fields.company).flat(),
    ...(fields.closed ?? []).map((rule) => rule.property),
  ]);
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(properties)) if (kept.has(name)) out[name] = value;
  if (email.some((name) => name in properties)) {
    out[EMAIL_DOMAIN_TYPE_PROPERTY] = emailDomainType(first(properties, email));
  } else if (EMAIL_DOMAIN_TYPE_PROPERTY in properties) {
    // Already the stored form: kept as it is, so applying this twice changes nothing.
    out[EMAIL_DOMAIN_TYPE_PROPERTY] = properties[EMAIL_DOMAIN_TYPE_PROPERTY] ?? null;
  }
  return out;
}

/** A person or company as the pipeline holds it: the CRM's property strings plus its creation time. */
export interface StoredPerson {
  crmId: string;
  createdAt: EpochMs;
  companyId: string | null;
  properties: Readonly<Record<string, string | null>>;
}

export interface StoredCompany {
  crmId: string;
  properties: Readonly<Record<string, string | null>>;
}

export interface StoredEvent {
  type: string;
  occurredAt: EpochMs;
  /** JSON from the store: nested values are possible, the scoring core reads primitives only. */
  attributes: Readonly<Record<string, unknown>>;
}

export type Seniority = 'c_level' | 'vp' | 'director' | 'manager' | 'individual' | 'student';

// Order matters: "Vice President" before "President", "Head of" before a bare "Manager".
const SENIORITY_PATTERNS: readonly (readonly [Seniority, RegExp])[] = [
  ['student', /\b(student|intern|trainee)\b/i],
  ['vp', /\b(vp|svp|evp|vice[ -]president)\b/i],
  [
    'c_level',
    /\b(ceo|cto|cfo|coo|cmo|cio|cro|ciso|chief|founder|co-founder|president|owner|managing director)\b/i,
  ],
  ['director', /\b(director|head of)\b/i],
  ['manager', /\b(manager|lead|supervisor)\b/i],
];

/** Seniority from a free-text job title; null when there is no title. */
export function seniorityFromTitle(title: string | null | undefined): Seniority | null {
  if (title === null || title === undefined || title.trim() === '') return null;
  for (const [level, pattern] of SENIORITY_PATTERNS) if (pattern.test(title)) return level;
  return 'individual';
}

// The big consumer providers: a sign-up from one of these says nothing about an employer.
const FREE_MAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  'live.com',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'proton.me',
  'protonmail.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.com',
  'yandex.com',
  'yandex.ru',
  'zoho.com',
  'qq.com',
  '163.com',
]);

export function emailDomainType(email: string | null | undefined): 'free' | 'company' | null {
  if (email === null || email === undefined) return null;
  const at = email.lastIndexOf('@');
  if (at < 0 || at === email.length - 1) return null;
  return FREE_MAIL.has(
    email
      .slice(at + 1)
      .trim()
      .toLowerCase(),
  )
    ? 'free'
    : 'company';
}

function domainTypeOf(value: string | null | undefined): 'free' | 'company' | null {
  return value === 'free' || value === 'company' ? value : null;
}

/** The path of a URL ("/pricing"), or undefined; relative paths pass through. */
export function pathOf(url: Value): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  if (url.startsWith('/')) return url.split(/[?#]/)[0];
  try {
    return new URL(url).pathname;
  } catch {
    // Not a URL and not a path: there is no path to match, which is what undefined says.
    return undefined;
  }
}

function primitive(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** The scoring core's event, with `path` derived from the URL for page views that lack one. */
function toScoringEvent(event: StoredEvent): EngagementEvent {
  const attributes: Record<string, Value> = {};
  for (const [k, v] of Object.entries(event.attributes)) attributes[k] = primitive(v);
  if (event.type === 'page_view' && typeof attributes.path !== 'string') {
    const path = pathOf(attributes.url ?? attributes.hs_url ?? attributes.pageUrl);
    if (path !== undefined) attributes.path = path;
  }
  return { type: event.type, occurredAt: event.occurredAt, attributes };
}

const DAY_MS = 86_400_000;

function text(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

function first(properties: Readonly<Record<string, string | null>>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = text(properties[name]);
    if (value !== null) return value;
  }
  return null;
}

/**
 * The scoring input for one person as of `asOf`: attributes from the person and company records and
 * the person's events, keeping only events that occurred at or before `asOf`. The caller passes the
 * record versions valid at `asOf` (the store's as-of reads); this function never looks further.
 */
export function toLeadInput(
  person: StoredPerson,
  company: StoredCompany | null,
  events: readonly StoredEvent[],
  asOf: EpochMs,
  fields: CrmFieldMap,
): LeadInput {
  const p = person.properties;
  // A Salesforce Lead carries its firmographics itself: without a company record, read them off the person.
  const c = company?.properties ?? p;
  const known: EngagementEvent[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.occurredAt > asOf) continue;
    known.push(toScoringEvent(e));
    if (e.occurredAt > last) last = e.occurredAt;
  }
  const attributes: Record<string, Value> = {
    industry: first(c, fields.company.industry),
    employees: first(c, fields.company.employees),
    annual_revenue: first(c, fields.company.annualRevenue),
    country: first(p, fields.person.country) ?? first(c, fields.company.country),
    seniority: seniorityFromTitle(first(p, fields.person.jobTitle)),
    lead_source: first(p, fields.person.leadSource),
    // Versions stored before issue 14 hold the address; later ones only its domain type.
    email_domain_type:
      EMAIL_DOMAIN_TYPE_PROPERTY in p
        ? domainTypeOf(p[EMAIL_DOMAIN_TYPE_PROPERTY])
        : emailDomainType(first(p, fields.person.email)),
    days_since_last_engagement: last === Number.NEGATIVE_INFINITY ? null : (asOf - last) / DAY_MS,
  };
  return { attributes, events: known, asOf };
}
