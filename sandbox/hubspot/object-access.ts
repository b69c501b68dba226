import type { HubSpotHttpError } from './errors.ts';
import { httpError, notFound, validationError } from './errors.ts';
import { OBJECT_TYPES, resolveObjectType, type ObjectTypeInfo, type ObjectTypeName } from './object-types.ts';
import type { Portal, StoredObject } from './portal.ts';
import { describeInvalid, type InvalidProperty } from './property-values.ts';
import type { RouteRequest } from './router.ts';

/** Helpers shared by the object, batch and search routes. */

export function requirePortal(req: RouteRequest): Portal {
  if (req.portal === undefined) throw new Error('route without a portal');
  return req.portal;
}

export function objectTypeParam(raw: string | undefined): ObjectTypeInfo {
  const info = resolveObjectType(raw ?? '');
  if (info === undefined) throw validationError(`Unable to infer object type from: ${raw ?? ''}`);
  return info;
}

export function readScopesOf(
  params: Readonly<Record<string, string>>,
  key = 'objectType',
): readonly string[] | undefined {
  return resolveObjectType(params[key] ?? '')?.readScopes;
}

export function writeScopesOf(
  params: Readonly<Record<string, string>>,
  key = 'objectType',
): readonly string[] | undefined {
  return resolveObjectType(params[key] ?? '')?.writeScopes;
}

/** Finds a record by id or by a unique property (`idProperty`, e.g. email). */
export function findObject(
  portal: Portal,
  type: ObjectTypeName,
  id: string,
  idProperty: string | null,
): StoredObject | undefined {
  if (idProperty === null || idProperty === '' || idProperty === 'hs_object_id') return portal.get(type, id);
  const def = portal.propertyDefs(type).get(idProperty);
  if (def === undefined || !def.hasUniqueValue) {
    throw validationError(`${idProperty} is not a unique identifier property of ${type}`);
  }
  return portal.findByProperty(type, idProperty, id);
}

export function objectNotFound(id: string): HubSpotHttpError {
  return notFound('Object not found.  objectId are usually numeric.', { context: { id: [id] } });
}

export function invalidProperties(invalid: readonly InvalidProperty[]): HubSpotHttpError {
  const { message, errors } = describeInvalid(invalid);
  return validationError(message, { errors });
}

/** A unique property (contact email, company domain) already held by another record. */
export function uniqueConflict(
  portal: Portal,
  type: ObjectTypeName,
  values: ReadonlyMap<string, string>,
  selfId: string | null,
): HubSpotHttpError | undefined {
  for (const [name, value] of values) {
    const def = portal.propertyDefs(type).get(name);
    if (def?.hasUniqueValue !== true || value === '') continue;
    const other = portal.findByProperty(type, name, value);
    if (other !== undefined && other.id !== selfId) {
      const label = OBJECT_TYPES[type].singular;
      return httpError(
        409,
        'CONFLICT',
        `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} already exists. Existing ID: ${other.id}`,
        {
          subCategory: 'OBJECT_ALREADY_EXISTS',
        },
      );
    }
  }
  return undefined;
}

export function baseUrl(req: RouteRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}
