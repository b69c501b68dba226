/**
 * The one error catalogue: every error the HTTP API can answer with. Handlers throw `HttpError` with a
 * code from here; the error handler turns it (and anything else) into
 * `{ "error": { "code", "message", "requestId" } }` and nothing more.
 */

export interface ErrorSpec {
  readonly status: number;
  /** Safe to show to any client; used when the thrower gives no message. */
  readonly message: string;
  /** For docs/errors.md: when a client sees this code. */
  readonly when: string;
}

export const ERROR_CATALOGUE = {
  bad_request: {
    status: 400,
    message: 'The request is not valid.',
    when: 'The request is malformed in a way no more specific code covers (bad URL encoding, bad header).',
  },
  invalid_json: {
    status: 400,
    message: 'The request body is not valid JSON.',
    when: 'A body sent as `application/json` does not parse, or is not an object or array.',
  },
  validation_failed: {
    status: 400,
    message: 'The request body failed validation.',
    when: 'The JSON parses but does not match the schema; the message names the first fields at fault.',
  },
  unauthorized: {
    status: 401,
    message: 'A valid API key is required.',
    when: 'The `Authorization: Bearer` API key (`lg_…`) or metrics token is missing, malformed, revoked or wrong.',
  },
  forbidden: {
    status: 403,
    message: 'Your role does not allow this action.',
    when: "The API key is valid for this tenant but its role is below the route's minimum.",
  },
  not_found: {
    status: 404,
    message: 'Not found.',
    when: 'Unknown route, unknown resource, or a resource of another tenant (so existence does not leak).',
  },
  conflict: {
    status: 409,
    message: 'The request conflicts with the current state.',
    when: 'The resource changed since it was read, or an idempotency key was reused with a different body.',
  },
  payload_too_large: {
    status: 413,
    message: 'The request body is too large.',
    when: 'The body exceeds `LEADGATE_MAX_BODY`.',
  },
  unsupported_media_type: {
    status: 415,
    message: 'The request body must be application/json.',
    when: 'A body is sent with another content type, or an unsupported encoding or charset.',
  },
  rate_limited: {
    status: 429,
    message: 'Too many requests; retry later.',
    when: 'The caller exceeded its request budget.',
  },
  internal: {
    status: 500,
    message: 'Internal error.',
    when: 'An unexpected failure; details are in the server log under the same request id, never in the response.',
  },
  unavailable: {
    status: 503,
    message: 'The service is not ready.',
    when: 'The store is unreachable or migrations have not finished (`/readyz`), or the server is shutting down.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, value);
}

/** An error meant for the client: its code picks the status, its message is shown as is. */
export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'HttpError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly requestId: string };
}

export function errorBody(code: ErrorCode, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The whole of docs/errors.md; a test keeps the committed file equal to this. */
export function renderErrorsDoc(): string {
  const rows = ERROR_CODES.map((code) => {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    return `| \`${code}\` | ${spec.status} | ${cell(spec.message)} | ${cell(spec.when)} |`;
  });
  return [
    '# API errors',
    '',
    '<!-- Generated from app/kit/http/errors.ts by `npx tsx app/kit/http/generate-docs.ts`; do not edit by hand. -->',
    '',
    'Every error response has exactly this body, whatever the route:',
    '',
    '```json',
    '{ "error": { "code": "not_found", "message": "Not found.", "requestId": "0b6f…" } }',
    '```',
    '',
    '`requestId` is also sent as the `X-Request-Id` response header and appears on every server log line',
    'of that request. Responses never carry stack traces or bodies received from a CRM.',
    '',
    '| Code | HTTP status | Default message | When |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
