import type { CanonicalEvent, CanonicalPerson, EpochMs, Page } from '../types.ts';
import { decodeCursor, encodeCursor, isObject } from './cursor.ts';
import type { Pager } from './paging.ts';
import { soqlFor } from './paging.ts';
import {
  OBJECT_FIELDS,
  parseSalesforceTime,
  toEvent,
  toPerson,
  type ObjectName,
  type SalesforceRecord,
} from './records.ts';

const PEOPLE = ['Lead', 'Contact'] as const;
const ACTIVITY = ['Task', 'Event'] as const;

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

/** One object of a keyset sweep: its records' items, and the fields read beyond the object's own. */
interface ChangedSource<T> {
  object: ObjectName;
  where?: string;
  toItems: (records: SalesforceRecord[]) => T[];
}

/**
 * Records of `sources` changed at or after `since`, one object after the other, each
 * `ORDER BY SystemModstamp, Id` with a keyset cursor rather than `nextRecordsUrl`, so a cursor stays
 * valid past the query locator's two-day life and across restarts. SystemModstamp, not
 * LastModifiedDate: system-only changes bump it too (salesforce.md §2). `watermark`: the newest
 * SystemModstamp the page read, items or not.
 */
async function listChangedSince<T>(
  pager: Pager,
  pageSize: number,
  sources: readonly ChangedSource<T>[],
  since: EpochMs,
  cursor?: string,
): Promise<Page<T> & { watermark?: EpochMs }> {
  const at: ChangedCursor = cursor === undefined ? { o: 0, since } : decodeCursor(cursor, isChangedCursor);
  const source = sources[at.o];
  if (source === undefined) return { items: [] };
  const keyset =
    at.ts === undefined || at.id === undefined
      ? `SystemModstamp >= ${soqlDateTime(at.since)}`
      : `(SystemModstamp > ${at.ts} OR (SystemModstamp = ${at.ts} AND Id > '${safeId(at.id)}'))`;
  const fields = [...new Set([...Object.keys(OBJECT_FIELDS[source.object]), 'Id', 'SystemModstamp'])];
  const soql = `${soqlFor({ object: source.object, fields, ...(source.where === undefined ? {} : { where: source.where }) }, keyset)} ORDER BY SystemModstamp, Id LIMIT ${pageSize}`;
  const res = await pager.query({ soql });
  const items = source.toItems(res.records);
  const last = res.records.at(-1);
  const stamp = (r: SalesforceRecord | undefined): EpochMs | undefined => {
    const v = r?.['SystemModstamp'];
    return typeof v === 'string' && v !== '' ? parseSalesforceTime(v) : undefined;
  };
  const lastStamp = stamp(last);
  const watermark = lastStamp === undefined ? {} : { watermark: lastStamp };
  if (last !== undefined && lastStamp !== undefined && res.records.length >= pageSize) {
    const next: ChangedCursor = {
      o: at.o,
      since: at.since,
      ts: soqlDateTime(lastStamp),
      id: String(last['Id']),
    };
    return { items, next: encodeCursor(next), ...watermark };
  }
  if (at.o + 1 < sources.length)
    return { items, next: encodeCursor({ o: at.o + 1, since: at.since }), ...watermark };
  return { items, ...watermark };
}

/** People (Leads, then Contacts) changed at or after `since`, oldest first. */
export async function listPeopleChangedSince(
  pager: Pager,
  pageSize: number,
  since: EpochMs,
  cursor?: string,
): Promise<Page<CanonicalPerson>> {
  const { items, next } = await listChangedSince(
    pager,
    pageSize,
    PEOPLE.map((object) => ({
      object,
      toItems: (rs: SalesforceRecord[]) => rs.map((r) => toPerson(object, r)),
    })),
    since,
    cursor,
  );
  return next === undefined ? { items } : { items, next };
}

/**
 * Activity (Tasks, then Events, of a person: `WhoId != null`) created or changed at or after `since`:
 * a Task logged after install is a new engagement event; one edited again is re-read, and ingesting
 * it twice is a no-op (its record Id is the sourceId).
 */
export async function listEventsChangedSince(
  pager: Pager,
  pageSize: number,
  since: EpochMs,
  cursor?: string,
): Promise<Page<CanonicalEvent> & { watermark?: EpochMs }> {
  return listChangedSince(
    pager,
    pageSize,
    ACTIVITY.map((object) => ({
      object,
      where: 'WhoId != null',
      toItems: (rs: SalesforceRecord[]) => rs.flatMap((r) => toEvent(object, r) ?? []),
    })),
    since,
    cursor,
  );
}
