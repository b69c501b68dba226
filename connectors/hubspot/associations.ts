/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   The SDK's documented calling style passes plain object literals for its model classes; its
   serializer reads fields by name, so a literal with the same fields is what it sends. */
import type { Caller } from './client.ts';
import type { EngagementObject } from './mapping.ts';

/** The primary company of each of these contacts. */
export async function companyLinks(call: Caller, ids: readonly string[]): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  if (ids.length === 0) return links;
  // Search results carry no associations: one v4 batch read per page (≤ 1,000 inputs, §3.6).
  const res = await call('standard', (c) =>
    c.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: ids.map((id) => ({ id })) }),
  );
  for (const r of res.results) {
    // Type 1 is the primary contact→company association (§3.6).
    const primary = r.to.find((t) => t.associationTypes.some((a) => a.typeId === 1)) ?? r.to[0];
    if (primary !== undefined) links.set(r._from.id, primary.toObjectId);
  }
  return links;
}

/** The contacts of these engagements: search results carry no associations (one v4 batch read, §3.6). */
export async function engagementContacts(
  call: Caller,
  kind: EngagementObject,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const links = new Map<string, string[]>();
  if (ids.length === 0) return links;
  const res = await call('standard', (c) =>
    c.crm.associations.v4.batchApi.getPage(kind, 'contacts', { inputs: ids.map((id) => ({ id })) }),
  );
  for (const r of res.results)
    links.set(
      r._from.id,
      r.to.map((t) => t.toObjectId),
    );
  return links;
}
