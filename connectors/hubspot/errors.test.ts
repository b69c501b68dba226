import { describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorErrorCode } from '../types.ts';
import { mapBatchItemError, mapHubSpotError, toConnectorError } from './errors.ts';

const NOW = Date.UTC(2025, 0, 1);

interface Row {
  name: string;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  code: ConnectorErrorCode;
  retryAfterMs?: number;
  vendorCode?: string;
}

const rows: Row[] = [
  {
    name: '401 invalid token',
    status: 401,
    body: { category: 'INVALID_AUTHENTICATION', message: 'x' },
    code: 'unauthorized',
  },
  {
    name: '403 MISSING_SCOPES',
    status: 403,
    body: {
      status: 'error',
      category: 'MISSING_SCOPES',
      message: "This app hasn't been granted all required scopes",
    },
    code: 'forbidden',
    vendorCode: 'MISSING_SCOPES',
  },
  {
    name: '404 object not found',
    status: 404,
    body: { category: 'OBJECT_NOT_FOUND', message: 'x' },
    code: 'not_found',
  },
  {
    name: '409 property exists',
    status: 409,
    body: { category: 'OBJECT_ALREADY_EXISTS', message: 'x' },
    code: 'conflict',
  },
  {
    name: '423 locked, no header: 2 s',
    status: 423,
    body: { category: 'LOCKED', message: 'x' },
    code: 'locked',
    retryAfterMs: 2_000,
  },
  {
    name: '429 TEN_SECONDLY_ROLLING without Retry-After: the 10 s window',
    status: 429,
    body: {
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'You have reached your ten_secondly_rolling limit.',
    },
    code: 'rate_limited',
    retryAfterMs: 10_000,
    vendorCode: 'TEN_SECONDLY_ROLLING',
  },
  {
    name: '429 TEN_SECONDLY_ROLLING with Retry-After seconds',
    status: 429,
    body: { policyName: 'TEN_SECONDLY_ROLLING', message: 'x' },
    headers: { 'retry-after': '3' },
    code: 'rate_limited',
    retryAfterMs: 3_000,
  },
  {
    name: '429 search secondly limit: 1 s',
    status: 429,
    body: { policyName: 'SECONDLY', message: 'You have reached your secondly limit.' },
    code: 'rate_limited',
    retryAfterMs: 1_000,
    vendorCode: 'SECONDLY',
  },
  {
    name: '429 secondly by message only',
    status: 429,
    body: { message: 'You have reached your secondly limit.' },
    code: 'rate_limited',
    retryAfterMs: 1_000,
  },
  {
    name: '429 DAILY: quota exhausted',
    status: 429,
    body: { policyName: 'DAILY', message: 'You have reached your daily limit.' },
    code: 'quota_exhausted',
    vendorCode: 'DAILY',
  },
  {
    name: '400 VALIDATION_ERROR',
    status: 400,
    body: { category: 'VALIDATION_ERROR', message: 'Property values were not valid' },
    code: 'invalid_request',
    vendorCode: 'VALIDATION_ERROR',
  },
  { name: '414 URI too long', status: 414, body: '', code: 'invalid_request' },
  {
    name: '477 migration in progress',
    status: 477,
    body: {},
    headers: { 'retry-after': '5' },
    code: 'unavailable',
    retryAfterMs: 5_000,
  },
  { name: '500 JSON', status: 500, body: { category: 'INTERNAL_ERROR', message: 'x' }, code: 'unavailable' },
  { name: '502 HTML page', status: 502, body: '<html><body>502</body></html>', code: 'unavailable' },
  { name: '503', status: 503, body: { category: 'SERVICE_UNAVAILABLE' }, code: 'unavailable' },
  { name: '504', status: 504, body: {}, code: 'unavailable' },
  { name: '521 origin down', status: 521, body: '', code: 'unavailable' },
  { name: '0: no answer', status: 0, body: undefined, code: 'unavailable' },
  { name: '418 anything else', status: 418, body: {}, code: 'unknown' },
];

describe('mapHubSpotError', () => {
  it.each(rows)('maps $name to $code', (row) => {
    const e = mapHubSpotError(row.status, row.body, row.headers ?? {}, NOW);
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.code).toBe(row.code);
    expect(e.details.status).toBe(row.status);
    if (row.retryAfterMs !== undefined) expect(e.details.retryAfterMs).toBe(row.retryAfterMs);
    if (row.vendorCode !== undefined) expect(e.details.vendorCode).toBe(row.vendorCode);
  });

  it('reads Retry-After as an HTTP date relative to now', () => {
    const e = mapHubSpotError(
      429,
      { policyName: 'TEN_SECONDLY_ROLLING' },
      { 'retry-after': new Date(NOW + 4_000).toUTCString() },
      NOW,
    );
    expect(e.details.retryAfterMs).toBe(4_000);
  });
});

describe('mapBatchItemError', () => {
  it.each([
    ['OBJECT_NOT_FOUND', 'not_found'],
    ['VALIDATION_ERROR', 'invalid_request'],
    ['OBJECT_ALREADY_EXISTS', 'conflict'],
    ['RATE_LIMITS', 'rate_limited'],
    ['LOCKED', 'locked'],
    ['SOMETHING_NEW', 'unknown'],
  ] as const)('maps a 207 item of category %s to %s', (category, code) => {
    const e = mapBatchItemError({ status: 'error', category, message: 'm', context: { ids: ['1'] } });
    expect(e.code).toBe(code);
    expect(e.details.vendorCode).toBe(category);
  });
});

describe('toConnectorError', () => {
  it('maps an SDK ApiException by its code, body and headers, whatever its class', () => {
    class ApiException extends Error {
      constructor(
        readonly code: number,
        readonly body: unknown,
        readonly headers: Record<string, string>,
      ) {
        super('HTTP-Code: 429');
      }
    }
    const e = toConnectorError(
      new ApiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'Retry-After': '2' }),
      NOW,
    );
    expect(e.code).toBe('rate_limited');
    expect(e.details.retryAfterMs).toBe(2_000);
  });

  it.each([
    [
      'ECONNRESET',
      Object.assign(new Error('request failed, reason: socket hang up'), {
        code: 'ECONNRESET',
        type: 'system',
      }),
    ],
    ['socket hang up without a code', new Error('request to http://x failed, reason: socket hang up')],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
    [
      'node-fetch timeout',
      Object.assign(new Error('network timeout at: http://x'), { type: 'request-timeout' }),
    ],
    [
      'a cause chain',
      new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
    ],
  ])('maps a dropped connection (%s) to unavailable', (_name, error) => {
    expect(toConnectorError(error, NOW).code).toBe('unavailable');
  });

  it('rethrows an error that is neither HTTP nor network, untouched', () => {
    const bug = new TypeError('cannot read x of undefined');
    expect(() => toConnectorError(bug, NOW)).toThrow(bug);
  });
});
