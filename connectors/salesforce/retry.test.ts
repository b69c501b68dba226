import { describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorErrorCode } from '../types.ts';
import { decideRetry, DEFAULT_RETRY_POLICY } from './retry.ts';

const err = (code: ConnectorErrorCode, retryAfterMs?: number): ConnectorError =>
  new ConnectorError(code, code, retryAfterMs === undefined ? {} : { retryAfterMs });
const half = (): number => 0.5;

// [code, attempt, retry, waitMs] with rng fixed at 0.5 and the default policy (base 500 ms, cap 30 s, 6 attempts).
const table: [ConnectorErrorCode, number, boolean, number][] = [
  ['unavailable', 1, true, 250],
  ['unavailable', 2, true, 500],
  ['unavailable', 3, true, 1000],
  ['unavailable', 5, true, 4000],
  ['unavailable', 6, false, 0],
  ['locked', 1, true, 250],
  ['locked', 6, false, 0],
  ['rate_limited', 2, true, 500],
  ['rate_limited', 6, false, 0],
  ['unauthorized', 1, true, 0],
  ['unauthorized', 2, false, 0],
  ['quota_exhausted', 1, false, 0],
  ['forbidden', 1, false, 0],
  ['not_found', 1, false, 0],
  ['invalid_request', 1, false, 0],
  ['conflict', 1, false, 0],
  ['unknown', 1, false, 0],
];

describe('decideRetry', () => {
  it.each(table)('%s on attempt %i → retry %s after %i ms', (code, attempt, retry, waitMs) => {
    const d = decideRetry(err(code), attempt, half);
    expect({ retry: d.retry, waitMs: d.waitMs }).toEqual({ retry, waitMs });
    expect(d.reason).toMatch(/\S/);
  });

  it('caps the wait', () => {
    expect(
      decideRetry(err('unavailable'), 5, () => 0.999, {
        ...DEFAULT_RETRY_POLICY,
        maxAttempts: 99,
        capMs: 3000,
      }).waitMs,
    ).toBe(2997);
  });

  it('jitters between 0 and the exponential ceiling', () => {
    expect(decideRetry(err('unavailable'), 3, () => 0).waitMs).toBe(0);
    expect(decideRetry(err('unavailable'), 3, () => 0.999).waitMs).toBe(1998);
  });

  it('honours a retry-after hint, capped', () => {
    expect(decideRetry(err('rate_limited', 1200), 1, half).waitMs).toBe(1200);
    expect(decideRetry(err('rate_limited', 10 * 60_000), 1, half).waitMs).toBe(30_000);
  });
});
