import type { SalesforceApiError } from '../errors.ts';
import { normalizeId } from '../ids.ts';
import type { Org, StoredRecord } from '../org.ts';
import { isNumberType, isTextType, type FieldDef, type FieldValue, type ObjectDef } from '../schema/types.ts';
import type { Condition, FieldRef, Literal } from './ast.ts';
import { noSuchColumn, soqlError } from './errors.ts';
import { parseSoql } from './parser.ts';

export interface QueryPlan {
  object: ObjectDef;
  fields: FieldDef[];
  /** Matching record ids in result order, LIMIT applied. */
  ids: string[];
}

export interface QueryOptions {
  /** queryAll: include soft-deleted rows. */
  includeDeleted: boolean;
  /** Which API's objects the FROM clause may name. */
  api: 'data' | 'tooling';
}

/** Parses, checks against schema and field-level security, filters, sorts and limits. */
export function runSoql(org: Org, userId: string, soql: string, options: QueryOptions): QueryPlan {
  const q = parseSoql(soql);
  const found = org.object(q.object.name);
  const object = found && (found.api === 'both' || found.api === options.api) ? found : undefined;
  if (!object) {
    throw soqlError(
      'INVALID_TYPE',
      soql,
      q.object.pos,
      `sObject type '${q.object.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const resolve = (ref: FieldRef): FieldDef => {
    const f = org.visibleField(userId, object, ref.name);
    // A field hidden by field-level security answers exactly like a missing one (salesforce.md §4).
    if (!f) throw noSuchColumn(soql, ref.pos, ref.name, object.name);
    return f;
  };
  const fields = q.fields.map(resolve);
  const predicate = q.where ? compile(q.where, resolve, soql) : () => true;
  const order = q.orderBy.map((o) => ({ field: resolve(o.field), desc: o.desc, nullsLast: o.nullsLast }));
  const rows: StoredRecord[] = [];
  for (const rec of org.all(object.name)) {
    if (!options.includeDeleted && rec.values['IsDeleted'] === true) continue;
    if (predicate(rec)) rows.push(rec);
  }
  if (order.length > 0) {
    rows.sort((a, b) => {
      for (const o of order) {
        const c = compareForSort(
          a.values[o.field.name] ?? null,
          b.values[o.field.name] ?? null,
          o.nullsLast,
          o.desc,
        );
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  const limited = q.limit === undefined ? rows : rows.slice(0, q.limit);
  return { object, fields, ids: limited.map((r) => String(r.values['Id'])) };
}

type Predicate = (rec: StoredRecord) => boolean;

function compareForSort(a: FieldValue, b: FieldValue, nullsLast: boolean, desc: boolean): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsLast ? 1 : -1;
  }
  const c = compareValues(a, b);
  return desc ? -c : c;
}

function compareValues(a: FieldValue, b: FieldValue): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return Number(a) - Number(b);
}

const typeName = (f: FieldDef): string =>
  isTextType(f.type)
    ? 'string'
    : isNumberType(f.type)
      ? 'double'
      : f.type === 'datetime'
        ? 'dateTime'
        : f.type;

/** Turns a literal into a stored-value form for `field`, or refuses the mismatch as Salesforce does. */
function coerce(field: FieldDef, lit: Literal, soql: string, pos: number): FieldValue {
  const wrong = (quoted: boolean): SalesforceApiError =>
    soqlError(
      'INVALID_QUERY_FILTER_OPERATOR',
      soql,
      pos,
      `value of filter criterion for field '${field.name}' must be of type ${typeName(field)} and ${quoted ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`,
    );
  if (lit.kind === 'null') return null;
  if (isTextType(field.type)) {
    if (lit.kind !== 'string') throw wrong(true);
    if (field.type === 'id' || field.type === 'reference') return normalizeId(lit.value) ?? lit.value;
    return lit.value;
  }
  if (isNumberType(field.type)) {
    if (lit.kind !== 'number') throw wrong(false);
    return lit.value;
  }
  if (field.type === 'boolean') {
    if (lit.kind !== 'boolean') throw wrong(false);
    return lit.value;
  }
  if (field.type === 'datetime') {
    if (lit.kind !== 'datetime') throw wrong(false);
    return lit.value;
  }
  if (lit.kind !== 'date') throw wrong(false);
  return lit.value;
}

function compile(cond: Condition, resolve: (ref: FieldRef) => FieldDef, soql: string): Predicate {
  switch (cond.kind) {
    case 'and': {
      const parts = cond.items.map((c) => compile(c, resolve, soql));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = cond.items.map((c) => compile(c, resolve, soql));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compile(cond.item, resolve, soql);
      return (r) => !inner(r);
    }
    case 'in': {
      const f = resolve(cond.field);
      const values = cond.values.map((v) => coerce(f, v, soql, cond.field.pos));
      return (r) => {
        const v = r.values[f.name] ?? null;
        const hit = values.some((x) => (x === null ? v === null : v !== null && compareValues(v, x) === 0));
        return cond.negate ? !hit : hit;
      };
    }
    case 'like': {
      const f = resolve(cond.field);
      if (!isTextType(f.type)) {
        throw soqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          soql,
          cond.field.pos,
          `invalid operator on field '${f.name}' (LIKE needs a string field)`,
        );
      }
      const re = likeToRegExp(cond.pattern);
      return (r) => {
        const v = r.values[f.name];
        return typeof v === 'string' && re.test(v);
      };
    }
    case 'cmp': {
      const f = resolve(cond.field);
      const target = coerce(f, cond.value, soql, cond.field.pos);
      const op = cond.op;
      if (f.type === 'boolean' && op !== '=' && op !== '!=') {
        throw soqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          soql,
          cond.field.pos,
          `invalid operator on boolean field '${f.name}'`,
        );
      }
      return (r) => {
        const v = r.values[f.name] ?? null;
        if (target === null || v === null) {
          if (op === '=') return v === target;
          if (op === '!=') return v !== target;
          return false;
        }
        const c = compareValues(v, target);
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
        }
      };
    }
  }
}

/** SOQL LIKE: `%` any run, `_` one character, `\%`/`\_` literal; case-insensitive. */
function likeToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern.charAt(i);
    if (c === '\\' && (pattern.charAt(i + 1) === '%' || pattern.charAt(i + 1) === '_')) {
      out += '\\' + pattern.charAt(i + 1);
      i += 1;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'is');
}
