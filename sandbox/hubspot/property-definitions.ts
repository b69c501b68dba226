import type { ObjectTypeName } from './object-types.ts';

/**
 * Property definitions as the properties API returns them ([spec] crm-properties-v3 `Property`),
 * and the built-in ones each object type starts with. Valid type/fieldType pairs follow the
 * properties guide (hubspot.md §2.3).
 */
export type PropertyType =
  'bool' | 'date' | 'datetime' | 'enumeration' | 'number' | 'phone_number' | 'string';

export const PROPERTY_TYPES: readonly PropertyType[] = [
  'bool',
  'date',
  'datetime',
  'enumeration',
  'number',
  'phone_number',
  'string',
];

export const FIELD_TYPES = [
  'booleancheckbox',
  'calculation_equation',
  'checkbox',
  'date',
  'file',
  'html',
  'number',
  'phonenumber',
  'radio',
  'select',
  'text',
  'textarea',
] as const;

export const VALID_FIELD_TYPES: Readonly<Record<PropertyType, readonly string[]>> = {
  number: ['number', 'calculation_equation'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation'],
  string: ['text', 'textarea', 'html', 'phonenumber', 'file'],
  datetime: ['date'],
  date: ['date'],
  bool: ['booleancheckbox'],
  phone_number: ['phonenumber'],
};

export interface PropertyOption {
  label: string;
  value: string;
  hidden: boolean;
  displayOrder?: number;
  description?: string;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  description: string;
  groupName: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  externalOptions: boolean;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

interface Spec {
  type: PropertyType;
  fieldType: string;
  label?: string;
  options?: readonly string[];
  readOnly?: boolean;
  unique?: boolean;
  group?: string;
}

const s = (fieldType = 'text'): Spec => ({ type: 'string', fieldType });
const n = (readOnly = false): Spec => ({ type: 'number', fieldType: 'number', readOnly });
const dt = (readOnly = false): Spec => ({ type: 'datetime', fieldType: 'date', readOnly });
const e = (options: readonly string[], fieldType = 'select'): Spec => ({
  type: 'enumeration',
  fieldType,
  options,
});

export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

export const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
] as const;

/** HubSpot's analytics source values for `hs_analytics_source` (original source). */
export const ANALYTICS_SOURCES = [
  'ORGANIC_SEARCH',
  'PAID_SEARCH',
  'EMAIL_MARKETING',
  'SOCIAL_MEDIA',
  'REFERRALS',
  'OTHER_CAMPAIGNS',
  'DIRECT_TRAFFIC',
  'OFFLINE',
  'PAID_SOCIAL',
] as const;

export const LEGAL_BASES = [
  'Legitimate interest – prospect/lead',
  'Legitimate interest - existing customer',
  'Freely given consent from contact',
  'Performance of a contract',
  'Not applicable',
] as const;

export const INDUSTRY_VALUES = [
  'COMPUTER_SOFTWARE',
  'FINANCIAL_SERVICES',
  'MECHANICAL_OR_INDUSTRIAL_ENGINEERING',
  'HOSPITAL_HEALTH_CARE',
  'RETAIL',
  'EDUCATION_MANAGEMENT',
] as const;

const COMMON: Record<string, Spec> = {
  hs_object_id: n(true),
  hs_createdate: dt(true),
  hs_lastmodifieddate: dt(true),
};

const ENGAGEMENT: Record<string, Spec> = { ...COMMON, hs_timestamp: dt(), hubspot_owner_id: s() };

const BUILT_IN: Record<ObjectTypeName, Record<string, Spec>> = {
  contacts: {
    hs_object_id: n(true),
    createdate: dt(),
    lastmodifieddate: dt(true),
    email: { type: 'string', fieldType: 'text', unique: true },
    firstname: s(),
    lastname: s(),
    jobtitle: s(),
    company: s(),
    country: s(),
    phone: { type: 'string', fieldType: 'phonenumber' },
    associatedcompanyid: n(),
    lifecyclestage: e(LIFECYCLE_STAGES),
    hs_lead_status: e([
      'NEW',
      'OPEN',
      'IN_PROGRESS',
      'OPEN_DEAL',
      'UNQUALIFIED',
      'ATTEMPTED_TO_CONTACT',
      'CONNECTED',
      'BAD_TIMING',
    ]),
    hs_analytics_source: { ...e(ANALYTICS_SOURCES), readOnly: true, group: 'analyticsinformation' },
    hs_analytics_num_page_views: { ...n(true), group: 'analyticsinformation' },
    hs_analytics_num_visits: { ...n(true), group: 'analyticsinformation' },
    hs_legal_basis: e(LEGAL_BASES, 'checkbox'),
    hs_email_optout: { type: 'bool', fieldType: 'booleancheckbox', readOnly: true },
    num_associated_deals: n(true),
    ...Object.fromEntries(LIFECYCLE_STAGES.map((stage) => [`hs_lifecyclestage_${stage}_date`, dt(true)])),
  },
  companies: {
    ...COMMON,
    createdate: dt(),
    name: s(),
    domain: { type: 'string', fieldType: 'text', unique: true },
    industry: e(INDUSTRY_VALUES),
    numberofemployees: n(),
    annualrevenue: n(),
    country: s(),
    city: s(),
  },
  deals: {
    ...COMMON,
    createdate: dt(),
    dealname: s(),
    amount: n(),
    dealstage: e(DEAL_STAGES, 'radio'),
    pipeline: e(['default']),
    closedate: dt(),
  },
  calls: {
    ...ENGAGEMENT,
    hs_call_title: s(),
    hs_call_body: s('html'),
    hs_call_duration: n(),
    hs_call_direction: e(['INBOUND', 'OUTBOUND']),
    hs_call_status: e([
      'BUSY',
      'CALLING_CRM_USER',
      'CANCELED',
      'COMPLETED',
      'CONNECTING',
      'FAILED',
      'IN_PROGRESS',
      'NO_ANSWER',
      'QUEUED',
      'RINGING',
    ]),
  },
  emails: {
    ...ENGAGEMENT,
    hs_email_direction: e(['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']),
    hs_email_subject: s(),
    hs_email_text: s('textarea'),
    hs_email_status: e(['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT']),
  },
  meetings: {
    ...ENGAGEMENT,
    hs_meeting_title: s(),
    hs_meeting_body: s('html'),
    hs_meeting_start_time: dt(),
    hs_meeting_end_time: dt(),
    hs_meeting_outcome: e(['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED']),
  },
  notes: { ...ENGAGEMENT, hs_note_body: s('html') },
};

const DEFAULT_GROUP: Record<ObjectTypeName, string> = {
  contacts: 'contactinformation',
  companies: 'companyinformation',
  deals: 'dealinformation',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  notes: 'note',
};

export function builtInGroups(type: ObjectTypeName): PropertyGroup[] {
  const groups: PropertyGroup[] = [
    { name: DEFAULT_GROUP[type], label: DEFAULT_GROUP[type], displayOrder: 0, archived: false },
  ];
  if (type === 'contacts')
    groups.push({
      name: 'analyticsinformation',
      label: 'Web analytics history',
      displayOrder: 1,
      archived: false,
    });
  return groups;
}

export function builtInProperties(type: ObjectTypeName, at: string): PropertyDefinition[] {
  return Object.entries(BUILT_IN[type]).map(([name, spec], i) => ({
    name,
    label: spec.label ?? name,
    type: spec.type,
    fieldType: spec.fieldType,
    description: '',
    groupName: spec.group ?? DEFAULT_GROUP[type],
    options: (spec.options ?? []).map((value, displayOrder) => ({
      label: value,
      value,
      hidden: false,
      displayOrder,
    })),
    displayOrder: i,
    hasUniqueValue: spec.unique ?? false,
    hidden: false,
    formField: !(spec.readOnly ?? false),
    hubspotDefined: true,
    calculated: false,
    externalOptions: false,
    modificationMetadata: {
      archivable: false,
      readOnlyDefinition: true,
      readOnlyValue: spec.readOnly ?? false,
    },
    createdAt: at,
    updatedAt: at,
    archived: false,
  }));
}
