import type { CanonicalPerson, EpochMs, Page } from '../types.ts';
import { decodeCursor, encodeCursor, isObject } from './cursor.ts';
import type { Pager } from './paging.ts';
import { soqlFor } from './paging.ts';
import { toPerson } from './records.ts';

const PEOPLE = ['Lead', 'Contact'] as const;

/** Keyset position: the object being read and the (SystemModstamp, Id) of the last record returned. */
interface ChangedCursor {
  o: number;
  since: EpochMs;
  ts?: string;
  id?: string;
}

const isChangedCursor = (v: unknown): v is ChangedCursor =>
  isObject(v) &&
  typeof v['o'] === 'number' &&
  typeof v['since'] === 'number' &&
  // The cursor's timestamp goes into SOQL unquoted: only an ISO UTC datetime may pass.
  (v['ts'] === undefined ||
    (typeof v['ts'] === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v['ts']))) &&
  (v['id'] === undefined || typeof v['id'] === 'string');

/** SOQL datetime literals are unquoted UTC (salesforce.md §2); milliseconds keep the keyset exact. */
export const soqlDateTime = (ms: EpochMs): string => new Date(ms).toISOString();

/** Ids are [0-9A-Za-z]; anything else in a cursor is refused before it reaches SOQL. */
const safeId = (id: string): string => {
  if (!/^[0-9A-Za-z]{15,18}$/.test(id)) throw new RangeError(`not a Salesforce id: ${id}`);
  return id;
};

/**
 * People changed at or after `since`: Leads, then Contacts, each `ORDER BY SystemModstamp, Id`
 * with a keyset cursor rather than `nextRecordsUrl`, so a cursor stays valid past the query
 * locator's two-day life and across restarts. SystemModstamp, not LastModifiedDate: system-only
 * changes bump it too (salesforce.md §2).
 */
export async function listPeopleChangedSince(
  pager: Pager,
  pageSize: number,
  since: EpochMs,
  cursor?: string,
): Promise<Page<CanonicalPerson>> {
  const at: ChangedCursor = cursor === undefined ? { o: 0, since } : decodeCursor(cursor, isChangedCursor);
  const object = PEOPLE[at.o];
  if (object === undefined) return { items: [] };
  const where =
    at.ts === undefined || at.id === undefined
      ? `SystemModstamp >= ${soqlDateTime(at.since)}`
      : `(SystemModstamp > ${at.ts} OR (SystemModstamp = ${at.ts} AND Id > '${safeId(at.id)}'))`;
  const soql = `${soqlFor({ object, where })} ORDER BY SystemModstamp, Id LIMIT ${pageSize}`;
  const res = await pager.query({ soql });
  const items = res.records.map((r) => toPerson(object, r));
  const last = items.at(-1);
  if (last !== undefined && items.length >= pageSize) {
    const next: ChangedCursor = {
      o: at.o,
      since: at.since,
      ts: soqlDateTime(last.updatedAt),
      id: last.crmId,
    };
    return { items, next: encodeCursor(next) };
  }
  if (at.o + 1 < PEOPLE.length) return { items, next: encodeCursor({ o: at.o + 1, since: at.since }) };
  return { items };
}
