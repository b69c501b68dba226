import { describe, expect, it } from 'vitest';
import { decideMetricsAccess, isLoopbackAddress, isLoopbackHost } from './metrics-access.ts';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '[::1]'])(
    'takes %s as loopback',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(true);
    },
  );

  it.each(['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '::', '0.0.0.0', '128.0.0.1', 'localhost', ''])(
    'takes %s as another address',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );

  it('takes an unknown peer (a socket already closed) as not loopback', () => {
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it('knows which HOST values bind loopback only', () => {
    expect(['127.0.0.1', 'localhost', 'LOCALHOST', '::1'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '192.0.2.2', 'leadgate.internal'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('decideMetricsAccess', () => {
  const token = 'a-metrics-token-of-some-length';
  const remote = { remoteAddress: '192.0.2.7', proxied: false };

  it('serves loopback, asks others for the token, hides from others when there is none', () => {
    const local = { remoteAddress: '::ffff:127.0.0.1', proxied: false, authorization: undefined };
    expect(decideMetricsAccess(local, { host: '0.0.0.0', token: null })).toBe('serve');
    expect(decideMetricsAccess({ ...local, proxied: true }, { host: '127.0.0.1', token: null })).toBe(
      'hidden',
    );
    expect(decideMetricsAccess({ ...remote, authorization: undefined }, { host: '0.0.0.0', token })).toBe(
      'unauthorized',
    );
    expect(
      decideMetricsAccess({ ...remote, authorization: `Bearer ${token}` }, { host: '0.0.0.0', token }),
    ).toBe('serve');
    expect(
      decideMetricsAccess({ ...remote, authorization: `Bearer ${token}` }, { host: '0.0.0.0', token: null }),
    ).toBe('hidden');
  });
});
