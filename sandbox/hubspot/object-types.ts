/**
 * The CRM object types the emulator serves, with HubSpot's type ids (hubspot.md §3.1: contacts
 * 0-1, companies 0-2, deals 0-3, calls 0-48, emails 0-49, meetings 0-47, notes 0-46) and the scopes
 * each path requires ([spec] `security`; engagements ride on the contacts scopes, hubspot.md §1.4).
 */
export type ObjectTypeName = 'contacts' | 'companies' | 'deals' | 'calls' | 'emails' | 'meetings' | 'notes';

export interface ObjectTypeInfo {
  name: ObjectTypeName;
  typeId: string;
  /** Singular, as webhooks and association type names spell it (contact, company, deal, ...). */
  singular: string;
  /** Contacts keep the legacy `lastmodifieddate`; every other type uses `hs_lastmodifieddate`. */
  lastModifiedProperty: string;
  /** Properties returned when the request names none (the "default properties"). */
  defaultProperties: readonly string[];
  /** Any one of these scopes may read. */
  readScopes: readonly string[];
  writeScopes: readonly string[];
  schemaReadScopes: readonly string[];
  schemaWriteScopes: readonly string[];
  /** Base of generated ids, so ids of different types do not collide by accident in tests. */
  idBase: number;
}

const ENGAGEMENT_READ = ['crm.objects.contacts.read'];
const ENGAGEMENT_WRITE = ['crm.objects.contacts.write'];

function info(
  name: ObjectTypeName,
  typeId: string,
  singular: string,
  defaults: readonly string[],
  read: readonly string[],
  write: readonly string[],
  idBase: number,
): ObjectTypeInfo {
  const schemaOwner = name === 'contacts' || name === 'companies' || name === 'deals' ? name : 'contacts';
  return {
    name,
    typeId,
    singular,
    lastModifiedProperty: name === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate',
    defaultProperties: defaults,
    readScopes: read,
    writeScopes: write,
    schemaReadScopes: [`crm.schemas.${schemaOwner}.read`, ...read],
    schemaWriteScopes: [`crm.schemas.${schemaOwner}.write`],
    idBase,
  };
}

export const OBJECT_TYPES: Readonly<Record<ObjectTypeName, ObjectTypeInfo>> = {
  contacts: info(
    'contacts',
    '0-1',
    'contact',
    ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    ['crm.objects.contacts.read'],
    ['crm.objects.contacts.write'],
    100_000,
  ),
  companies: info(
    'companies',
    '0-2',
    'company',
    ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    ['crm.objects.companies.read'],
    ['crm.objects.companies.write'],
    200_000,
  ),
  deals: info(
    'deals',
    '0-3',
    'deal',
    [
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ],
    ['crm.objects.deals.read'],
    ['crm.objects.deals.write'],
    300_000,
  ),
  calls: info(
    'calls',
    '0-48',
    'call',
    ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    ENGAGEMENT_READ,
    ENGAGEMENT_WRITE,
    400_000,
  ),
  // Emails may also be read with sales-email-read (hubspot.md §1.4: alternatives in the spec).
  emails: info(
    'emails',
    '0-49',
    'email',
    ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    ['crm.objects.contacts.read', 'sales-email-read'],
    ENGAGEMENT_WRITE,
    500_000,
  ),
  meetings: info(
    'meetings',
    '0-47',
    'meeting',
    ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    ENGAGEMENT_READ,
    ENGAGEMENT_WRITE,
    600_000,
  ),
  notes: info(
    'notes',
    '0-46',
    'note',
    ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    ENGAGEMENT_READ,
    ENGAGEMENT_WRITE,
    700_000,
  ),
};

const BY_ALIAS = new Map<string, ObjectTypeInfo>();
for (const t of Object.values(OBJECT_TYPES)) {
  BY_ALIAS.set(t.name, t);
  BY_ALIAS.set(t.typeId, t);
  BY_ALIAS.set(t.singular, t);
}

/** Accepts `contacts`, `contact` or `0-1` (paths use all three forms; hubspot.md §3.1, §8.5). */
export function resolveObjectType(raw: string): ObjectTypeInfo | undefined {
  return BY_ALIAS.get(raw.toLowerCase());
}
