import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../types.ts';
import { firstSearchCursor, stepSearch, type SearchCursor, type SearchHit } from './search-cursor.ts';

/** A fake portal: search GTE since, ascending by (time, id), offset paging, capped like HubSpot. */
function search(
  all: readonly SearchHit[],
  c: SearchCursor,
  size: number,
  cap: number,
): { hits: SearchHit[]; more: boolean } {
  if (c.after >= cap) throw new Error('400: paging beyond the cap');
  const matching = all
    .filter((h) => h.modifiedAt >= c.since)
    .sort((a, b) => a.modifiedAt - b.modifiedAt || Number(a.id) - Number(b.id));
  const hits = matching.slice(c.after, Math.min(c.after + size, cap));
  return { hits, more: c.after + size < matching.length };
}

function sweep(
  all: readonly SearchHit[],
  since: number,
  size: number,
  cap: number,
): { ids: string[]; queries: number } {
  const ids: string[] = [];
  let cursor: SearchCursor | undefined = firstSearchCursor(since);
  let queries = 0;
  while (cursor !== undefined) {
    const { hits, more } = search(all, cursor, size, cap);
    queries++;
    const step = stepSearch(cursor, hits, more, size, cap);
    ids.push(...step.emit);
    cursor = step.next;
  }
  return { ids, queries };
}

const hits = (n: number, timeOf: (i: number) => number): SearchHit[] =>
  Array.from({ length: n }, (_, i) => ({ id: String(i + 1), modifiedAt: timeOf(i) }));

describe('stepSearch', () => {
  it('returns every changed record exactly once across the result cap', () => {
    const all = hits(1_037, (i) => 1_000 + Math.floor(i / 3)); // three records per millisecond
    const { ids } = sweep(all, 1_000, 20, 100);
    expect(ids).toHaveLength(1_037);
    expect(new Set(ids).size).toBe(1_037);
  });

  it('ignores records changed before since', () => {
    const all = hits(50, (i) => i);
    expect(sweep(all, 30, 7, 21).ids).toEqual(all.slice(30).map((h) => h.id));
  });

  it('drops the boundary-millisecond ids a restarted query returns again', () => {
    const all = hits(40, (i) => 100 + Math.floor(i / 5)); // five per millisecond; restarts split them
    const { ids, queries } = sweep(all, 0, 4, 12);
    expect(ids).toEqual(all.map((h) => h.id));
    expect(queries).toBeGreaterThan(10);
  });

  it('fails loudly when one millisecond holds more records than a query can page through', () => {
    const all = hits(200, () => 7);
    expect(() => sweep(all, 0, 10, 50)).toThrow(ConnectorError);
  });

  it('ends the sweep on the last page', () => {
    const step = stepSearch(firstSearchCursor(0), [{ id: '1', modifiedAt: 5 }], false);
    expect(step).toEqual({ emit: ['1'], next: undefined });
  });
});
