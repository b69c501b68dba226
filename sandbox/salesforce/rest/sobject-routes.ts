import { Router, type Request } from 'express';
import { SalesforceApiError } from '../errors.ts';
import { isRecord, jsonBody, queryParam, sendJson } from '../http.ts';
import { ctx, servesObject, writeContext } from './context.ts';
import { describeGlobalEntry, describeObject } from './describe.ts';
import { asApiError, deserializeRecord, objectOr404, toApiRecord } from './records.ts';

const objectBody = (req: Request): Record<string, unknown> => {
  const body = jsonBody(req);
  if (!isRecord(body))
    throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object for the record');
  return body;
};

/** sObject describe, basic info and single-record create/get/update/delete. */
export function sobjectRouter(): Router {
  const router = Router();

  router.get('/sobjects', (req, res) => {
    const { org, version } = ctx(req);
    const c = ctx(req);
    const sobjects = org
      .objectNames()
      .map((n) => org.mustObject(n))
      .filter((o) => servesObject(c, o.api))
      .map((o) => describeGlobalEntry(o, version));
    sendJson(res, 200, { encoding: 'UTF-8', maxBatchSize: 200, sobjects });
  });

  router.get('/sobjects/:type', (req, res) => {
    const { version } = ctx(req);
    const object = objectOr404(ctx(req), req.params['type']);
    sendJson(res, 200, { objectDescribe: describeGlobalEntry(object, version), recentItems: [] });
  });

  router.get('/sobjects/:type/describe', (req, res) => {
    const { org, userId, version } = ctx(req);
    sendJson(res, 200, describeObject(org, userId, objectOr404(ctx(req), req.params['type']), version));
  });

  router.post('/sobjects/:type', (req, res) => {
    const c = ctx(req);
    const object = objectOr404(c, req.params['type']);
    if (!object.createable)
      throw new SalesforceApiError(
        400,
        'INVALID_TYPE_FOR_OPERATION',
        `entity type ${object.name} does not support create`,
      );
    const values = deserializeRecord(c.org, c.userId, object, objectBody(req));
    try {
      const plan = c.org.plan('create', object, values, c.userId);
      c.org.apply([plan], writeContext(c));
      sendJson(res, 201, { id: plan.id, success: true, errors: [] });
    } catch (err) {
      throw asApiError(err);
    }
  });

  router.get('/sobjects/:type/:id', (req, res) => {
    const { org, userId, version } = ctx(req);
    const object = objectOr404(ctx(req), req.params['type']);
    let rec;
    try {
      rec = org.resolveId(object, req.params['id']);
    } catch (err) {
      throw asApiError(err);
    }
    const wanted = queryParam(req, 'fields');
    const fields =
      wanted === undefined
        ? org.visibleFields(userId, object)
        : wanted.split(',').map((name) => {
            const f = org.visibleField(userId, object, name.trim());
            if (!f)
              throw new SalesforceApiError(
                400,
                'INVALID_FIELD',
                `No such column '${name.trim()}' on sobject of type ${object.name}`,
              );
            return f;
          });
    sendJson(res, 200, toApiRecord(version, object, fields, rec));
  });

  router.patch('/sobjects/:type/:id', (req, res) => {
    const c = ctx(req);
    const object = objectOr404(c, req.params['type']);
    const values = deserializeRecord(c.org, c.userId, object, objectBody(req));
    try {
      const rec = c.org.resolveId(object, req.params['id']);
      const plan = c.org.plan('update', object, values, c.userId, String(rec.values['Id']));
      c.org.apply([plan], writeContext(c));
    } catch (err) {
      throw asApiError(err);
    }
    res.status(204).end();
  });

  router.delete('/sobjects/:type/:id', (req, res) => {
    const c = ctx(req);
    const object = objectOr404(c, req.params['type']);
    try {
      c.org.delete(object, req.params['id'], writeContext(c));
    } catch (err) {
      throw asApiError(err);
    }
    res.status(204).end();
  });

  return router;
}
