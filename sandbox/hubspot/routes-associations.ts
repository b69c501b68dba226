import { associationType, defaultAssociationType, type AssociationTypeDef } from './associations.ts';
import { compileBody, queryInt, readBody } from './body.ts';
import { validationError } from './errors.ts';
import {
  objectNotFound,
  objectTypeParam,
  readScopesOf,
  requirePortal,
  writeScopesOf,
} from './object-access.ts';
import { OBJECT_TYPES, type ObjectTypeName } from './object-types.ts';
import type { Portal } from './portal.ts';
import type { RouteRequest, Router } from './router.ts';

/**
 * Associations v4 ([spec] crm-associations-v4; hubspot.md §3.6): list "Limit 500 per call", batch
 * read "limited to 1,000 inputs", batch create "2,000 inputs".
 */
export const ASSOCIATION_LIST_LIMIT = 500;
export const ASSOCIATION_BATCH_READ_LIMIT = 1_000;
export const ASSOCIATION_BATCH_CREATE_LIMIT = 2_000;

function spec(def: AssociationTypeDef): {
  category: 'HUBSPOT_DEFINED';
  typeId: number;
  label: string | null;
} {
  return { category: 'HUBSPOT_DEFINED', typeId: def.typeId, label: def.label };
}

function linksOf(
  portal: Portal,
  from: ObjectTypeName,
  id: string,
  to: ObjectTypeName,
): { toObjectId: string; associationTypes: ReturnType<typeof spec>[] }[] {
  return portal.associations.list(from, id, to).map((l) => ({
    toObjectId: l.toId,
    associationTypes: l.typeIds
      .map((typeId) => associationType(from, to, typeId))
      .filter((d): d is AssociationTypeDef => d !== undefined)
      .map(spec),
  }));
}

function pair(
  req: RouteRequest,
  fromKey: string,
  toKey: string,
): { portal: Portal; from: ObjectTypeName; to: ObjectTypeName } {
  return {
    portal: requirePortal(req),
    from: objectTypeParam(req.params[fromKey]).name,
    to: objectTypeParam(req.params[toKey]).name,
  };
}

const checkBatchRead = compileBody<{ inputs: { id: string; after?: string }[] }>({
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: {
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        additionalProperties: false,
        properties: { id: { type: 'string' }, after: { type: 'string' } },
      },
    },
  },
});

const typesSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['associationCategory', 'associationTypeId'],
    additionalProperties: false,
    properties: {
      associationCategory: { enum: ['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED'] },
      associationTypeId: { type: 'integer' },
    },
  },
};

interface TypeInput {
  associationCategory: string;
  associationTypeId: number;
}

const checkTypes = compileBody<TypeInput[]>(typesSchema);

const checkBatchCreate = compileBody<{
  inputs: { from: { id: string }; to: { id: string }; types: TypeInput[] }[];
}>({
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: {
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'types'],
        additionalProperties: false,
        properties: {
          from: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          to: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          types: typesSchema,
        },
      },
    },
  },
});

function resolveTypes(
  from: ObjectTypeName,
  to: ObjectTypeName,
  types: readonly TypeInput[],
): AssociationTypeDef[] {
  return types.map((t) => {
    const def =
      t.associationCategory === 'HUBSPOT_DEFINED'
        ? associationType(from, to, t.associationTypeId)
        : undefined;
    if (def === undefined)
      throw validationError(
        `association type ${t.associationCategory}/${t.associationTypeId} is not valid from ${from} to ${to}`,
      );
    return def;
  });
}

function requireBoth(
  portal: Portal,
  from: ObjectTypeName,
  fromId: string,
  to: ObjectTypeName,
  toId: string,
): void {
  if (portal.get(from, fromId) === undefined) throw objectNotFound(fromId);
  if (portal.get(to, toId) === undefined) throw objectNotFound(toId);
}

export function registerAssociationRoutes(router: Router): void {
  router.add({
    method: 'GET',
    pattern: '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => readScopesOf(p),
    alsoScopes: (p) => readScopesOf(p, 'toObjectType'),
    handler: (req) => {
      const { portal, from, to } = pair(req, 'objectType', 'toObjectType');
      const id = req.params.objectId ?? '';
      if (portal.get(from, id) === undefined) throw objectNotFound(id);
      const limit = queryInt(req.query, 'limit', ASSOCIATION_LIST_LIMIT, ASSOCIATION_LIST_LIMIT);
      const offset = Number(req.query.get('after') ?? '0');
      if (!Number.isInteger(offset) || offset < 0)
        throw validationError('after must be a paging cursor from paging.next.after');
      const all = linksOf(portal, from, id, to);
      const body: Record<string, unknown> = { results: all.slice(offset, offset + limit) };
      if (offset + limit < all.length) body.paging = { next: { after: String(offset + limit) } };
      return { status: 200, body };
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v4/associations/:fromObjectType/:toObjectType/batch/read',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => readScopesOf(p, 'fromObjectType'),
    alsoScopes: (p) => readScopesOf(p, 'toObjectType'),
    handler: (req) => {
      const { portal, from, to } = pair(req, 'fromObjectType', 'toObjectType');
      const { inputs } = readBody(req, checkBatchRead);
      if (inputs.length > ASSOCIATION_BATCH_READ_LIMIT)
        throw validationError(
          `Limit exceeded: ${inputs.length} inputs; batch read takes at most ${ASSOCIATION_BATCH_READ_LIMIT}.`,
        );
      const results: unknown[] = [];
      const empty: string[] = [];
      for (const { id } of inputs) {
        const to2 = portal.get(from, id) === undefined ? [] : linksOf(portal, from, id, to);
        if (to2.length === 0) empty.push(id);
        else results.push({ from: { id }, to: to2 });
      }
      const now = new Date(req.now).toISOString();
      const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
      if (empty.length === 0) return { status: 200, body };
      // Ids without associations come back as per-item errors in a 207, not as empty results.
      const errors = empty.map((id) => ({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${OBJECT_TYPES[to].singular} is associated with ${OBJECT_TYPES[from].singular} ${id}.`,
        context: { fromObjectId: [id] },
        errors: [],
        links: {},
      }));
      return { status: 207, body: { ...body, numErrors: errors.length, errors } };
    },
  });

  router.add({
    method: 'PUT',
    pattern: '/crm/v4/objects/:fromObjectType/:fromObjectId/associations/default/:toObjectType/:toObjectId',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p, 'fromObjectType'),
    alsoScopes: (p) => readScopesOf(p, 'toObjectType'),
    handler: (req) => {
      const { portal, from, to } = pair(req, 'fromObjectType', 'toObjectType');
      const fromId = req.params.fromObjectId ?? '';
      const toId = req.params.toObjectId ?? '';
      requireBoth(portal, from, fromId, to, toId);
      const def = defaultAssociationType(from, to);
      if (def === undefined) throw validationError(`${from} and ${to} cannot be associated`);
      portal.associations.add(def, fromId, toId);
      const now = new Date(req.now).toISOString();
      return {
        status: 200,
        body: {
          status: 'COMPLETE',
          results: [
            {
              from: { id: fromId },
              to: { id: toId },
              associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.typeId },
            },
          ],
          startedAt: now,
          completedAt: now,
        },
      };
    },
  });

  router.add({
    method: 'PUT',
    pattern: '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    alsoScopes: (p) => readScopesOf(p, 'toObjectType'),
    handler: (req) => {
      const { portal, from, to } = pair(req, 'objectType', 'toObjectType');
      const fromId = req.params.objectId ?? '';
      const toId = req.params.toObjectId ?? '';
      const defs = resolveTypes(from, to, readBody(req, checkTypes));
      requireBoth(portal, from, fromId, to, toId);
      for (const def of defs) portal.associations.add(def, fromId, toId);
      const labels = defs.map((d) => d.label).filter((l): l is string => l !== null);
      return {
        status: 201,
        body: {
          fromObjectTypeId: OBJECT_TYPES[from].typeId,
          fromObjectId: fromId,
          toObjectTypeId: OBJECT_TYPES[to].typeId,
          toObjectId: toId,
          labels,
        },
      };
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v4/associations/:fromObjectType/:toObjectType/batch/create',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p, 'fromObjectType'),
    alsoScopes: (p) => readScopesOf(p, 'toObjectType'),
    handler: (req) => {
      const { portal, from, to } = pair(req, 'fromObjectType', 'toObjectType');
      const { inputs } = readBody(req, checkBatchCreate);
      if (inputs.length > ASSOCIATION_BATCH_CREATE_LIMIT)
        throw validationError(
          `Limit exceeded: ${inputs.length} inputs; batch create takes at most ${ASSOCIATION_BATCH_CREATE_LIMIT}.`,
        );
      const results: unknown[] = [];
      const errors: unknown[] = [];
      for (const input of inputs) {
        const defs = resolveTypes(from, to, input.types);
        if (portal.get(from, input.from.id) === undefined || portal.get(to, input.to.id) === undefined) {
          errors.push({
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: `${from} ${input.from.id} or ${to} ${input.to.id} does not exist`,
            context: { fromObjectId: [input.from.id], toObjectId: [input.to.id] },
            errors: [],
            links: {},
          });
          continue;
        }
        for (const def of defs) portal.associations.add(def, input.from.id, input.to.id);
        results.push({
          fromObjectTypeId: OBJECT_TYPES[from].typeId,
          fromObjectId: input.from.id,
          toObjectTypeId: OBJECT_TYPES[to].typeId,
          toObjectId: input.to.id,
          labels: defs.map((d) => d.label).filter((l): l is string => l !== null),
        });
      }
      const now = new Date(req.now).toISOString();
      const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
      return errors.length === 0
        ? { status: 201, body }
        : { status: 207, body: { ...body, numErrors: errors.length, errors } };
    },
  });
}
