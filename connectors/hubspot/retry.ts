import { backoffCeiling, giveUp, type RetryDecision, type RetryPolicy } from '../retry.ts';
import type { ConnectorError } from '../types.ts';

export type { RetryDecision, RetryPolicy } from '../retry.ts';

/**
 * Enough attempts to ride out a 429 storm of a whole 10-second window twice over and a few
 * seconds of 5xx; the SDK's own retry is off (node20-stack §3a), so this is the only one.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseMs: 250, capMs: 15_000 };

/**
 * Pure: whether to retry after `error` on attempt `attempt` (1 = the first call failed), and how
 * long to wait. Equal jitter for backoff (`rng` in [0, 1)), the server's wait for rate limits.
 */
export function decideRetry(
  error: ConnectorError,
  attempt: number,
  rng: () => number = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryDecision {
  const no = giveUp;
  if (attempt >= policy.maxAttempts) return no(`gave up after ${attempt} attempts (${error.code})`);
  // Equal jitter: half the ceiling fixed, half random.
  const backoff = (): number => {
    const ceiling = backoffCeiling(attempt, policy);
    return Math.round(ceiling / 2 + (rng() * ceiling) / 2);
  };
  switch (error.code) {
    case 'rate_limited': {
      // Wait what HubSpot says (or the rest of its 10 s window), plus a little jitter so many
      // workers of one portal do not return in the same millisecond.
      const wait = error.details.retryAfterMs ?? 10_000;
      return { retry: true, reason: 'rate limited', waitMs: wait + Math.round(rng() * 250) };
    }
    case 'locked':
      // "Locks will last for 2 seconds" (hubspot.md §3.4).
      return { retry: true, reason: 'locked', waitMs: (error.details.retryAfterMs ?? 2_000) + backoff() };
    case 'unavailable':
      return {
        retry: true,
        reason: 'unavailable',
        waitMs: Math.max(error.details.retryAfterMs ?? 0, backoff()),
      };
    case 'unauthorized':
      return no('unauthorized: the app refreshes the token and calls again');
    case 'quota_exhausted':
      return no('daily quota exhausted');
    case 'invalid_request':
    case 'forbidden':
    case 'not_found':
    case 'conflict':
    case 'unknown':
      return no(`${error.code} is not retryable`);
  }
}
