export interface RetryOptions {
  /** delay before the first retry, before jitter */
  baseMs: number;
  /** ceiling of the un-jittered delay */
  capMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { baseMs: 1_000, capMs: 60 * 60_000 };

/**
 * Delay before retry number `attempt` (1 = first retry): exponential (base·2^(attempt-1), capped) with
 * "equal jitter": half fixed, half random. The fixed half keeps the delay growing with every failure;
 * the random half spreads out the retries of jobs that failed together (a CRM outage, a 429 storm).
 * `rng` returns values in [0, 1), like Math.random; pass a seeded one in tests.
 */
export function nextRetryDelay(
  attempt: number,
  rng: () => number,
  options: RetryOptions = DEFAULT_RETRY,
): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError('attempt must be an integer ≥ 1');
  const r = rng();
  if (!(r >= 0 && r < 1)) throw new RangeError('rng must return a number in [0, 1)');
  // 2^(attempt-1) overflows to Infinity for huge attempts; Math.min against the cap handles it.
  const exp = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
  return Math.floor(exp / 2 + r * (exp / 2));
}
