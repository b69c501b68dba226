import { ConnectorError } from '../types.ts';

/** "The maximum number of supported objects per page is 200" (hubspot.md §3.5). */
export const SEARCH_PAGE_SIZE = 200;
/** "limited to 10,000 total results for any given query. Attempting to page beyond 10,000 will result in a 400 error" (§3.5). */
export const SEARCH_RESULT_CAP = 10_000;

/**
 * Where an incremental sweep stands: the lower bound of the current query (`since`, epoch ms,
 * lastmodifieddate GTE since), the offset within it, and the ids at the newest timestamp emitted so
 * far (`lastTs`/`lastIds`), which a restarted query returns again and must drop.
 */
export interface SearchCursor {
  since: number;
  after: number;
  /** Ids with lastmodifieddate == since emitted before the current query started. */
  seen: string[];
  lastTs: number;
  lastIds: string[];
}

export function isSearchCursor(v: unknown): v is SearchCursor {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const ids = (x: unknown): boolean => Array.isArray(x) && x.every((i) => typeof i === 'string');
  return (
    typeof r.since === 'number' &&
    typeof r.after === 'number' &&
    typeof r.lastTs === 'number' &&
    ids(r.seen) &&
    ids(r.lastIds)
  );
}

export function firstSearchCursor(since: number): SearchCursor {
  return { since, after: 0, seen: [], lastTs: Number.NEGATIVE_INFINITY, lastIds: [] };
}

export interface SearchHit {
  id: string;
  modifiedAt: number;
}

export interface SearchStep {
  /** Ids to emit from this page, in order (boundary duplicates dropped). */
  emit: string[];
  /** The cursor of the next page; undefined when the sweep is done. */
  next: SearchCursor | undefined;
}

/**
 * Pure: given the cursor a page was fetched with, the page's hits (ascending lastmodifieddate) and
 * whether HubSpot offered another page, what to emit and where to go next. Before the next offset
 * would cross the 10,000-result cap, the sweep restarts a new query from the newest timestamp seen,
 * remembering the ids at that timestamp so they are not emitted twice.
 */
export function stepSearch(
  cursor: SearchCursor,
  hits: readonly SearchHit[],
  hasMore: boolean,
  pageSize: number = SEARCH_PAGE_SIZE,
  cap: number = SEARCH_RESULT_CAP,
): SearchStep {
  const seen = new Set(cursor.seen);
  let lastTs = cursor.lastTs;
  let lastIds = cursor.lastIds;
  const emit: string[] = [];
  for (const hit of hits) {
    if (hit.modifiedAt === cursor.since && seen.has(hit.id)) continue;
    emit.push(hit.id);
    if (hit.modifiedAt > lastTs) {
      lastTs = hit.modifiedAt;
      lastIds = [hit.id];
    } else if (hit.modifiedAt === lastTs && !lastIds.includes(hit.id)) {
      lastIds = [...lastIds, hit.id];
    }
  }
  if (!hasMore) return { emit, next: undefined };
  const after = cursor.after + pageSize;
  if (after + pageSize <= cap) return { emit, next: { ...cursor, after, lastTs, lastIds } };
  // Restart from the newest timestamp seen; the ids emitted at it come back first and are dropped.
  if (lastTs === cursor.since) {
    // A whole capped query of records modified in one millisecond: no sort key is left to split
    // them by, and silently skipping some would lose changes.
    throw new ConnectorError(
      'unknown',
      `more than ${cap} contacts share lastmodifieddate ${lastTs}; the sweep cannot page past them`,
    );
  }
  return { emit, next: { since: lastTs, after: 0, seen: lastIds, lastTs, lastIds } };
}
