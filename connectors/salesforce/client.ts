import type { Connection, HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import type { ConnectorError } from '../types.ts';
import type { ApiBudget, ApiUsage } from './budget.ts';
import { mapSalesforceError } from './errors.ts';
import { decideRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';

export interface ClientDeps {
  conn: Connection;
  accessToken: () => Promise<string>;
  budget: ApiBudget;
  sleep: (ms: number) => Promise<void>;
  rng: () => number;
  retryPolicy?: RetryPolicy;
  /** Called after every retry decision, for logs and metrics. */
  onRetry?: (event: { url: string; attempt: number; error: ConnectorError; waitMs: number }) => void;
}

export interface ApiResponse<T> {
  body: T;
  status: number;
  headers: Readonly<Record<string, string>>;
}

/**
 * The org's usage from this response's own `Sforce-Limit-Info: api-usage=used/limit` (salesforce.md
 * §10.4). Read per response rather than from jsforce's `conn.limitInfo`, which keeps the last value
 * it saw: a 401 or a dropped socket carries no header, and the stale value would be counted again.
 */
export function limitInfoOf(
  response: { headers: Readonly<Record<string, string>> } | undefined,
): ApiUsage | undefined {
  const match = /api-usage=(\d+)\/(\d+)/.exec(response?.headers['sforce-limit-info'] ?? '');
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { used: Number(match[1]), limit: Number(match[2]) };
}

/** Calls that do not count against the daily allocation (they are outside `/services/data`). */
const UNMETERED = /^\/services\/oauth2\//;

/**
 * Every Salesforce call of the connector goes through here: budget check before, jsforce's own
 * retries off, `Sforce-Limit-Info` recorded after (answers and errors alike), errors mapped, and
 * retries decided by the one pure `decideRetry` with the injected sleep.
 */
export class SalesforceClient {
  private tokenLoaded = false;

  constructor(private readonly deps: ClientDeps) {}

  async request<T>(request: HttpRequest, options: { responseType?: string } = {}): Promise<ApiResponse<T>> {
    const { conn, budget } = this.deps;
    const metered = !UNMETERED.test(request.url);
    for (let attempt = 1; ; attempt += 1) {
      if (metered) budget.beforeCall();
      if (!this.tokenLoaded) {
        conn.accessToken = await this.deps.accessToken();
        this.tokenLoaded = true;
      }
      let seen: HttpResponse | undefined;
      const base = conn._transport;
      // jsforce's request() returns only the body; this per-call transport shows us the status and
      // headers too (Sforce-Locator for Bulk 2.0 results, the status jsforce's errors leave out).
      const transport = {
        httpRequest: (req: HttpRequest, opts?: HttpRequestOptions) => {
          const pending = base.httpRequest(req, opts);
          void pending.then(
            (res) => {
              seen = res;
            },
            () => undefined,
          );
          return pending;
        },
      };
      try {
        // jsforce retries GET/PUT/DELETE on 5xx and network errors by itself, 0.5–8 s apart, and
        // never PATCH/POST (node20-stack §3b): turned off so one policy decides for every call.
        const body = await conn.request<T>(
          { ...request, headers: { ...request.headers } },
          { retry: { maxRetries: 0 }, transport, ...options },
        );
        if (metered) budget.observe(limitInfoOf(seen));
        return { body, status: seen?.statusCode ?? 0, headers: seen?.headers ?? {} };
      } catch (raw) {
        if (metered) budget.observe(limitInfoOf(seen));
        const error = mapSalesforceError(raw, seen?.statusCode);
        if (error.code === 'quota_exhausted') budget.markExhausted();
        const decision = decideRetry(
          error,
          attempt,
          this.deps.rng,
          this.deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
        );
        this.deps.onRetry?.({ url: request.url, attempt, error, waitMs: decision.waitMs });
        if (!decision.retry) throw error;
        if (error.code === 'unauthorized') this.tokenLoaded = false;
        if (decision.waitMs > 0) await this.deps.sleep(decision.waitMs);
      }
    }
  }

  async get<T>(url: string, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>(headers === undefined ? { method: 'GET', url } : { method: 'GET', url, headers });
  }

  async send<T>(method: 'POST' | 'PATCH', url: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>({
      method,
      url,
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
  }
}
