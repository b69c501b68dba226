import type { TenantStatus } from '../app/pipeline/index.ts';

const STATUS_TIMEOUT_MS = 5_000;

/**
 * GET /api/v1/status as an SDR's tooling would call it: over HTTP, with the admin key. Every tenant
 * the key sees: its own, then those it was granted (the demo's Salesforce org).
 */
export async function fetchStatuses(baseUrl: string, apiKey: string): Promise<TenantStatus[]> {
  // Bounded: one stuck request must not stall the wait for `live` (the caller polls again).
  const res = await fetch(`${baseUrl}/api/v1/status`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(STATUS_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`GET /api/v1/status answered ${res.status}`);
  const body = (await res.json()) as { tenants: TenantStatus[] };
  return body.tenants;
}
