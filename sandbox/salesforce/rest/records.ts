import { RecordError, SalesforceApiError } from '../errors.ts';
import type { Org, StoredRecord } from '../org.ts';
import { servesObject, type RequestContext } from './context.ts';
import { deserializeValue, toJsonValue } from '../schema/values.ts';
import type { FieldDef, FieldValue, ObjectDef } from '../schema/types.ts';

export const recordUrl = (version: string, type: string, id: string): string =>
  `/services/data/v${version}/sobjects/${type}/${id}`;

/** A record as REST answers it: `attributes { type, url }` then the fields in the asked order. */
export function toApiRecord(
  version: string,
  object: ObjectDef,
  fields: FieldDef[],
  rec: StoredRecord,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: object.name, url: recordUrl(version, object.name, String(rec.values['Id'])) },
  };
  for (const f of fields) out[f.name] = toJsonValue(f, rec.values[f.name]);
  return out;
}

/**
 * Deserializes a record body against the schema as the user sees it. Unknown and FLS-hidden
 * fields fail the whole request with INVALID_FIELD, as do values of the wrong JSON kind.
 */
export function deserializeRecord(
  org: Org,
  userId: string,
  object: ObjectDef,
  body: Record<string, unknown>,
  skip: ReadonlySet<string> = new Set(['attributes']),
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [name, raw] of Object.entries(body)) {
    if (skip.has(name)) continue;
    const f = org.visibleField(userId, object, name);
    if (!f)
      throw new SalesforceApiError(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on sobject of type ${object.name}`,
        [name],
      );
    out[f.name] = deserializeValue(f, raw);
  }
  return out;
}

export function objectOr404(c: RequestContext, type: string): ObjectDef {
  const object = c.org.object(type);
  if (!object || !servesObject(c, object.api)) {
    throw new SalesforceApiError(404, 'NOT_FOUND', `The requested resource does not exist`);
  }
  return object;
}

/** Single-record routes report per-record failures as a 400/404 error array. */
export function asApiError(err: unknown): unknown {
  if (err instanceof RecordError) {
    if (err.statusCode === 'ENTITY_IS_DELETED')
      return new SalesforceApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
    if (err.statusCode === 'INVALID_CROSS_REFERENCE_KEY' && err.fields.length === 0) {
      return new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    if (err.statusCode === 'MALFORMED_ID' && err.fields[0] === 'Id') {
      return new SalesforceApiError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${err.message}`,
      );
    }
    return err.toApiError();
  }
  return err;
}
