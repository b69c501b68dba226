/**
 * What every connector's pure `decideRetry` shares. The decisions themselves stay per CRM, because
 * the vendors differ (HubSpot locks for 2 s and sends Retry-After on 429; Salesforce sends no
 * Retry-After and a 401 deserves one retry with a fresh session).
 */
export interface RetryDecision {
  retry: boolean;
  reason: string;
  waitMs: number;
}

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

/** The exponential ceiling for the attempt that just failed (1 = first): base·2^(attempt−1), capped. */
export function backoffCeiling(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

export function giveUp(reason: string): RetryDecision {
  return { retry: false, reason, waitMs: 0 };
}
