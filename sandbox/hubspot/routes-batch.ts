import { compileBody, readBody } from './body.ts';
import { validationError } from './errors.ts';
import {
  findObject,
  invalidProperties,
  objectTypeParam,
  readScopesOf,
  requirePortal,
  uniqueConflict,
  writeScopesOf,
} from './object-access.ts';
import { OBJECT_TYPES, type ObjectTypeName } from './object-types.ts';
import type { Portal } from './portal.ts';
import { describeInvalid } from './property-values.ts';
import { toPublicObject, type PublicObject } from './public-object.ts';
import type { RouteResult, Router } from './router.ts';

/** "Object API batch endpoints are limited to 100 inputs per request" (hubspot.md §3.4). */
export const BATCH_LIMIT = 100;

/** `StandardError` of a batch answer: status, category, message, context, errors and links are all required ([spec]). */
interface StandardError {
  status: 'error';
  category: string;
  message: string;
  context: Record<string, string[]>;
  errors: { message: string; code?: string; context?: Record<string, string[]> }[];
  links: Record<string, string>;
}

const values = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };
const batchOf = (item: object): object => ({
  type: 'object',
  required: ['inputs'],
  properties: { inputs: { type: 'array', items: item } },
});

interface ReadBody {
  inputs: { id: string }[];
  properties: string[];
  propertiesWithHistory: string[];
  idProperty?: string;
}
const checkRead = compileBody<ReadBody>({
  ...batchOf({
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string' } },
  }),
  required: ['inputs', 'properties', 'propertiesWithHistory'],
  additionalProperties: false,
  properties: {
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        additionalProperties: false,
        properties: { id: { type: 'string' } },
      },
    },
    properties: { type: 'array', items: { type: 'string' } },
    propertiesWithHistory: { type: 'array', items: { type: 'string' } },
    idProperty: { type: 'string' },
  },
});

interface UpdateInput {
  id: string;
  properties: Record<string, string | number | boolean>;
  idProperty?: string;
  objectWriteTraceId?: string;
}
const checkUpdate = compileBody<{ inputs: UpdateInput[] }>(
  batchOf({
    type: 'object',
    required: ['id', 'properties'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      properties: values,
      idProperty: { type: 'string' },
      objectWriteTraceId: { type: 'string' },
    },
  }),
);

interface CreateInput {
  properties: Record<string, string | number | boolean>;
  objectWriteTraceId?: string;
  associations?: unknown[];
}
const checkCreate = compileBody<{ inputs: CreateInput[] }>(
  batchOf({
    type: 'object',
    required: ['properties'],
    additionalProperties: false,
    properties: {
      properties: values,
      objectWriteTraceId: { type: 'string' },
      associations: { type: 'array', maxItems: 0 },
    },
  }),
);

const checkUpsert = compileBody<{ inputs: (UpdateInput & { idProperty: string })[] }>(
  batchOf({
    type: 'object',
    required: ['id', 'idProperty', 'properties'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      properties: values,
      idProperty: { type: 'string' },
      objectWriteTraceId: { type: 'string' },
    },
  }),
);

const checkArchive = compileBody<{ inputs: { id: string }[] }>(
  batchOf({
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string' } },
  }),
);

function enforceLimit(count: number): void {
  if (count > BATCH_LIMIT) {
    throw validationError(
      `Limit exceeded: ${count} inputs were sent; batch endpoints take at most ${BATCH_LIMIT}.`,
      {
        context: { limit: [String(BATCH_LIMIT)], count: [String(count)] },
      },
    );
  }
}

function rejectDuplicateIds(ids: readonly string[]): void {
  const seen = new Set<string>();
  const dup = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  if (dup.length > 0)
    throw validationError(
      `Duplicate IDs found in batch input: [${[...new Set(dup)].join(', ')}]. IDs must be unique`,
    );
}

function notFoundError(type: ObjectTypeName, ids: readonly string[], verb: string): StandardError {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not ${verb} some ${OBJECT_TYPES[type].singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids: [...ids] },
    errors: [],
    links: {},
  };
}

function batchAnswer(
  results: unknown[],
  errors: StandardError[],
  startedAt: number,
  completedAt: number,
  okStatus: number,
): RouteResult {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt: new Date(startedAt).toISOString(),
    completedAt: new Date(completedAt).toISOString(),
  };
  if (errors.length === 0) return { status: okStatus, body };
  // Partial failure: 207 Multi-Status, which the SDK resolves (not throws) with numErrors/errors.
  return { status: 207, body: { ...body, numErrors: errors.length, errors } };
}

function validationItem(
  portal: Portal,
  type: ObjectTypeName,
  input: { properties: Record<string, unknown> },
): { values: Map<string, string>; error?: StandardError } {
  const { values: checked, invalid } = portal.validate(type, input.properties);
  if (invalid.length === 0) return { values: checked };
  const { message, errors } = describeInvalid(invalid);
  return {
    values: checked,
    error: { status: 'error', category: 'VALIDATION_ERROR', message, context: {}, errors, links: {} },
  };
}

function withTrace(error: StandardError, id: string | undefined, trace: string | undefined): StandardError {
  const context = { ...error.context };
  if (id !== undefined) context.ids = [id];
  if (trace !== undefined) context.objectWriteTraceId = [trace];
  return { ...error, context };
}

export function registerBatchRoutes(router: Router): void {
  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/:objectType/batch/read',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => readScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const body = readBody(req, checkRead);
      enforceLimit(body.inputs.length);
      const results: PublicObject[] = [];
      const missing: string[] = [];
      for (const { id } of body.inputs) {
        const obj = findObject(portal, type, id, body.idProperty ?? null);
        if (obj === undefined) missing.push(id);
        else
          results.push(
            toPublicObject(portal, obj, {
              properties: body.properties,
              propertiesWithHistory: body.propertiesWithHistory,
            }),
          );
      }
      const errors = missing.length === 0 ? [] : [notFoundError(type, missing, 'get')];
      return batchAnswer(results, errors, req.now, req.now, 200);
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/:objectType/batch/update',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const { inputs } = readBody(req, checkUpdate);
      enforceLimit(inputs.length);
      rejectDuplicateIds(inputs.map((i) => i.id));
      const results: PublicObject[] = [];
      const errors: StandardError[] = [];
      const missing: string[] = [];
      for (const input of inputs) {
        const obj = findObject(portal, type, input.id, input.idProperty ?? null);
        if (obj === undefined) {
          missing.push(input.id);
          continue;
        }
        const checked = validationItem(portal, type, input);
        if (checked.error !== undefined) {
          errors.push(withTrace(checked.error, input.id, input.objectWriteTraceId));
          continue;
        }
        const conflict = uniqueConflict(portal, type, checked.values, obj.id);
        if (conflict !== undefined) {
          errors.push(
            withTrace(
              {
                status: 'error',
                category: 'OBJECT_ALREADY_EXISTS',
                message: conflict.message,
                context: {},
                errors: [],
                links: {},
              },
              input.id,
              input.objectWriteTraceId,
            ),
          );
          continue;
        }
        portal.update(obj, checked.values, { at: req.now });
        results.push(toPublicObject(portal, obj, { properties: [...checked.values.keys()] }));
      }
      if (missing.length > 0) errors.unshift(notFoundError(type, missing, 'update'));
      return batchAnswer(results, errors, req.now, req.now, 200);
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/:objectType/batch/create',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const { inputs } = readBody(req, checkCreate);
      enforceLimit(inputs.length);
      // Multi-status only "when you've enabled multi-status error handling" with a unique
      // objectWriteTraceId per input; otherwise one bad input fails the whole batch (hubspot.md §3.4).
      const traces = inputs.map((i) => i.objectWriteTraceId);
      const multiStatus = traces.every((t) => t !== undefined) && new Set(traces).size === traces.length;
      const checked = inputs.map((input) => validationItem(portal, type, input));
      if (!multiStatus) {
        const invalid = checked.find((c) => c.error !== undefined);
        if (invalid !== undefined) {
          throw invalidProperties(
            invalid.error?.errors.map((e) => ({
              name: e.context?.propertyName?.[0] ?? '',
              error: e.code ?? '',
              message: e.message,
            })) ?? [],
          );
        }
        for (const c of checked) {
          const conflict = uniqueConflict(portal, type, c.values, null);
          if (conflict !== undefined) throw conflict;
        }
      }
      const results: PublicObject[] = [];
      const errors: StandardError[] = [];
      checked.forEach((c, i) => {
        const trace = inputs[i]?.objectWriteTraceId;
        if (c.error !== undefined) {
          errors.push(withTrace(c.error, undefined, trace));
          return;
        }
        const conflict = uniqueConflict(portal, type, c.values, null);
        if (conflict !== undefined) {
          errors.push(
            withTrace(
              {
                status: 'error',
                category: 'OBJECT_ALREADY_EXISTS',
                message: conflict.message,
                context: {},
                errors: [],
                links: {},
              },
              undefined,
              trace,
            ),
          );
          return;
        }
        const obj = portal.create(type, c.values, { at: req.now });
        results.push(toPublicObject(portal, obj, { properties: [...c.values.keys()] }));
      });
      return batchAnswer(results, errors, req.now, req.now, 201);
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/:objectType/batch/upsert',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const { inputs } = readBody(req, checkUpsert);
      enforceLimit(inputs.length);
      rejectDuplicateIds(inputs.map((i) => `${i.idProperty}:${i.id.toLowerCase()}`));
      for (const input of inputs) {
        const def = portal.propertyDefs(type).get(input.idProperty);
        if (def === undefined || !def.hasUniqueValue)
          throw validationError(`${input.idProperty} is not a unique identifier property of ${type}`);
      }
      const checked = inputs.map((input) => validationItem(portal, type, input));
      // "Partial upserts are not supported when using email as the idProperty" (hubspot.md §3.4).
      if (inputs.some((i) => i.idProperty === 'email')) {
        const invalid = checked.find((c) => c.error !== undefined);
        if (invalid?.error !== undefined)
          throw validationError(invalid.error.message, { errors: invalid.error.errors });
      }
      const results: (PublicObject & { new: boolean })[] = [];
      const errors: StandardError[] = [];
      checked.forEach((c, i) => {
        const input = inputs[i];
        if (input === undefined) return;
        if (c.error !== undefined) {
          errors.push(withTrace(c.error, input.id, input.objectWriteTraceId));
          return;
        }
        const existing = portal.findByProperty(type, input.idProperty, input.id);
        const values = new Map(c.values);
        if (existing === undefined) {
          values.set(input.idProperty, input.id);
          const obj = portal.create(type, values, { at: req.now });
          results.push({ ...toPublicObject(portal, obj, { properties: [...values.keys()] }), new: true });
        } else {
          portal.update(existing, values, { at: req.now });
          results.push({
            ...toPublicObject(portal, existing, { properties: [...values.keys(), input.idProperty] }),
            new: false,
          });
        }
      });
      return batchAnswer(results, errors, req.now, req.now, 200);
    },
  });

  router.add({
    method: 'POST',
    pattern: '/crm/v3/objects/:objectType/batch/archive',
    auth: 'bearer',
    limit: 'standard',
    scopes: (p) => writeScopesOf(p),
    handler: (req) => {
      const portal = requirePortal(req);
      const type = objectTypeParam(req.params.objectType).name;
      const { inputs } = readBody(req, checkArchive);
      enforceLimit(inputs.length);
      for (const { id } of inputs) {
        const obj = portal.get(type, id);
        if (obj !== undefined) portal.archive(obj, req.now);
      }
      return { status: 204 };
    },
  });
}
