import { Router, type Request, type Response } from 'express';
import { RecordError, SalesforceApiError, type SaveError } from '../errors.ts';
import { isRecord, jsonBody, queryParam, sendJson } from '../http.ts';
import type { PlannedWrite } from '../org.ts';
import type { FieldValue, ObjectDef } from '../schema/types.ts';
import { ctx, servesObject, writeContext, type RequestContext } from './context.ts';
import { deserializeRecord } from './records.ts';
import type { FaultController } from '../faults.ts';

/** sObject Collections take at most 200 records per call (salesforce.md §3). */
export const COLLECTION_LIMIT = 200;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
}

const ROLLED_BACK: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

const tooMany = (): SalesforceApiError =>
  new SalesforceApiError(
    400,
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`,
  );

interface Item {
  object: ObjectDef;
  values: Record<string, FieldValue>;
  id: unknown;
}

/** Request-level checks first (shape, size, types, unknown fields): any of them fails the whole call with 400. */
function parseCollection(c: RequestContext, req: Request): { allOrNone: boolean; items: Item[] } {
  const body = jsonBody(req);
  if (!isRecord(body) || !Array.isArray(body['records'])) {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      'The request body must be an object with a records array',
    );
  }
  const allOrNone = body['allOrNone'];
  if (allOrNone !== undefined && typeof allOrNone !== 'boolean') {
    throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'allOrNone must be a boolean');
  }
  const records: unknown[] = body['records'];
  if (records.length > COLLECTION_LIMIT) throw tooMany();
  const items = records.map((raw): Item => {
    if (!isRecord(raw))
      throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object');
    const attributes = raw['attributes'];
    const type = isRecord(attributes) ? attributes['type'] : undefined;
    if (typeof type !== 'string')
      throw new SalesforceApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
    const object = c.org.object(type);
    if (!object || !servesObject(c, object.api))
      throw new SalesforceApiError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
    const values = deserializeRecord(c.org, c.userId, object, raw, new Set(['attributes', 'id', 'Id']));
    return { object, values, id: raw['id'] ?? raw['Id'] };
  });
  return { allOrNone: allOrNone === true, items };
}

function finish(
  c: RequestContext,
  res: Response,
  allOrNone: boolean,
  outcomes: (PlannedWrite | RecordError)[],
  ids: (string | undefined)[],
): void {
  const failed = outcomes.some((o) => o instanceof RecordError);
  const results: SaveResult[] = outcomes.map((o, i) => {
    if (o instanceof RecordError) return { success: false, errors: [o.toSaveError()] };
    if (allOrNone && failed) {
      const id = ids[i];
      return id === undefined
        ? { success: false, errors: [ROLLED_BACK] }
        : { id, success: false, errors: [ROLLED_BACK] };
    }
    return { id: o.id, success: true, errors: [] };
  });
  if (!(allOrNone && failed)) {
    c.org.apply(
      outcomes.filter((o): o is PlannedWrite => !(o instanceof RecordError)),
      writeContext(c),
    );
  }
  // Per-item failures are data: the call itself answers 200.
  sendJson(res, 200, results);
}

export function compositeRouter(faults?: FaultController): Router {
  const router = Router();
  /** A switched-on per-item failure (design §10), after the item's own checks passed. */
  const injected = (operation: 'create' | 'update', id: string | undefined): RecordError | undefined => {
    const f = faults?.recordFault(operation, id);
    return f === undefined ? undefined : new RecordError(f.statusCode, f.message, f.fields);
  };

  router.post('/composite/sobjects', (req, res) => {
    const c = ctx(req);
    const { allOrNone, items } = parseCollection(c, req);
    const outcomes = items.map((item) => {
      try {
        if (item.id !== undefined)
          throw new RecordError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
        if (!item.object.createable)
          throw new RecordError(
            'INVALID_TYPE_FOR_OPERATION',
            `entity type ${item.object.name} does not support create`,
          );
        const planned = c.org.plan('create', item.object, item.values, c.userId);
        return injected('create', undefined) ?? planned;
      } catch (err) {
        if (err instanceof RecordError) return err;
        throw err;
      }
    });
    finish(
      c,
      res,
      allOrNone,
      outcomes,
      items.map(() => undefined),
    );
  });

  router.patch('/composite/sobjects', (req, res) => {
    const c = ctx(req);
    const { allOrNone, items } = parseCollection(c, req);
    const seen = new Set<string>();
    const ids: (string | undefined)[] = items.map(() => undefined);
    const outcomes = items.map((item, i) => {
      try {
        if (item.id === undefined || item.id === null)
          throw new RecordError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
        const rec = c.org.resolveId(item.object, item.id);
        const id = String(rec.values['Id']);
        if (seen.has(id)) throw new RecordError('INVALID_FIELD', `Duplicate id in list: ${id}`, ['Id']);
        seen.add(id);
        ids[i] = id;
        const planned = c.org.plan('update', item.object, item.values, c.userId, id);
        return injected('update', id) ?? planned;
      } catch (err) {
        if (err instanceof RecordError) return err;
        throw err;
      }
    });
    finish(c, res, allOrNone, outcomes, ids);
  });

  router.delete('/composite/sobjects', (req, res) => {
    const c = ctx(req);
    const idList = (queryParam(req, 'ids') ?? '').split(',').filter((s) => s !== '');
    if (idList.length > COLLECTION_LIMIT) throw tooMany();
    const results: SaveResult[] = idList.map((raw) => {
      const object = c.org
        .objectNames()
        .map((n) => c.org.mustObject(n))
        .find((o) => raw.startsWith(o.keyPrefix));
      try {
        if (!object) throw new RecordError('MALFORMED_ID', `malformed id ${raw}`, []);
        c.org.delete(object, raw, writeContext(c));
        return { id: raw, success: true, errors: [] };
      } catch (err) {
        if (err instanceof RecordError) return { success: false, errors: [err.toSaveError()] };
        throw err;
      }
    });
    sendJson(res, 200, results);
  });

  return router;
}
