import { ConnectorError, type ConnectorErrorCode } from '../types.ts';

/**
 * Salesforce error codes → connector codes. REST answers carry `errorCode` (jsforce copies it to
 * `HttpApiError.errorCode` and drops the HTTP status, node20-stack §3b); sObject Collections items
 * carry the same vocabulary as `statusCode` (salesforce.md §3). One table for both.
 */
export const SALESFORCE_ERROR_CODES: Readonly<Record<string, ConnectorErrorCode>> = {
  // 401: expired or revoked session (salesforce.md §1.4).
  INVALID_SESSION_ID: 'unauthorized',
  INVALID_AUTH_HEADER: 'unauthorized',
  // Missing object/field access; a field without field-level security cannot be written.
  INSUFFICIENT_ACCESS: 'forbidden',
  INSUFFICIENT_ACCESS_OR_READONLY: 'forbidden',
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'forbidden',
  INVALID_FIELD_FOR_INSERT_UPDATE: 'forbidden',
  API_DISABLED_FOR_ORG: 'forbidden',
  API_CURRENTLY_DISABLED: 'forbidden',
  FUNCTIONALITY_NOT_ENABLED: 'forbidden',
  // The record or resource is gone (deleted records answer ENTITY_IS_DELETED).
  NOT_FOUND: 'not_found',
  ENTITY_IS_DELETED: 'not_found',
  INVALID_CROSS_REFERENCE_KEY: 'not_found',
  // 403 REQUEST_LIMIT_EXCEEDED: the org's daily API allocation is spent (salesforce.md §4).
  REQUEST_LIMIT_EXCEEDED: 'quota_exhausted',
  // Tooling answers a second CustomField create with DUPLICATE_VALUE; so does a second assignment.
  DUPLICATE_VALUE: 'conflict',
  DUPLICATES_DETECTED: 'conflict',
  // Our request is wrong: retrying it unchanged cannot help.
  MALFORMED_QUERY: 'invalid_request',
  INVALID_FIELD: 'invalid_request',
  INVALID_TYPE: 'invalid_request',
  INVALID_QUERY_FILTER_OPERATOR: 'invalid_request',
  INVALID_QUERY_LOCATOR: 'invalid_request',
  MALFORMED_ID: 'invalid_request',
  INVALID_ID_FIELD: 'invalid_request',
  MISSING_ARGUMENT: 'invalid_request',
  REQUIRED_FIELD_MISSING: 'invalid_request',
  FIELD_INTEGRITY_EXCEPTION: 'invalid_request',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'invalid_request',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'invalid_request',
  NUMBER_OUTSIDE_VALID_RANGE: 'invalid_request',
  STRING_TOO_LONG: 'invalid_request',
  INVALID_EMAIL_ADDRESS: 'invalid_request',
  // A converted Lead is read-only: score its Contact instead.
  CANNOT_UPDATE_CONVERTED_LEAD: 'invalid_request',
  JSON_PARSER_ERROR: 'invalid_request',
  EXCEEDED_ID_LIMIT: 'invalid_request',
  INVALIDJOB: 'invalid_request',
  INVALIDJOBSTATE: 'invalid_request',
  INVALIDLOCATOR: 'invalid_request',
  INVALIDREQUEST: 'invalid_request',
  METHOD_NOT_ALLOWED: 'invalid_request',
  // The emulator's answer to a route it does not implement (design §10).
  NOT_IMPLEMENTED: 'invalid_request',
  // Another transaction holds the row; Salesforce suggests retrying.
  UNABLE_TO_LOCK_ROW: 'locked',
  // Salesforce answers 500s with UNKNOWN_EXCEPTION and 503s with SERVER_UNAVAILABLE.
  UNKNOWN_EXCEPTION: 'unavailable',
  SERVER_UNAVAILABLE: 'unavailable',
  REQUEST_RUNNING_TOO_LONG: 'unavailable',
  QUERY_TIMEOUT: 'unavailable',
  // With allOrNone the item itself was valid: it was rolled back because another failed.
  ALL_OR_NONE_OPERATION_ROLLED_BACK: 'unavailable',
};

// jsforce names non-JSON error bodies ERROR_HTTP_<status> (node20-stack §3b).
const HTTP_STATUS = /^ERROR_HTTP_(\d{3})$/;

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

function codeForStatus(status: number): ConnectorErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 420 || status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'invalid_request';
  return 'unknown';
}

/** Maps one Salesforce error code (REST `errorCode` or Collections `statusCode`). */
export function codeForSalesforceError(vendorCode: string, message = ''): ConnectorErrorCode {
  // The concurrent-request limit shares REQUEST_LIMIT_EXCEEDED with the daily one but passes in
  // seconds (salesforce.md §4): a short wait, not a stop until tomorrow.
  if (vendorCode === 'REQUEST_LIMIT_EXCEEDED' && /ConcurrentRequests/i.test(message)) return 'rate_limited';
  const known = SALESFORCE_ERROR_CODES[vendorCode];
  if (known !== undefined) return known;
  const http = HTTP_STATUS.exec(vendorCode);
  if (http?.[1] !== undefined) return codeForStatus(Number(http[1]));
  return 'unknown';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One item error of an sObject Collections SaveResult: `{ statusCode, message, fields }`. */
export interface SaveError {
  statusCode?: string;
  errorCode?: string;
  message?: string;
  fields?: string[];
}

export function mapSaveError(error: SaveError): ConnectorError {
  // Collections put the code in `statusCode`; jsforce's types call it `errorCode` (salesforce.md §3).
  const vendorCode = error.statusCode ?? error.errorCode ?? 'UNKNOWN';
  const fields = error.fields !== undefined && error.fields.length > 0 ? ` (${error.fields.join(', ')})` : '';
  return new ConnectorError(
    codeForSalesforceError(vendorCode, error.message),
    `Salesforce ${vendorCode}: ${error.message ?? ''}${fields}`,
    { vendorCode },
  );
}

/**
 * Maps anything a jsforce call throws to a ConnectorError: `HttpApiError` (errorCode, message),
 * `MULTIPLE_API_ERRORS` (the first one decides), network errors (node-fetch `FetchError` with a
 * system `code`), and ConnectorErrors unchanged. `status` is the HTTP status when the caller saw it.
 */
export function mapSalesforceError(error: unknown, status?: number): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const details = status === undefined ? {} : { status };
  if (!isObject(error))
    return new ConnectorError('unknown', `Salesforce call failed: ${String(error)}`, details);
  const message = str(error['message']) ?? '';
  const errorCode = str(error['errorCode']);
  if (errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(error['data']) && isObject(error['data'][0])) {
    const first = error['data'][0];
    const code = str(first['errorCode']) ?? 'UNKNOWN';
    const firstMessage = str(first['message']) ?? '';
    return new ConnectorError(
      codeForSalesforceError(code, firstMessage),
      `Salesforce ${code}: ${firstMessage}`,
      {
        ...details,
        vendorCode: code,
      },
    );
  }
  if (errorCode !== undefined) {
    const mapped = codeForSalesforceError(errorCode, message);
    const code = mapped === 'unknown' && status !== undefined ? codeForStatus(status) : mapped;
    // jsforce's message for HTML bodies is a paragraph; keep its first line.
    const text = message.split('\n')[0] ?? '';
    return new ConnectorError(code, `Salesforce ${errorCode}: ${text}`, {
      ...details,
      vendorCode: errorCode,
    });
  }
  const systemCode = str(error['code']);
  if (
    (systemCode !== undefined && NETWORK_CODES.has(systemCode)) ||
    str(error['name']) === 'FetchError' ||
    str(error['name']) === 'AbortError' ||
    /socket hang up|network|timed? ?out/i.test(message)
  ) {
    return new ConnectorError('unavailable', `Salesforce unreachable: ${message}`, {
      ...details,
      ...(systemCode === undefined ? {} : { vendorCode: systemCode }),
    });
  }
  const code = status === undefined ? 'unknown' : codeForStatus(status);
  return new ConnectorError(code, `Salesforce call failed: ${message}`, details);
}
