import { compileBody, queryInt, queryList, readBody } from './body.ts';
import { validationError } from './errors.ts';
import {
  baseUrl,
  findObject,
  invalidProperties,
  objectNotFound,
  objectTypeParam,
  readScopesOf,
  requirePortal,
  uniqueConflict,
  writeScopesOf,
} from './object-access.ts';
import { resolveObjectType, type ObjectTypeName } from './object-types.ts';
import { toPublicObject } from './public-object.ts';
import type { Router } from './router.ts';
import { associationType } from './associations.ts';

/** "You can retrieve up to 100 records" per list page (hubspot.md §3.2). */
export const LIST_LIMIT_MAX = 100;
/** With `propertiesWithHistory` HubSpot caps a list page at 50 records. */
export const LIST_HISTORY_LIMIT_MAX = 50;

const propertiesSchema = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};

interface CreateBody {
  properties: Record<string, string | number | boolean>;
  associations?: {
    to: { id: string };
    types: { associationCategory: string; associationTypeId: number }[];
  }[];
  objectWriteTraceId?: string;
}

const checkCreate = compileBody<CreateBody>({
  type: 'object',
  required: ['properties'],
  additionalProperties: false,
  properties: {
    properties: propertiesSchema,
    objectWriteTraceId: { type: 'string' },
    associations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['to', 'types'],
        additionalProperties: false,
        properties: {
          to: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          types: {
            type: 'array',
            items: {
              type: 'object',
              required: ['associationCategory', 'associationTypeId'],
              properties: {
                associationCategory: { enum: ['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED'] },
                associationTypeId: { type: 'integer' },
              },
            },
          },
        },
      },
    },
  },
});

const checkUpdate = compileBody<{
  properties: Record<string, string | number | boolean>;
  objectWriteTraceId?: string;
}>({
  type: 'object',
  required: ['properties'],
  additionalProperties: false,
  properties: { properties: propertiesSchema, objectWriteTraceId: { type: 'string' } },
});

const checkGdpr = compileBody<{ objectId: string; idProperty?: string }>({
  type: 'object',
  required: ['objectId'],
  additionalProperties: false,
  properties: { objectId: { type: 'string' }, idProperty: { type: 'string' } },
});

function associationsParam(query: URLSearchParams): ObjectTypeName[] | undefined {
  return queryList(query, 'associations')?.map((name) => {
    const t = resolveObjectType(name);
    if (t === undefined) throw validationError(`Unable to infer object type from: ${name}`);
    return t.name;
  });
}

export function registerObjectRoutes(router: Router): void {
  router.add({
    method: 'GET',
    pattern: '/crm/v3/objects/:objectType',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => readScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const withHistory = queryList(req.query, 'propertiesWithHistory');
      const limit = queryInt(
        req.query,
        'limit',
        10,
        withHistory === undefined ? LIST_LIMIT_MAX : LIST_HISTORY_LIMIT_MAX,
      );
      const afterRaw = req.query.get('after');
      if (afterRaw !== null && !/^\d+$/.test(afterRaw))
        throw validationError(`after must be a paging cursor from paging.next.after, got "${afterRaw}"`);
      const after = afterRaw === null ? 0 : Number(afterRaw);
      const archived = req.query.get('archived') === 'true';
      const listed = portal.list(type, archived);
      // Ids ascend: binary search for the first id >= after instead of filtering the whole portal.
      let lo = 0;
      for (let hi = listed.length; lo < hi;) {
        const mid = (lo + hi) >>> 1;
        if (Number((listed[mid] as { id: string }).id) < after) lo = mid + 1;
        else hi = mid;
      }
      const all = listed.slice(lo, lo + limit + 1);
      const page = all.slice(0, limit);
      const options = {
        properties: queryList(req.query, 'properties'),
        propertiesWithHistory: withHistory,
        associations: associationsParam(req.query),
      };
      const body: Record<string, unknown> = { results: page.map((o) => toPublicObject(portal, o, options)) };
      const last = page[page.length - 1];
      if (all.length > limit && last !== undefined) {
        const next = String(Number(last.id) + 1);
        body.paging = { next: { after: next, link: `${baseUrl(req)}${req.path}?after=${next}` } };
      }
      return { status: 200, body };
    },
  });

  router.add({
    method: 'GET',
    pattern: '/crm/v3/objects/:objectType/:objectId',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => readScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const id = req.params.objectId ?? '';
      const obj = findObject(portal, type, id, req.query.get('idProperty'));
      if (obj === undefined) throw objectNotFound(id);
      return {
        status: 200,
        body: toPublicObject(portal, obj, {
          properties: queryList(req.query, 'properties'),
          propertiesWithHistory: queryList(req.query, 'propertiesWithHistory'),
          associations: associationsParam(req.query),
        }),
      };
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/:objectType',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const body = readBody(req, checkCreate);
      const { values, invalid } = portal.validate(type, body.properties);
      if (invalid.length > 0) throw invalidProperties(invalid);
      const conflict = uniqueConflict(portal, type, values, null);
      if (conflict !== undefined) throw conflict;
      const links = (body.associations ?? []).flatMap((a) =>
        a.types.map((t) => {
          const def = [...portal.objects.keys()]
            .map((to) => associationType(type, to, t.associationTypeId))
            .find((d) => d !== undefined);
          if (def === undefined)
            throw validationError(`association type ${t.associationTypeId} is not valid from ${type}`);
          if (portal.get(def.to, a.to.id) === undefined)
            throw validationError(`${def.to} ${a.to.id} does not exist`);
          return { def, toId: a.to.id };
        }),
      );
      const obj = portal.create(type, values, { at: req.now });
      for (const l of links) portal.associations.add(l.def, obj.id, l.toId);
      return { status: 201, body: toPublicObject(portal, obj, { properties: [...values.keys()] }) };
    },
  });

  router.add({
    method: 'PATCH',
    pattern: '/crm/v3/objects/:objectType/:objectId',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const id = req.params.objectId ?? '';
      const body = readBody(req, checkUpdate);
      const obj = findObject(portal, type, id, req.query.get('idProperty'));
      if (obj === undefined) throw objectNotFound(id);
      const { values, invalid } = portal.validate(type, body.properties);
      if (invalid.length > 0) throw invalidProperties(invalid);
      const conflict = uniqueConflict(portal, type, values, obj.id);
      if (conflict !== undefined) throw conflict;
      portal.update(obj, values, { at: req.now });
      return { status: 200, body: toPublicObject(portal, obj, { properties: [...values.keys()] }) };
    },
  });

  router.add({
    method: 'DELETE',
    pattern: '/crm/v3/objects/:objectType/:objectId',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const obj = portal.get(type, req.params.objectId ?? '');
      // Archiving something already gone is not an error: the end state is the same.
      if (obj !== undefined) portal.archive(obj, req.now);
      return { status: 204 };
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/contacts/gdpr-delete',
    auth: 'bearer',
    limit: 'standard',
    scopes: () => ['crm.objects.contacts.write'],
    handler: (req) => {
      const portal = requirePortal(req);
      const body = readBody(req, checkGdpr);
      const obj = findObject(portal, 'contacts', body.objectId, body.idProperty ?? null);
      if (obj === undefined) throw objectNotFound(body.objectId);
      portal.privacyDelete(obj, req.now);
      return { status: 204 };
    },
  });
}
