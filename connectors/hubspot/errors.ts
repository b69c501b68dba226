import { ConnectorError } from '../types.ts';

/** Response headers as the SDK hands them over (lower-cased names). */
export type HeaderMap = Readonly<Record<string, string | undefined>>;

/**
 * HubSpot's burst window: 110 requests per rolling 10 s (hubspot.md §4.1). A 429 carries no
 * documented `Retry-After` (§4.3, UNVERIFIED either way), so without one we wait out the window.
 */
export const TEN_SECONDLY_WAIT_MS = 10_000;
/** CRM search: 5 requests per second per account (hubspot.md §3.5). */
export const SECONDLY_WAIT_MS = 1_000;

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function messageOf(status: number, body: unknown): string {
  const message = field(body, 'message');
  if (message !== undefined) return message;
  if (typeof body === 'string' && body.length > 0) return `HTTP ${status}: ${body.slice(0, 200)}`;
  return `HTTP ${status}`;
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(headers: HeaderMap, nowMs: number): number | undefined {
  const raw = headers['retry-after'];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function rateLimit(body: unknown, headers: HeaderMap, nowMs: number): ConnectorError {
  const policy = field(body, 'policyName');
  const message = messageOf(429, body);
  const retryAfter = parseRetryAfter(headers, nowMs);
  // A daily cap (private-app style; OAuth apps have none, §4.1) does not reset within a retry:
  // stop until the app decides otherwise.
  if (policy === 'DAILY' || /daily limit/i.test(message)) {
    return new ConnectorError('quota_exhausted', message, {
      status: 429,
      vendorCode: policy ?? 'DAILY',
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    });
  }
  // The search limiter answers "You have reached your secondly limit." (§4.3, the SDK keys on it).
  const secondly = policy === 'SECONDLY' || /secondly limit/i.test(message);
  const fallback = secondly && policy !== 'TEN_SECONDLY_ROLLING' ? SECONDLY_WAIT_MS : TEN_SECONDLY_WAIT_MS;
  return new ConnectorError('rate_limited', message, {
    status: 429,
    vendorCode: policy ?? (secondly ? 'SECONDLY' : 'RATE_LIMIT'),
    retryAfterMs: retryAfter ?? fallback,
  });
}

/**
 * The one mapping from a HubSpot HTTP answer to a connector error (hubspot.md §3.7, §4.3). Status
 * decides first; `category`/`policyName` refine. `status` 0 means no HTTP answer at all.
 */
export function mapHubSpotError(
  status: number,
  body: unknown,
  headers: HeaderMap = {},
  nowMs: number = Date.now(),
): ConnectorError {
  const category = field(body, 'category');
  const details = (extra: { retryAfterMs?: number } = {}): ConnectorError['details'] => ({
    status,
    ...(category === undefined ? {} : { vendorCode: category }),
    ...extra,
  });
  const message = messageOf(status, body);
  if (status === 401) return new ConnectorError('unauthorized', message, details());
  // 403 is "the authentication provided does not have the proper permissions"; MISSING_SCOPES is
  // the usual category, and every 403 means the same thing to us: re-install with the scopes.
  if (status === 403) return new ConnectorError('forbidden', message, details());
  if (status === 404) return new ConnectorError('not_found', message, details());
  if (status === 409) return new ConnectorError('conflict', message, details());
  if (status === 423) {
    // "Locks will last for 2 seconds" (§3.4).
    const retryAfter = parseRetryAfter(headers, nowMs) ?? 2_000;
    return new ConnectorError('locked', message, details({ retryAfterMs: retryAfter }));
  }
  if (status === 429) return rateLimit(body, headers, nowMs);
  if (status === 477) {
    // "Migration in Progress", with a Retry-After header (§3.7).
    const retryAfter = parseRetryAfter(headers, nowMs) ?? TEN_SECONDLY_WAIT_MS;
    return new ConnectorError('unavailable', message, details({ retryAfterMs: retryAfter }));
  }
  if (status === 0 || status >= 500) return new ConnectorError('unavailable', message, details());
  if (
    status === 400 ||
    status === 405 ||
    status === 413 ||
    status === 414 ||
    status === 415 ||
    status === 422
  )
    return new ConnectorError('invalid_request', message, details());
  if (status === 408) return new ConnectorError('unavailable', message, details());
  return new ConnectorError('unknown', message, details());
}

/** HubSpot's per-item error categories in a 207 (`errors[]` of a batch response, §3.4). */
const ITEM_CATEGORY_STATUS: Readonly<Record<string, number>> = {
  OBJECT_NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  INVALID_PROPERTIES: 400,
  OBJECT_ALREADY_EXISTS: 409,
  CONFLICT: 409,
  MISSING_SCOPES: 403,
  RATE_LIMITS: 429,
  LOCKED: 423,
};

/** A per-item error of a 207 batch answer, mapped by its `category` (its `status` is just "error"). */
export function mapBatchItemError(item: unknown): ConnectorError {
  const category = field(item, 'category') ?? '';
  const status = ITEM_CATEGORY_STATUS[category] ?? 500;
  const mapped = mapHubSpotError(status, item);
  if (ITEM_CATEGORY_STATUS[category] === undefined)
    return new ConnectorError('unknown', mapped.message, { vendorCode: category });
  return new ConnectorError(mapped.code, mapped.message, { vendorCode: category, ...retryOf(mapped) });
}

function retryOf(e: ConnectorError): { retryAfterMs?: number } {
  return e.details.retryAfterMs === undefined ? {} : { retryAfterMs: e.details.retryAfterMs };
}

interface HttpLike {
  code: number;
  body: unknown;
  headers: HeaderMap;
}

/**
 * The SDK throws one `ApiException` class per module, so `instanceof` cannot tell them apart
 * (node20-stack §3a): recognise it by shape, `code` (HTTP status) plus `body` and `headers`.
 */
function asHttpError(e: unknown): HttpLike | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const r = e as Record<string, unknown>;
  if (typeof r.code !== 'number' || !('body' in r)) return undefined;
  const headers: Record<string, string> = {};
  if (typeof r.headers === 'object' && r.headers !== null) {
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>))
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
  }
  return { code: r.code, body: r.body, headers };
}

function networkCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const r = cur as Record<string, unknown>;
    if (typeof r.code === 'string' && NETWORK_CODES.has(r.code)) return r.code;
    if (typeof r.errno === 'string' && NETWORK_CODES.has(r.errno)) return r.errno;
    if (r.type === 'request-timeout' || r.name === 'AbortError' || r.name === 'TimeoutError')
      return 'ETIMEDOUT';
    if (typeof r.message === 'string' && /socket hang up|network timeout|ECONNRESET/i.test(r.message))
      return 'ECONNRESET';
    cur = r.cause;
  }
  return undefined;
}

/**
 * Anything an SDK call throws, as a ConnectorError: HTTP answers through `mapHubSpotError`,
 * dropped connections and timeouts (node-fetch `FetchError` with ECONNRESET, "socket hang up")
 * as `unavailable`. Anything else is a bug of ours and is rethrown untouched, not disguised.
 */
export function toConnectorError(e: unknown, nowMs: number): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const http = asHttpError(e);
  if (http !== undefined) return mapHubSpotError(http.code, http.body, http.headers, nowMs);
  const net = networkCode(e);
  if (net !== undefined) {
    const message = e instanceof Error ? e.message : net;
    return new ConnectorError('unavailable', message, { vendorCode: net });
  }
  throw e;
}
