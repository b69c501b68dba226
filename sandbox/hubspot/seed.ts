import type { GeneratedPortal, LeadSource } from '../generator/index.ts';
import { associationType, type AssociationTypeDef } from './associations.ts';
import type { ObjectTypeName } from './object-types.ts';
import type { Portal } from './portal.ts';
import { EVENT_TYPES } from './routes-events.ts';

/**
 * Loads a generated portal into an emulated one the way HubSpot would hold it: companies, contacts
 * with their lifecycle-stage history (each stage change a stored version with its own time, and
 * the hs_lifecyclestage_*_date properties HubSpot calculates), deals, email replies and meetings as
 * engagement objects, associations, and page views, form submissions and email opens/clicks as
 * web-analytics events. Seeding is silent: no webhooks fire for history.
 */
export interface SeedResult {
  /** Generator id → HubSpot record id. */
  contacts: Map<string, string>;
  companies: Map<string, string>;
  deals: Map<string, string>;
  engagements: number;
  events: number;
}

const INDUSTRY: Readonly<Record<string, string>> = {
  Software: 'COMPUTER_SOFTWARE',
  'Financial Services': 'FINANCIAL_SERVICES',
  Manufacturing: 'MECHANICAL_OR_INDUSTRIAL_ENGINEERING',
  Healthcare: 'HOSPITAL_HEALTH_CARE',
  Retail: 'RETAIL',
  Education: 'EDUCATION_MANAGEMENT',
};

const SOURCE: Readonly<Record<LeadSource, string>> = {
  organic_search: 'ORGANIC_SEARCH',
  paid_search: 'PAID_SEARCH',
  paid_social: 'PAID_SOCIAL',
  referral: 'REFERRALS',
  direct: 'DIRECT_TRAFFIC',
  email_marketing: 'EMAIL_MARKETING',
  event: 'OTHER_CAMPAIGNS',
  offline: 'OFFLINE',
};

const LEGAL_BASIS = {
  consent: 'Freely given consent from contact',
  legitimate_interest: 'Legitimate interest – prospect/lead',
  none: '',
} as const;

/** Seniority is not a HubSpot default property: the seed creates it as a custom one. */
export const SENIORITY_PROPERTY = 'seniority';

const iso = (ms: number): string => new Date(ms).toISOString();
const SEED = { sourceType: 'IMPORT', silent: true } as const;

function link(
  portal: Portal,
  from: ObjectTypeName,
  fromId: string,
  to: ObjectTypeName,
  toId: string,
  typeId: number,
): void {
  const def: AssociationTypeDef | undefined = associationType(from, to, typeId);
  if (def === undefined) throw new Error(`no association type ${typeId} from ${from} to ${to}`);
  portal.associations.add(def, fromId, toId);
}

function ensureSeniorityProperty(portal: Portal, at: number): void {
  const defs = portal.propertyDefs('contacts');
  if (defs.has(SENIORITY_PROPERTY)) return;
  const values = ['c_level', 'vp', 'director', 'manager', 'individual', 'student'];
  defs.set(SENIORITY_PROPERTY, {
    name: SENIORITY_PROPERTY,
    label: 'Seniority',
    type: 'enumeration',
    fieldType: 'select',
    description: 'Seniority of the job title',
    groupName: 'contactinformation',
    options: values.map((value, displayOrder) => ({ label: value, value, hidden: false, displayOrder })),
    displayOrder: -1,
    hasUniqueValue: false,
    hidden: false,
    formField: true,
    hubspotDefined: false,
    calculated: false,
    externalOptions: false,
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    createdAt: iso(at),
    updatedAt: iso(at),
    archived: false,
  });
}

export function seedPortal(portal: Portal, data: GeneratedPortal): SeedResult {
  ensureSeniorityProperty(portal, data.start);
  const result: SeedResult = {
    contacts: new Map(),
    companies: new Map(),
    deals: new Map(),
    engagements: 0,
    events: 0,
  };
  const companyNames = new Map<string, string>();

  for (const c of data.companies) {
    const values = new Map([
      ['createdate', iso(c.createdAt)],
      ['name', c.name],
      ['domain', c.domain],
      ['industry', INDUSTRY[c.industry] ?? ''],
      ['numberofemployees', String(c.employees)],
      ['annualrevenue', String(c.annualRevenue)],
      ['country', c.country],
    ]);
    result.companies.set(c.id, portal.create('companies', values, { ...SEED, at: c.createdAt }).id);
    companyNames.set(c.id, c.name);
  }

  const stages = new Map<string, GeneratedPortal['lifecycleChanges']>();
  for (const change of data.lifecycleChanges) {
    const list = stages.get(change.contactId) ?? [];
    list.push(change);
    stages.set(change.contactId, list);
  }
  const pageViews = new Map<string, number>();
  for (const e of data.events)
    if (e.type === 'page_view') pageViews.set(e.contactId, (pageViews.get(e.contactId) ?? 0) + 1);

  for (const c of data.contacts) {
    const history = stages.get(c.id) ?? [];
    const values = new Map<string, string>([
      ['createdate', iso(c.createdAt)],
      ['email', c.email],
      ['firstname', c.firstName],
      ['lastname', c.lastName],
      ['jobtitle', c.jobTitle],
      ['country', c.country],
      [SENIORITY_PROPERTY, c.seniority],
      ['hs_analytics_source', SOURCE[c.leadSource]],
      ['hs_legal_basis', LEGAL_BASIS[c.consent.lawfulBasis]],
      ['hs_email_optout', String(c.consent.emailOptOut)],
    ]);
    const first = history[0];
    if (first !== undefined && first.occurredAt <= c.createdAt) values.set('lifecyclestage', first.stage);
    if (c.companyId !== null) {
      values.set('company', companyNames.get(c.companyId) ?? '');
      values.set('associatedcompanyid', result.companies.get(c.companyId) ?? '');
    }
    const obj = portal.create('contacts', values, { ...SEED, at: c.createdAt });
    result.contacts.set(c.id, obj.id);
    for (const change of history) {
      if (change === first && values.has('lifecyclestage')) continue;
      portal.update(obj, new Map([['lifecyclestage', change.stage]]), { ...SEED, at: change.occurredAt });
    }
    const views = pageViews.get(c.id) ?? 0;
    if (views > 0)
      portal.update(obj, new Map([['hs_analytics_num_page_views', String(views)]]), {
        ...SEED,
        at: data.now,
      });
    if (c.companyId !== null) {
      const companyId = result.companies.get(c.companyId);
      if (companyId !== undefined) {
        link(portal, 'contacts', obj.id, 'companies', companyId, 1);
        link(portal, 'contacts', obj.id, 'companies', companyId, 279);
      }
    }
  }

  for (const d of data.deals) {
    const values = new Map([
      ['createdate', iso(d.createdAt)],
      ['dealname', d.name],
      ['amount', String(d.amount)],
      ['dealstage', d.stage],
      ['pipeline', 'default'],
      ['closedate', iso(d.closeDate)],
    ]);
    const deal = portal.create('deals', values, { ...SEED, at: d.createdAt });
    result.deals.set(d.id, deal.id);
    const contactId = result.contacts.get(d.contactId);
    if (contactId !== undefined) link(portal, 'deals', deal.id, 'contacts', contactId, 3);
    const companyId = d.companyId === null ? undefined : result.companies.get(d.companyId);
    if (companyId !== undefined) link(portal, 'deals', deal.id, 'companies', companyId, 5);
  }
  const dealCounts = new Map<string, number>();
  for (const d of data.deals) dealCounts.set(d.contactId, (dealCounts.get(d.contactId) ?? 0) + 1);
  for (const [contactId, count] of dealCounts) {
    const obj = portal.get('contacts', result.contacts.get(contactId) ?? '');
    if (obj !== undefined)
      portal.update(obj, new Map([['num_associated_deals', String(count)]]), { ...SEED, at: data.now });
  }

  for (const e of data.events) {
    const contactId = result.contacts.get(e.contactId);
    if (contactId === undefined) continue;
    if (e.type === 'email_reply' || e.type === 'meeting') {
      const type: ObjectTypeName = e.type === 'meeting' ? 'meetings' : 'emails';
      const values =
        e.type === 'meeting'
          ? new Map([
              ['hs_timestamp', iso(e.occurredAt)],
              ['hs_meeting_title', e.attributes.title ?? 'Meeting'],
              ['hs_meeting_start_time', iso(e.occurredAt)],
              [
                'hs_meeting_end_time',
                iso(e.occurredAt + Number(e.attributes.durationMinutes ?? '30') * 60_000),
              ],
              ['hs_meeting_outcome', 'COMPLETED'],
            ])
          : new Map([
              ['hs_timestamp', iso(e.occurredAt)],
              ['hs_email_direction', 'INCOMING_EMAIL'],
              ['hs_email_subject', e.attributes.subject ?? ''],
              ['hs_email_status', 'SENT'],
            ]);
      const engagement = portal.create(type, values, { ...SEED, at: e.occurredAt });
      link(portal, 'contacts', contactId, type, engagement.id, type === 'meetings' ? 199 : 197);
      result.engagements++;
      continue;
    }
    const properties: Record<string, string> =
      e.type === 'page_view'
        ? { hs_url: e.attributes.url ?? '', hs_title: e.attributes.title ?? '' }
        : e.type === 'form_submission'
          ? {
              hs_form_id: e.attributes.formId ?? '',
              hs_form_title: e.attributes.formTitle ?? '',
              hs_url: e.attributes.pageUrl ?? '',
            }
          : { hs_email_campaign: e.attributes.campaign ?? '', hs_email_subject: e.attributes.subject ?? '' };
    portal.events.push({
      id: e.sourceId,
      eventType: EVENT_TYPES[e.type],
      objectType: 'contact',
      objectId: contactId,
      occurredAt: e.occurredAt,
      properties,
    });
    result.events++;
  }
  return result;
}
