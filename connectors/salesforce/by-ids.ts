import type { CanonicalPerson } from '../types.ts';
import type { Pager } from './paging.ts';
import { soqlFor } from './paging.ts';
import { toPerson } from './records.ts';

/**
 * Ids per `WHERE Id IN (...)` query. 200 quoted 18-character ids make a ~5.4 KB URL-encoded query
 * string with the field list, well inside what a GET carries; SOQL itself allows 100,000 characters.
 */
export const IDS_PER_QUERY = 200;

/** Key prefixes of the person objects (salesforce.md: Lead 00Q, Contact 003). */
const PERSON_PREFIX = { '00Q': 'Lead', '003': 'Contact' } as const;
type PersonObject = (typeof PERSON_PREFIX)[keyof typeof PERSON_PREFIX];

/** Ids are [0-9A-Za-z]{15,18}; anything else never reaches SOQL. */
const isSalesforceId = (id: string): boolean => /^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/.test(id);

export function personObjectOf(id: string): PersonObject | undefined {
  if (!isSalesforceId(id)) return undefined;
  return PERSON_PREFIX[id.slice(0, 3) as keyof typeof PERSON_PREFIX];
}

/**
 * Exactly the named Leads and Contacts, one SOQL `WHERE Id IN (...)` per object and batch of
 * IDS_PER_QUERY: what a change event's `recordIds` name (salesforce.md §8.1), without sweeping the
 * org. Deleted records are not returned by a plain query; ids of other objects are ignored.
 */
export async function listPeopleByIds(pager: Pager, ids: readonly string[]): Promise<CanonicalPerson[]> {
  const byObject = new Map<PersonObject, string[]>();
  const seen = new Set<string>();
  for (const id of ids) {
    const object = personObjectOf(id);
    const key = id.slice(0, 15);
    if (object === undefined || seen.has(key)) continue;
    seen.add(key);
    const list = byObject.get(object) ?? [];
    list.push(id);
    byObject.set(object, list);
  }
  const out: CanonicalPerson[] = [];
  for (const [object, list] of byObject) {
    for (let i = 0; i < list.length; i += IDS_PER_QUERY) {
      const batch = list.slice(i, i + IDS_PER_QUERY);
      const where = `Id IN (${batch.map((id) => `'${id}'`).join(', ')})`;
      // At most 200 rows: one page (SOQL pages hold up to 2,000), but follow nextRecordsUrl anyway.
      const records = await pager.queryAll(soqlFor({ object, where }));
      out.push(...records.map((r) => toPerson(object, r)));
    }
  }
  return out;
}
