import type { Request, Response } from 'express';
import { SalesforceApiError } from './errors.ts';

/** jsforce parses a body as JSON only when the type matches `^application/json(;|$)` (salesforce.md §10.1). */
export const JSON_TYPE = 'application/json;charset=UTF-8';

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', JSON_TYPE);
  res.end(JSON.stringify(body));
}

export function rawBody(req: Request): string {
  const body: unknown = req.body;
  return Buffer.isBuffer(body) ? body.toString('utf8') : '';
}

/** Parses a JSON request body; malformed JSON is a 400 JSON_PARSER_ERROR like the REST API's. */
export function jsonBody(req: Request): unknown {
  const text = rawBody(req);
  if (text.trim() === '') {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      'The request body is either invalid or incomplete.',
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      `Unexpected character in the request body: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a form-encoded body (and, as Salesforce also accepts, query-string parameters). */
export function formParams(req: Request): URLSearchParams {
  const params = new URLSearchParams(rawBody(req));
  const url = new URL(req.originalUrl, 'http://x');
  for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
  return params;
}

export function queryParam(req: Request, name: string): string | undefined {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The `Sforce-Call-Options: client=…` value, which CDC reports in `changeOrigin`. */
export function callOptionsClient(req: Request): string | undefined {
  const header = req.header('sforce-call-options');
  if (header === undefined) return undefined;
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2).map((s) => s.trim());
    if (key?.toLowerCase() === 'client' && value) return value;
  }
  return undefined;
}
