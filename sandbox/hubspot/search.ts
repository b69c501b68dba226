import { validationError } from './errors.ts';
import type { ObjectTypeName } from './object-types.ts';
import type { Portal, StoredObject } from './portal.ts';
import type { PropertyDefinition } from './property-definitions.ts';

/**
 * CRM search as documented (hubspot.md §3.5): filters ANDed within a group and groups ORed; at most
 * 5 groups, 6 filters per group and 18 in all; one sort; pages of at most 200; the body at most
 * 3,000 characters; and no paging beyond 10,000 results.
 */
export const SEARCH_LIMIT_MAX = 200;
export const SEARCH_RESULT_CAP = 10_000;
export const SEARCH_BODY_MAX_CHARS = 3_000;
export const MAX_FILTER_GROUPS = 5;
export const MAX_FILTERS_PER_GROUP = 6;
export const MAX_FILTERS_TOTAL = 18;

export const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;
export type Operator = (typeof OPERATORS)[number];

type Scalar = string | number | boolean;

export interface Filter {
  propertyName: string;
  operator: Operator;
  value?: Scalar;
  highValue?: Scalar;
  values?: Scalar[];
}

export interface SearchBody {
  filterGroups?: { filters: Filter[] }[];
  sorts?: (string | { propertyName: string; direction?: 'ASCENDING' | 'DESCENDING' })[];
  properties?: string[];
  query?: string;
  limit?: number;
  after?: string | number;
}

/** Properties the free-text `query` looks in, per type. */
const QUERY_PROPERTIES: Partial<Record<ObjectTypeName, readonly string[]>> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'company'],
  companies: ['name', 'domain', 'website', 'phone'],
  deals: ['dealname'],
};

export function checkSearchShape(body: SearchBody): void {
  const groups = body.filterGroups ?? [];
  if (groups.length > MAX_FILTER_GROUPS)
    throw validationError(
      `A search may have at most ${MAX_FILTER_GROUPS} filterGroups, got ${groups.length}`,
    );
  let total = 0;
  for (const g of groups) {
    if (g.filters.length > MAX_FILTERS_PER_GROUP)
      throw validationError(
        `A filterGroup may have at most ${MAX_FILTERS_PER_GROUP} filters, got ${g.filters.length}`,
      );
    total += g.filters.length;
  }
  if (total > MAX_FILTERS_TOTAL)
    throw validationError(`A search may have at most ${MAX_FILTERS_TOTAL} filters in total, got ${total}`);
  // "Only one sorting rule can be applied to any search."
  if ((body.sorts ?? []).length > 1) throw validationError('Only one sort is allowed per search');
}

function toMs(value: string): number {
  return /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
}

/** Comparable form of a stored or filter value, by the property's type. */
function comparable(def: PropertyDefinition, value: Scalar): number | string {
  const s = String(value);
  if (def.type === 'number') return Number(s);
  if (def.type === 'datetime' || def.type === 'date') return toMs(s);
  return s.toLowerCase();
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}@.]+/u)
    .flatMap((t) => [t, ...t.split(/[@.]/)])
    .filter((t) => t !== '');
}

function tokenMatch(text: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (!p.includes('*')) return tokens(text).includes(p) || text.toLowerCase() === p;
  const regex = new RegExp(
    `^${p
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return tokens(text).some((t) => regex.test(t)) || regex.test(text.toLowerCase());
}

function matches(obj: StoredObject, filter: Filter, def: PropertyDefinition): boolean {
  const stored = obj.properties.get(filter.propertyName);
  const need = (v: Scalar | undefined, what: string): Scalar => {
    if (v === undefined) throw validationError(`${filter.operator} on ${filter.propertyName} needs ${what}`);
    return v;
  };
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return stored !== undefined;
    case 'NOT_HAS_PROPERTY':
      return stored === undefined;
    case 'IN':
    case 'NOT_IN': {
      const values = filter.values;
      if (values === undefined)
        throw validationError(`${filter.operator} on ${filter.propertyName} needs values`);
      // Documented: IN/NOT_IN string values must be lowercase; an uppercase value matches nothing.
      const hit =
        stored !== undefined &&
        values.some((v) =>
          def.type === 'number' || def.type === 'datetime' || def.type === 'date'
            ? comparable(def, v) === comparable(def, stored)
            : String(v) === stored.toLowerCase(),
        );
      return filter.operator === 'IN' ? hit : !hit;
    }
    case 'CONTAINS_TOKEN':
      return stored !== undefined && tokenMatch(stored, String(need(filter.value, 'a value')));
    case 'NOT_CONTAINS_TOKEN':
      return stored === undefined || !tokenMatch(stored, String(need(filter.value, 'a value')));
    case 'NEQ':
      return (
        stored === undefined || comparable(def, stored) !== comparable(def, need(filter.value, 'a value'))
      );
    default: {
      if (stored === undefined) return false;
      const a = comparable(def, stored);
      const b = comparable(def, need(filter.value, 'a value'));
      switch (filter.operator) {
        case 'EQ':
          return a === b;
        case 'LT':
          return a < b;
        case 'LTE':
          return a <= b;
        case 'GT':
          return a > b;
        case 'GTE':
          return a >= b;
        case 'BETWEEN':
          return a >= b && a <= comparable(def, need(filter.highValue, 'a highValue'));
      }
    }
  }
}

function parseSort(body: SearchBody): { propertyName: string; descending: boolean } | undefined {
  const sort = body.sorts?.[0];
  if (sort === undefined) return undefined;
  // Both documented forms: {"propertyName","direction"} and the SDK README's "-createdate".
  if (typeof sort === 'string')
    return sort.startsWith('-')
      ? { propertyName: sort.slice(1), descending: true }
      : { propertyName: sort, descending: false };
  return { propertyName: sort.propertyName, descending: sort.direction === 'DESCENDING' };
}

export interface SearchPage {
  total: number;
  results: StoredObject[];
  nextAfter: string | undefined;
}

export function runSearch(portal: Portal, type: ObjectTypeName, body: SearchBody): SearchPage {
  checkSearchShape(body);
  const defs = portal.propertyDefs(type);
  const limit = body.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMIT_MAX)
    throw validationError(`limit must be between 1 and ${SEARCH_LIMIT_MAX}, got ${limit}`);
  const afterRaw = body.after === undefined || body.after === '' ? '0' : String(body.after);
  // "You must format the value in the after parameter as an integer."
  if (!/^\d+$/.test(afterRaw)) throw validationError(`after must be an integer, got "${afterRaw}"`);
  const offset = Number(afterRaw);
  // "Attempting to page beyond 10,000 will result in a 400 error."
  if (offset >= SEARCH_RESULT_CAP) {
    throw validationError(
      `Search results are limited to ${SEARCH_RESULT_CAP} per query; paging beyond them (after=${offset}) is not allowed. Narrow the query, e.g. by lastmodifieddate.`,
    );
  }
  const groups = body.filterGroups ?? [];
  for (const g of groups) {
    for (const f of g.filters) {
      if (!defs.has(f.propertyName))
        throw validationError(`Property "${f.propertyName}" does not exist on ${type}`);
    }
  }
  const sort = parseSort(body);
  const sortDef = sort === undefined ? undefined : defs.get(sort.propertyName);
  if (sort !== undefined && sortDef === undefined)
    throw validationError(`Cannot sort by unknown property "${sort.propertyName}"`);
  const queryProps = QUERY_PROPERTIES[type] ?? [];
  const q = body.query?.trim();
  const hits = portal.list(type).filter((o) => {
    if (
      groups.length > 0 &&
      !groups.some((g) =>
        g.filters.every((f) => matches(o, f, defs.get(f.propertyName) as PropertyDefinition)),
      )
    )
      return false;
    if (q !== undefined && q !== '')
      return queryProps.some((p) => o.properties.get(p)?.toLowerCase().includes(q.toLowerCase()) === true);
    return true;
  });
  if (sort !== undefined && sortDef !== undefined) {
    hits.sort((x, y) => {
      const a = x.properties.get(sort.propertyName);
      const b = y.properties.get(sort.propertyName);
      if (a === undefined || b === undefined)
        return a === b ? Number(x.id) - Number(y.id) : a === undefined ? 1 : -1;
      const ca = comparable(sortDef, a);
      const cb = comparable(sortDef, b);
      const c = ca < cb ? -1 : ca > cb ? 1 : Number(x.id) - Number(y.id);
      return sort.descending ? -c : c;
    });
  }
  const results = hits.slice(offset, Math.min(offset + limit, SEARCH_RESULT_CAP));
  const next = offset + limit;
  return { total: hits.length, results, nextAfter: next < hits.length ? String(next) : undefined };
}
