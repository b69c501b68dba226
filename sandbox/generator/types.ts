/**
 * The CRM-neutral shape of a generated B2B portal. Times are epoch milliseconds; ids are stable
 * strings, so the same seed always gives byte-identical output. Seeders map this shape into a CRM
 * (HubSpot contacts, companies, deals, engagements; Salesforce leads, accounts, opportunities).
 */

export type Seniority = 'c_level' | 'vp' | 'director' | 'manager' | 'individual' | 'student';

export type LeadSource =
  | 'organic_search'
  | 'paid_search'
  | 'paid_social'
  | 'referral'
  | 'direct'
  | 'email_marketing'
  | 'event'
  | 'offline';

export type EngagementType =
  'page_view' | 'form_submission' | 'email_open' | 'email_click' | 'email_reply' | 'meeting';

export type LifecycleStage =
  'subscriber' | 'lead' | 'marketingqualifiedlead' | 'salesqualifiedlead' | 'opportunity' | 'customer';

export type DealStage =
  | 'appointmentscheduled'
  | 'qualifiedtobuy'
  | 'presentationscheduled'
  | 'contractsent'
  | 'closedwon'
  | 'closedlost';

export interface GeneratedCompany {
  id: string;
  name: string;
  domain: string;
  industry: string;
  employees: number;
  /** Annual revenue in USD. */
  annualRevenue: number;
  /** ISO 3166 English short name, as CRMs store free-text country fields. */
  country: string;
  createdAt: number;
}

export interface Consent {
  /** `none`: no lawful basis for profiling; such a person must not be scored by the model. */
  lawfulBasis: 'consent' | 'legitimate_interest' | 'none';
  emailOptOut: boolean;
  recordedAt: number;
}

export interface GeneratedContact {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  jobTitle: string;
  seniority: Seniority;
  leadSource: LeadSource;
  country: string;
  createdAt: number;
  /** Null for people who signed up with a free-mail address and no known employer. */
  companyId: string | null;
  consent: Consent;
}

export interface GeneratedEvent {
  /** Stable across runs with the same seed: ingestion keys on it to stay idempotent. */
  sourceId: string;
  contactId: string;
  type: EngagementType;
  occurredAt: number;
  /** page_view: url, title; form_submission: formId, formTitle, pageUrl; email_*: campaign, subject; meeting: title, durationMinutes. */
  attributes: Readonly<Record<string, string>>;
}

export interface LifecycleChange {
  contactId: string;
  stage: LifecycleStage;
  occurredAt: number;
}

export interface GeneratedDeal {
  id: string;
  name: string;
  contactId: string;
  companyId: string | null;
  amount: number;
  stage: DealStage;
  createdAt: number;
  closeDate: number;
}

/** What really happened, known only to the generator: tests compare a trained model against it. */
export interface ContactTruth {
  contactId: string;
  /** Features are computed as of this time; the outcome is drawn from them alone (no leakage). */
  decisionAt: number;
  /** The true log-odds, or null when the source (real data) has no known model. */
  logit: number | null;
  probability: number | null;
  converted: boolean;
  /** When the contact became a salesqualifiedlead; may lie after `now` (not yet visible in the CRM). */
  convertedAt: number | null;
}

export interface GeneratedPortal {
  seed: number;
  /** The generator's "now": nothing happens after it, except truth.convertedAt (not yet visible). */
  now: number;
  start: number;
  companies: GeneratedCompany[];
  contacts: GeneratedContact[];
  /** Sorted by occurredAt, then sourceId. */
  events: GeneratedEvent[];
  lifecycleChanges: LifecycleChange[];
  deals: GeneratedDeal[];
  truth: ContactTruth[];
}
