import { Router, type Request, type Response } from 'express';
import { SalesforceApiError } from '../errors.ts';
import { KEY_PREFIXES } from '../ids.ts';
import { queryParam, sendJson } from '../http.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import { runSoql } from '../soql/execute.ts';
import type { EmulatorState } from '../state.ts';
import { ctx } from './context.ts';
import { toApiRecord } from './records.ts';

interface Cursor {
  orgId: string;
  object: ObjectDef;
  fields: FieldDef[];
  ids: string[];
  batchSize: number;
  expiresAt: number;
}

// Query cursors live two days since API v56.0 (salesforce.md §2).
const CURSOR_TTL_MS = 2 * 24 * 60 * 60 * 1000;
const DEFAULT_BATCH = 2000;

/** `Sforce-Query-Options: batchSize=N`: 200–2000, default 2000, a request not a promise. */
function batchSizeFrom(req: Request, fields: FieldDef[]): number {
  const header = req.header('sforce-query-options') ?? '';
  const match = /batchSize\s*=\s*(\d+)/i.exec(header);
  let size =
    match?.[1] === undefined ? DEFAULT_BATCH : Math.min(DEFAULT_BATCH, Math.max(200, Number(match[1])));
  // Two or more long text area fields in the SELECT cap the batch at 200.
  if (fields.filter((f) => f.type === 'textarea' && (f.length ?? 0) > 255).length >= 2)
    size = Math.min(size, 200);
  return size;
}

export function queryRouter(state: EmulatorState): Router {
  const router = Router();
  const cursors = new Map<string, Cursor>();
  let cursorCounter = 0;

  const page = (
    res: Response,
    version: string,
    prefix: string,
    cursorId: string,
    cursor: Cursor,
    offset: number,
  ): void => {
    const end = Math.min(cursor.ids.length, offset + cursor.batchSize);
    const records = [];
    for (let i = offset; i < end; i += 1) {
      const rec = c(cursor.orgId).get(cursor.ids[i] ?? '');
      if (rec) records.push(toApiRecord(version, cursor.object, cursor.fields, rec));
    }
    const body: Record<string, unknown> = { totalSize: cursor.ids.length, done: end >= cursor.ids.length };
    if (end < cursor.ids.length)
      body['nextRecordsUrl'] = `/services/data/v${version}/${prefix}query/${cursorId}-${end}`;
    body['records'] = records;
    sendJson(res, 200, body);
  };

  const c = (orgId: string) => {
    const org = state.orgs.get(orgId);
    if (!org) throw new Error('org vanished');
    return org;
  };

  const run = (includeDeleted: boolean) => (req: Request, res: Response) => {
    const { org, userId, version } = ctx(req);
    const soql = queryParam(req, 'q');
    if (soql === undefined || soql.trim() === '') {
      throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    }
    const plan = runSoql(org, userId, soql, { includeDeleted, api: ctx(req).api });
    const prefix = ctx(req).api === 'tooling' ? 'tooling/' : '';
    cursorCounter += 1;
    const cursorId = `${KEY_PREFIXES.QueryCursor}Dn0000${String(cursorCounter).padStart(6, '0')}AAA`;
    const cursor: Cursor = {
      orgId: org.id,
      object: plan.object,
      fields: plan.fields,
      ids: plan.ids,
      batchSize: batchSizeFrom(req, plan.fields),
      expiresAt: state.clock() + CURSOR_TTL_MS,
    };
    if (cursor.ids.length > cursor.batchSize) cursors.set(cursorId, cursor);
    page(res, version, prefix, cursorId, cursor, 0);
  };

  const more = (req: Request, res: Response) => {
    const { org, version } = ctx(req);
    const locator = String(req.params['locator']);
    const dash = locator.lastIndexOf('-');
    const cursorId = locator.slice(0, dash);
    const offset = Number(locator.slice(dash + 1));
    const cursor = cursors.get(cursorId);
    if (
      !cursor ||
      cursor.orgId !== org.id ||
      dash < 0 ||
      !Number.isInteger(offset) ||
      state.clock() > cursor.expiresAt
    ) {
      throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    page(res, version, ctx(req).api === 'tooling' ? 'tooling/' : '', cursorId, cursor, offset);
  };

  router.get('/query', run(false));
  router.get('/queryAll', run(true));
  router.get('/query/:locator', more);
  router.get('/queryAll/:locator', more);
  return router;
}
