import { backoffCeiling, giveUp, type RetryDecision, type RetryPolicy } from '../retry.ts';
import type { ConnectorError } from '../types.ts';

export type { RetryDecision, RetryPolicy } from '../retry.ts';

// Salesforce sends no Retry-After (salesforce.md §4), so the wait is ours: exponential with full
// jitter, starting near jsforce's own 0.5 s and capped well below a job's patience.
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseMs: 500, capMs: 30_000 };

/**
 * Whether to retry a failed call, why, and how long to wait first. Pure: `attempt` is the number
 * of the attempt that just failed (1 for the first), `rng` returns [0, 1).
 */
export function decideRetry(
  error: ConnectorError,
  attempt: number,
  rng: () => number = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryDecision {
  // Full jitter: anywhere below the exponential ceiling.
  const backoff = (): number => Math.floor(rng() * backoffCeiling(attempt, policy));
  const no = giveUp;
  switch (error.code) {
    case 'unauthorized':
      // One retry with a freshly fetched token; a second 401 means the grant itself is gone.
      return attempt === 1
        ? { retry: true, reason: 'session expired: retry once with a fresh token', waitMs: 0 }
        : no('session still invalid after a fresh token: re-authorise');
    case 'unavailable':
    case 'locked':
    case 'rate_limited': {
      if (attempt >= policy.maxAttempts) return no(`${error.code}: gave up after ${attempt} attempts`);
      const hinted = error.details.retryAfterMs;
      const waitMs = hinted !== undefined ? Math.min(hinted, policy.capMs) : backoff();
      return { retry: true, reason: `${error.code}: attempt ${attempt} failed, backing off`, waitMs };
    }
    case 'quota_exhausted':
      return no('daily API allocation spent: stop until it resets');
    case 'forbidden':
    case 'not_found':
    case 'invalid_request':
    case 'conflict':
    case 'unknown':
      return no(`${error.code}: retrying unchanged cannot help`);
  }
}
