import { describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorErrorCode } from '../types.ts';
import { mapSalesforceError, mapSaveError, SALESFORCE_ERROR_CODES } from './errors.ts';
import { decideRetry } from './retry.ts';

/** What jsforce 3.10.16 throws for a JSON error body: HttpApiError, name = errorCode, no status. */
const httpApiError = (errorCode: string, message = 'm'): Error =>
  Object.assign(new Error(message), { name: errorCode, errorCode, data: { errorCode, message } });

describe('mapSalesforceError: every row of the errorCode table', () => {
  it.each(Object.entries(SALESFORCE_ERROR_CODES))('%s → %s', (vendorCode, code) => {
    const mapped = mapSalesforceError(httpApiError(vendorCode));
    expect(mapped).toBeInstanceOf(ConnectorError);
    expect(mapped.code).toBe(code);
    expect(mapped.details.vendorCode).toBe(vendorCode);
  });
});

describe('mapSaveError: the same table through Collections statusCode', () => {
  it.each(Object.entries(SALESFORCE_ERROR_CODES))('%s → %s', (statusCode, code) => {
    expect(mapSaveError({ statusCode, message: 'm', fields: [] }).code).toBe(code);
  });

  it('reads errorCode when statusCode is absent (jsforce typings call it that)', () => {
    expect(mapSaveError({ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' }).code).toBe(
      'not_found',
    );
  });

  it('treats a converted Lead as permanent: never retried, alone or inside Collections', () => {
    // The emulator's (and Salesforce's) per-item answer for any update to a converted Lead.
    const item = mapSaveError({
      statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
      message: 'cannot reference converted lead',
      fields: [],
    });
    const single = mapSalesforceError(
      httpApiError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead'),
    );
    for (const e of [item, single]) {
      expect(e.code).toBe('invalid_request');
      expect(e.details.vendorCode).toBe('CANNOT_UPDATE_CONVERTED_LEAD');
      for (const attempt of [1, 2, 5]) expect(decideRetry(e, attempt, () => 0.5).retry).toBe(false);
    }
  });

  it('names the fields in the message', () => {
    expect(
      mapSaveError({ statusCode: 'STRING_TOO_LONG', message: 'too long', fields: ['Leadgate_Reasons__c'] })
        .message,
    ).toBe('Salesforce STRING_TOO_LONG: too long (Leadgate_Reasons__c)');
  });
});

const cases: [string, unknown, number | undefined, ConnectorErrorCode, string | undefined][] = [
  [
    'HTML 500 page (ERROR_HTTP_500)',
    httpApiError('ERROR_HTTP_500', 'HTTP response contains html content.\nmore'),
    undefined,
    'unavailable',
    'ERROR_HTTP_500',
  ],
  [
    'empty 503 (ERROR_HTTP_503)',
    httpApiError('ERROR_HTTP_503', ''),
    undefined,
    'unavailable',
    'ERROR_HTTP_503',
  ],
  ['ERROR_HTTP_502', httpApiError('ERROR_HTTP_502'), undefined, 'unavailable', 'ERROR_HTTP_502'],
  ['ERROR_HTTP_429', httpApiError('ERROR_HTTP_429'), undefined, 'rate_limited', 'ERROR_HTTP_429'],
  ['ERROR_HTTP_404', httpApiError('ERROR_HTTP_404'), undefined, 'not_found', 'ERROR_HTTP_404'],
  ['ERROR_HTTP_401', httpApiError('ERROR_HTTP_401'), undefined, 'unauthorized', 'ERROR_HTTP_401'],
  ['ERROR_HTTP_403', httpApiError('ERROR_HTTP_403'), undefined, 'forbidden', 'ERROR_HTTP_403'],
  ['ERROR_HTTP_400', httpApiError('ERROR_HTTP_400'), undefined, 'invalid_request', 'ERROR_HTTP_400'],
  [
    'concurrent-request limit',
    httpApiError('REQUEST_LIMIT_EXCEEDED', 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.'),
    403,
    'rate_limited',
    'REQUEST_LIMIT_EXCEEDED',
  ],
  [
    'daily limit',
    httpApiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
    403,
    'quota_exhausted',
    'REQUEST_LIMIT_EXCEEDED',
  ],
  ['unknown code, status known', httpApiError('SOMETHING_NEW'), 503, 'unavailable', 'SOMETHING_NEW'],
  ['unknown code, no status', httpApiError('SOMETHING_NEW'), undefined, 'unknown', 'SOMETHING_NEW'],
  [
    'MULTIPLE_API_ERRORS: the first decides',
    Object.assign(new Error('Multiple errors'), {
      errorCode: 'MULTIPLE_API_ERRORS',
      data: [
        { errorCode: 'UNABLE_TO_LOCK_ROW', message: 'locked' },
        { errorCode: 'INVALID_FIELD', message: 'x' },
      ],
    }),
    undefined,
    'locked',
    'UNABLE_TO_LOCK_ROW',
  ],
  [
    'dropped connection (node-fetch FetchError)',
    Object.assign(new Error('request to http://x failed, reason: socket hang up'), {
      name: 'FetchError',
      type: 'system',
      code: 'ECONNRESET',
    }),
    undefined,
    'unavailable',
    'ECONNRESET',
  ],
  [
    'connection refused',
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    undefined,
    'unavailable',
    'ECONNREFUSED',
  ],
  ['timeout without a code', new Error('network timeout at: http://x'), undefined, 'unavailable', undefined],
  ['a plain Error', new Error('boom'), undefined, 'unknown', undefined],
  ['a plain Error with a status', new Error('boom'), 404, 'not_found', undefined],
  ['a string', 'boom', undefined, 'unknown', undefined],
];

describe('mapSalesforceError: shapes other than a known errorCode', () => {
  it.each(cases)('%s', (_name, error, status, code, vendorCode) => {
    const mapped = mapSalesforceError(error, status);
    expect(mapped.code).toBe(code);
    expect(mapped.details.vendorCode).toBe(vendorCode);
    expect(mapped.details.status).toBe(status);
  });

  it('passes a ConnectorError through unchanged', () => {
    const e = new ConnectorError('quota_exhausted', 'budget');
    expect(mapSalesforceError(e)).toBe(e);
  });

  it('keeps only the first line of jsforce HTML-page messages', () => {
    expect(
      mapSalesforceError(httpApiError('ERROR_HTTP_502', 'HTTP response contains html content.\nCheck that…'))
        .message,
    ).toBe('Salesforce ERROR_HTTP_502: HTTP response contains html content.');
  });
});
