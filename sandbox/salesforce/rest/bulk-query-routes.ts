import { Router, type Request } from 'express';
import { formatDateTime, formatDateTimeZ } from '../clock.ts';
import { SalesforceApiError } from '../errors.ts';
import { KEY_PREFIXES } from '../ids.ts';
import { isRecord, jsonBody, queryParam, sendJson } from '../http.ts';
import type { FieldDef, FieldValue, ObjectDef } from '../schema/types.ts';
import { runSoql } from '../soql/execute.ts';
import type { EmulatorState } from '../state.ts';
import { ctx } from './context.ts';

type JobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Aborted' | 'Failed';

interface QueryJob {
  id: string;
  orgId: string;
  userId: string;
  operation: 'query' | 'queryAll';
  object: ObjectDef;
  fields: FieldDef[];
  ids: string[];
  state: JobState;
  pollsLeft: number;
  createdAt: number;
  apiVersion: string;
  lineEnding: 'LF' | 'CRLF';
  deleted: boolean;
}

const invalidJob = (message: string): SalesforceApiError =>
  new SalesforceApiError(400, 'INVALIDJOB', message);

/** Bulk 2.0 result CSV: every value quoted, datetimes with a `Z` suffix. */
function csvValue(f: FieldDef, v: FieldValue | undefined): string {
  if (v === undefined || v === null) return '""';
  const text = f.type === 'datetime' && typeof v === 'number' ? formatDateTimeZ(v) : String(v);
  return `"${text.replace(/"/g, '""')}"`;
}

// The locator is an opaque string to clients; base64 of the next offset keeps it stateless here.
const encodeLocator = (offset: number): string => Buffer.from(String(offset)).toString('base64url');
const decodeLocator = (locator: string): number => {
  const n = Number(Buffer.from(locator, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0)
    throw new SalesforceApiError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator}`);
  return n;
};

export function bulkQueryRouter(state: EmulatorState): Router {
  const router = Router();
  const jobs = new Map<string, QueryJob>();

  const info = (job: QueryJob): Record<string, unknown> => {
    const body: Record<string, unknown> = {
      id: job.id,
      operation: job.operation,
      object: job.object.name,
      createdById: job.userId,
      createdDate: formatDateTime(job.createdAt),
      systemModstamp: formatDateTime(job.createdAt),
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
      jobType: 'V2Query',
      lineEnding: job.lineEnding,
      columnDelimiter: 'COMMA',
    };
    if (job.state === 'JobComplete')
      Object.assign(body, { numberRecordsProcessed: job.ids.length, retries: 0, totalProcessingTime: 0 });
    return body;
  };

  const jobFor = (req: Request): QueryJob => {
    const job = jobs.get(String(req.params['id']));
    if (!job || job.deleted || job.orgId !== ctx(req).org.id) {
      throw new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    return job;
  };

  router.post('/', (req, res) => {
    const c = ctx(req);
    const body = jsonBody(req);
    if (!isRecord(body)) throw invalidJob('Expected a JSON object');
    const operation = body['operation'];
    if (operation !== 'query' && operation !== 'queryAll')
      throw invalidJob(`Invalid operation: ${String(operation)}`);
    const soql = body['query'];
    if (typeof soql !== 'string' || soql.trim() === '') throw invalidJob('The query is required');
    const delimiter = body['columnDelimiter'] ?? 'COMMA';
    if (delimiter !== 'COMMA')
      throw invalidJob(`The emulator supports columnDelimiter COMMA only, got ${JSON.stringify(delimiter)}`);
    const lineEnding = body['lineEnding'] ?? 'LF';
    if (lineEnding !== 'LF' && lineEnding !== 'CRLF')
      throw invalidJob(`Invalid lineEnding: ${JSON.stringify(lineEnding)}`);
    const contentType = body['contentType'] ?? 'CSV';
    if (contentType !== 'CSV') throw invalidJob(`Invalid contentType: ${JSON.stringify(contentType)}`);
    // The SOQL is checked when the job is created, so a bad query never becomes a job.
    const plan = runSoql(c.org, c.userId, soql, { includeDeleted: operation === 'queryAll', api: 'data' });
    const job: QueryJob = {
      id: state.ids.next(KEY_PREFIXES.BulkJob),
      orgId: c.org.id,
      userId: c.userId,
      operation,
      object: plan.object,
      fields: plan.fields,
      ids: plan.ids,
      state: 'UploadComplete',
      pollsLeft: state.settings.bulkPollsUntilComplete,
      createdAt: state.clock(),
      apiVersion: c.version,
      lineEnding,
      deleted: false,
    };
    jobs.set(job.id, job);
    sendJson(res, 200, info(job));
  });

  router.get('/', (req, res) => {
    const orgId = ctx(req).org.id;
    const records = [...jobs.values()].filter((j) => j.orgId === orgId && !j.deleted).map(info);
    sendJson(res, 200, { done: true, records, nextRecordsUrl: null });
  });

  router.get('/:id', (req, res) => {
    const job = jobFor(req);
    if (job.state === 'UploadComplete' || job.state === 'InProgress') {
      job.state = job.pollsLeft > 0 ? 'InProgress' : 'JobComplete';
      job.pollsLeft -= 1;
    }
    sendJson(res, 200, info(job));
  });

  router.patch('/:id', (req, res) => {
    const job = jobFor(req);
    const body = jsonBody(req);
    if (!isRecord(body) || body['state'] !== 'Aborted')
      throw invalidJob('Only state Aborted can be set on a query job');
    if (job.state === 'JobComplete')
      throw new SalesforceApiError(400, 'INVALIDJOBSTATE', 'The job is already complete');
    job.state = 'Aborted';
    sendJson(res, 200, info(job));
  });

  router.delete('/:id', (req, res) => {
    jobFor(req).deleted = true;
    res.status(204).end();
  });

  router.get('/:id/results', (req, res) => {
    const job = jobFor(req);
    if (job.state !== 'JobComplete') {
      throw new SalesforceApiError(
        400,
        'INVALIDJOBSTATE',
        `Query job ${job.id} is not complete: ${job.state}`,
      );
    }
    const locator = queryParam(req, 'locator');
    const offset = locator === undefined || locator === '' ? 0 : decodeLocator(locator);
    const maxRaw = queryParam(req, 'maxRecords');
    const max = maxRaw === undefined ? state.settings.bulkDefaultMaxRecords : Number(maxRaw);
    if (!Number.isInteger(max) || max < 1)
      throw new SalesforceApiError(400, 'INVALIDREQUEST', `Invalid maxRecords: ${String(maxRaw)}`);
    const org = state.orgs.get(job.orgId);
    const end = Math.min(job.ids.length, offset + max);
    const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const lines = [job.fields.map((f) => `"${f.name}"`).join(',')];
    for (let i = offset; i < end; i += 1) {
      const rec = org?.get(job.ids[i] ?? '');
      if (rec) lines.push(job.fields.map((f) => csvValue(f, rec.values[f.name])).join(','));
    }
    // jsforce loops until the locator is the literal string "null" (salesforce.md §5): always send it.
    res.setHeader('Sforce-Locator', end < job.ids.length ? encodeLocator(end) : 'null');
    res.setHeader('Sforce-NumberOfRecords', String(end - offset));
    res.status(200).setHeader('Content-Type', 'text/csv');
    res.end(lines.join(eol) + eol);
  });

  return router;
}
