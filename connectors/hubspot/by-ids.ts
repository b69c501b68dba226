/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes; its
   serializer reads fields by name, so a literal with the same fields is what it sends. */
import type { CanonicalPerson } from '../types.ts';
import { companyLinks } from './associations.ts';
import type { Caller } from './client.ts';
import { mapBatchItemError } from './errors.ts';
import type { HsObject } from './mapping.ts';
import type { PeopleRead } from './paging.ts';

/** "Object API batch endpoints are limited to 100 inputs per request" (hubspot.md §3.4). */
export const IDS_PER_READ = 100;

/** The v4 association batch read is "limited to 1,000 inputs per request body" (hubspot.md §3.6). */
export const IDS_PER_ASSOCIATION_READ = 1_000;

/**
 * HubSpot record ids are numeric strings (a webhook's `objectId` is an integer, hubspot.md §5.2);
 * anything else names no contact and is never sent. 19 digits hold every 64-bit id.
 */
const isHubSpotId = (id: string): boolean => /^[1-9]\d{0,18}$/.test(id);

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Exactly the named contacts (the ids a webhook batch names), with the properties, consent and
 * lifecycle outcome of the people pages: one contacts batch read per IDS_PER_READ ids, then their
 * primary companies through one v4 association batch read per IDS_PER_ASSOCIATION_READ found, since
 * "the `associations` parameter is not supported in the batch read endpoint" (§3.4). Both are
 * standard requests in the portal's 110 per 10 s, not the 5-per-second search.
 *
 * A deleted or unknown id comes back as a 207 `OBJECT_NOT_FOUND` item (§3.4, which the SDK resolves
 * rather than throws): it is left out of the result. The deletion webhooks remove such people.
 */
export async function listPeopleByIds(
  call: Caller,
  people: PeopleRead,
  ids: readonly string[],
): Promise<CanonicalPerson[]> {
  const wanted = [...new Set(ids.filter(isHubSpotId))];
  const found = new Map<string, HsObject>();
  for (const batch of chunked(wanted, IDS_PER_READ)) {
    const res = await call('standard', (c) =>
      c.crm.contacts.batchApi.read({
        inputs: batch.map((id) => ({ id })),
        properties: people.properties,
        // Required by the spec (BatchReadInputSimplePublicObjectId); no history is read.
        propertiesWithHistory: [],
      }),
    );
    if ('errors' in res) {
      for (const item of res.errors ?? []) {
        // Anything but a missing record (a scope, a validation problem) is not ours to drop quietly.
        if (item.category !== 'OBJECT_NOT_FOUND') throw mapBatchItemError(item);
      }
    }
    // Keyed by id: a record that answers for two inputs is one person.
    for (const o of res.results) found.set(o.id, o);
  }
  const links = new Map<string, string>();
  for (const batch of chunked([...found.keys()], IDS_PER_ASSOCIATION_READ))
    for (const [contactId, companyId] of await companyLinks(call, batch)) links.set(contactId, companyId);
  return [...found.values()].map((o) => {
    const p = people.toPerson(o);
    const companyId = links.get(o.id);
    return companyId === undefined ? p : { ...p, companyId };
  });
}
