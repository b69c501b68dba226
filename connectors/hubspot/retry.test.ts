import { describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorErrorCode } from '../types.ts';
import { decideRetry, DEFAULT_RETRY_POLICY } from './retry.ts';

const err = (code: ConnectorErrorCode, retryAfterMs?: number): ConnectorError =>
  new ConnectorError(code, code, retryAfterMs === undefined ? {} : { retryAfterMs });
const zero = (): number => 0;
const one = (): number => 0.999_999;

describe('decideRetry', () => {
  it.each([
    ['invalid_request'],
    ['forbidden'],
    ['not_found'],
    ['conflict'],
    ['unauthorized'],
    ['quota_exhausted'],
    ['unknown'],
  ] as const)('never retries %s', (code) => {
    const d = decideRetry(err(code), 1, zero);
    expect(d).toMatchObject({ retry: false, waitMs: 0 });
  });

  it.each([
    [1, 125, 250],
    [2, 250, 500],
    [3, 500, 1_000],
    [10, 7_500, 15_000],
  ])('backs off exponentially with jitter on unavailable (attempt %i: %i–%i ms)', (attempt, low, high) => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 20 };
    expect(decideRetry(err('unavailable'), attempt, zero, policy)).toEqual({
      retry: true,
      reason: 'unavailable',
      waitMs: low,
    });
    expect(decideRetry(err('unavailable'), attempt, one, policy).waitMs).toBe(high);
  });

  it('waits at least a Retry-After an unavailable error carries (477)', () => {
    expect(decideRetry(err('unavailable', 5_000), 1, zero).waitMs).toBe(5_000);
  });

  it('waits retryAfter plus a little jitter when rate limited', () => {
    expect(decideRetry(err('rate_limited', 10_000), 1, zero)).toEqual({
      retry: true,
      reason: 'rate limited',
      waitMs: 10_000,
    });
    expect(decideRetry(err('rate_limited', 1_000), 3, one).waitMs).toBe(1_250);
  });

  it('waits out a 423 lock (2 s) plus backoff', () => {
    expect(decideRetry(err('locked', 2_000), 1, zero)).toEqual({
      retry: true,
      reason: 'locked',
      waitMs: 2_125,
    });
  });

  it('gives up at maxAttempts', () => {
    const d = decideRetry(err('unavailable'), DEFAULT_RETRY_POLICY.maxAttempts, zero);
    expect(d.retry).toBe(false);
    expect(d.reason).toMatch(/gave up/);
  });
});
