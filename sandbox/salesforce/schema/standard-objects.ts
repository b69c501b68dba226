import { KEY_PREFIXES } from '../ids.ts';
import type { FieldDef, FieldType, ObjectDef } from './types.ts';

type FieldSpec = Partial<Omit<FieldDef, 'name' | 'type'>> & { name: string; type: FieldType };

function field(spec: FieldSpec): FieldDef {
  const base: FieldDef = {
    label: spec.name.replace(/([a-z])([A-Z])/g, '$1 $2'),
    nillable: true,
    createable: true,
    updateable: true,
    custom: false,
    needsFls: false,
    ...spec,
  };
  if (base.type === 'string' && base.length === undefined) base.length = 255;
  return base;
}

const readOnly = { createable: false, updateable: false } as const;

function systemFields(withOwner: boolean): FieldDef[] {
  const fields = [
    field({ name: 'Id', type: 'id', label: 'Record ID', nillable: false, ...readOnly, length: 18 }),
    field({ name: 'IsDeleted', type: 'boolean', label: 'Deleted', nillable: false, ...readOnly }),
    field({ name: 'CreatedDate', type: 'datetime', label: 'Created Date', nillable: false, ...readOnly }),
    field({
      name: 'CreatedById',
      type: 'reference',
      label: 'Created By ID',
      referenceTo: ['User'],
      ...readOnly,
    }),
    field({ name: 'LastModifiedDate', type: 'datetime', label: 'Last Modified Date', ...readOnly }),
    field({ name: 'LastModifiedById', type: 'reference', referenceTo: ['User'], ...readOnly }),
    field({
      name: 'SystemModstamp',
      type: 'datetime',
      label: 'System Modstamp',
      nillable: false,
      ...readOnly,
    }),
  ];
  if (withOwner) {
    fields.push(field({ name: 'OwnerId', type: 'reference', label: 'Owner ID', referenceTo: ['User'] }));
  }
  return fields;
}

function crmObject(name: string, labelPlural: string, fields: FieldDef[]): ObjectDef {
  return {
    name,
    label: name,
    labelPlural,
    keyPrefix: KEY_PREFIXES[name as keyof typeof KEY_PREFIXES],
    changeEvents: true,
    createable: true,
    updateable: true,
    deletable: true,
    api: 'data',
    fields: [...systemFields(true), ...fields],
  };
}

const text = (name: string, length = 255): FieldDef => field({ name, type: 'string', length });
const ref = (name: string, to: string[], extra: Partial<FieldSpec> = {}): FieldDef =>
  field({ name, type: 'reference', referenceTo: to, length: 18, ...extra });

const leadStatus = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
];
const industries = [
  'Agriculture',
  'Banking',
  'Consulting',
  'Education',
  'Finance',
  'Healthcare',
  'Manufacturing',
  'Media',
  'Retail',
  'Technology',
  'Telecommunications',
  'Other',
];
const leadSources = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];

export function standardObjects(): ObjectDef[] {
  return [
    crmObject('Lead', 'Leads', [
      text('FirstName', 40),
      field({ name: 'LastName', type: 'string', length: 80, nillable: false, required: true }),
      field({ name: 'Name', type: 'string', length: 121, ...readOnly }),
      field({ name: 'Company', type: 'string', length: 255, nillable: false, required: true }),
      field({ name: 'Email', type: 'email', length: 80 }),
      field({ name: 'Phone', type: 'phone', length: 40 }),
      text('Title', 128),
      field({ name: 'Industry', type: 'picklist', length: 255, picklistValues: industries }),
      field({ name: 'LeadSource', type: 'picklist', length: 255, picklistValues: leadSources }),
      field({
        name: 'Status',
        type: 'picklist',
        length: 255,
        nillable: false,
        picklistValues: leadStatus,
        defaultValue: 'Open - Not Contacted',
      }),
      field({ name: 'Rating', type: 'picklist', length: 255, picklistValues: ['Hot', 'Warm', 'Cold'] }),
      field({ name: 'AnnualRevenue', type: 'currency', precision: 18, scale: 0 }),
      field({ name: 'NumberOfEmployees', type: 'int', precision: 8, scale: 0 }),
      text('Country', 80),
      text('City', 40),
      field({ name: 'Website', type: 'url', length: 255 }),
      field({ name: 'Description', type: 'textarea', length: 32000 }),
      field({ name: 'HasOptedOutOfEmail', type: 'boolean', nillable: false, defaultValue: false }),
      field({ name: 'IsConverted', type: 'boolean', nillable: false, defaultValue: false, ...readOnly }),
      field({ name: 'ConvertedDate', type: 'date', ...readOnly }),
      ref('ConvertedAccountId', ['Account'], readOnly),
      ref('ConvertedContactId', ['Contact'], readOnly),
      ref('ConvertedOpportunityId', ['Opportunity'], readOnly),
    ]),
    crmObject('Contact', 'Contacts', [
      text('FirstName', 40),
      field({ name: 'LastName', type: 'string', length: 80, nillable: false, required: true }),
      field({ name: 'Name', type: 'string', length: 121, ...readOnly }),
      ref('AccountId', ['Account']),
      field({ name: 'Email', type: 'email', length: 80 }),
      field({ name: 'Phone', type: 'phone', length: 40 }),
      text('Title', 128),
      text('Department', 80),
      field({ name: 'LeadSource', type: 'picklist', length: 255, picklistValues: leadSources }),
      text('MailingCountry', 80),
      field({ name: 'HasOptedOutOfEmail', type: 'boolean', nillable: false, defaultValue: false }),
    ]),
    crmObject('Account', 'Accounts', [
      field({ name: 'Name', type: 'string', length: 255, nillable: false, required: true }),
      field({ name: 'Industry', type: 'picklist', length: 255, picklistValues: industries }),
      field({
        name: 'Type',
        type: 'picklist',
        length: 255,
        picklistValues: ['Prospect', 'Customer', 'Partner', 'Other'],
      }),
      field({ name: 'AnnualRevenue', type: 'currency', precision: 18, scale: 0 }),
      field({ name: 'NumberOfEmployees', type: 'int', precision: 8, scale: 0 }),
      text('BillingCountry', 80),
      field({ name: 'Website', type: 'url', length: 255 }),
    ]),
    crmObject('Opportunity', 'Opportunities', [
      field({ name: 'Name', type: 'string', length: 120, nillable: false, required: true }),
      ref('AccountId', ['Account']),
      ref('ContactId', ['Contact']),
      field({
        name: 'StageName',
        type: 'picklist',
        length: 255,
        nillable: false,
        required: true,
        picklistValues: [
          'Prospecting',
          'Qualification',
          'Proposal/Price Quote',
          'Negotiation/Review',
          'Closed Won',
          'Closed Lost',
        ],
      }),
      field({ name: 'CloseDate', type: 'date', nillable: false, required: true }),
      field({ name: 'Amount', type: 'currency', precision: 18, scale: 2 }),
      field({ name: 'Probability', type: 'percent', precision: 3, scale: 0 }),
      field({ name: 'LeadSource', type: 'picklist', length: 255, picklistValues: leadSources }),
      field({ name: 'IsClosed', type: 'boolean', nillable: false, defaultValue: false, ...readOnly }),
      field({ name: 'IsWon', type: 'boolean', nillable: false, defaultValue: false, ...readOnly }),
    ]),
    crmObject('Task', 'Tasks', [
      text('Subject', 255),
      field({
        name: 'Status',
        type: 'picklist',
        length: 255,
        nillable: false,
        picklistValues: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
        defaultValue: 'Not Started',
      }),
      field({
        name: 'Priority',
        type: 'picklist',
        length: 255,
        nillable: false,
        picklistValues: ['High', 'Normal', 'Low'],
        defaultValue: 'Normal',
      }),
      ref('WhoId', ['Contact', 'Lead']),
      ref('WhatId', ['Account', 'Opportunity']),
      field({ name: 'ActivityDate', type: 'date' }),
      field({
        name: 'Type',
        type: 'picklist',
        length: 255,
        picklistValues: ['Call', 'Email', 'Meeting', 'Other'],
      }),
      field({
        name: 'TaskSubtype',
        type: 'picklist',
        length: 255,
        picklistValues: ['Task', 'Email', 'Call'],
        updateable: false,
      }),
      field({ name: 'Description', type: 'textarea', length: 32000 }),
      field({ name: 'IsClosed', type: 'boolean', nillable: false, defaultValue: false, ...readOnly }),
    ]),
    crmObject('Event', 'Events', [
      text('Subject', 255),
      ref('WhoId', ['Contact', 'Lead']),
      ref('WhatId', ['Account', 'Opportunity']),
      field({ name: 'ActivityDateTime', type: 'datetime' }),
      field({ name: 'StartDateTime', type: 'datetime' }),
      field({ name: 'EndDateTime', type: 'datetime' }),
      field({ name: 'DurationInMinutes', type: 'int', precision: 8, scale: 0 }),
      field({
        name: 'Type',
        type: 'picklist',
        length: 255,
        picklistValues: ['Call', 'Email', 'Meeting', 'Other'],
      }),
      field({ name: 'Description', type: 'textarea', length: 32000 }),
    ]),
    setupObject(
      'CustomField',
      'Custom Fields',
      false,
      [
        field({ name: 'DeveloperName', type: 'string', length: 40, ...readOnly }),
        field({ name: 'TableEnumOrId', type: 'string', length: 40, ...readOnly }),
        field({ name: 'FullName', type: 'string', length: 255, ...readOnly }),
        field({ name: 'NamespacePrefix', type: 'string', length: 15, ...readOnly }),
      ],
      'tooling',
    ),
    setupObject(
      'User',
      'Users',
      false,
      [
        field({ name: 'Username', type: 'string', length: 80, nillable: false }),
        text('FirstName', 40),
        text('LastName', 80),
        field({ name: 'Name', type: 'string', length: 121 }),
        field({ name: 'Email', type: 'email', length: 128 }),
        field({ name: 'IsActive', type: 'boolean', nillable: false, defaultValue: true }),
      ],
      'data',
    ),
    setupObject('PermissionSet', 'Permission Sets', true, [
      field({ name: 'Name', type: 'string', length: 80, nillable: false, required: true, updateable: false }),
      field({ name: 'Label', type: 'string', length: 80, nillable: false, required: true }),
      field({ name: 'Description', type: 'string', length: 255 }),
      field({ name: 'IsOwnedByProfile', type: 'boolean', nillable: false, defaultValue: false, ...readOnly }),
    ]),
    setupObject('FieldPermissions', 'Field Permissions', true, [
      ref('ParentId', ['PermissionSet'], { nillable: false, required: true, updateable: false }),
      field({
        name: 'SobjectType',
        type: 'string',
        length: 80,
        nillable: false,
        required: true,
        updateable: false,
      }),
      field({
        name: 'Field',
        type: 'string',
        length: 120,
        nillable: false,
        required: true,
        updateable: false,
      }),
      field({ name: 'PermissionsRead', type: 'boolean', nillable: false, defaultValue: false }),
      field({ name: 'PermissionsEdit', type: 'boolean', nillable: false, defaultValue: false }),
    ]),
    setupObject('PermissionSetAssignment', 'Permission Set Assignments', true, [
      ref('AssigneeId', ['User'], { nillable: false, required: true, updateable: false }),
      ref('PermissionSetId', ['PermissionSet'], { nillable: false, required: true, updateable: false }),
    ]),
  ];
}

function setupObject(
  name: string,
  labelPlural: string,
  writable: boolean,
  fields: FieldDef[],
  api: ObjectDef['api'] = 'both',
): ObjectDef {
  return {
    name,
    label: name.replace(/([a-z])([A-Z])/g, '$1 $2'),
    labelPlural,
    keyPrefix: KEY_PREFIXES[name as keyof typeof KEY_PREFIXES],
    changeEvents: false,
    createable: writable,
    updateable: writable,
    deletable: writable,
    api,
    fields: [...systemFields(false), ...fields],
  };
}
