import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, hashesEqual, parseApiKey } from './api-key.ts';
import { authenticate, authorize, keyFromAuthorization } from './authenticate.ts';
import type { Principal } from './authenticate.ts';
import { InMemoryAuthStore } from './memory-repository.ts';
import { roleAtLeast } from './roles.ts';
import type { Role } from './roles.ts';

describe('API keys', () => {
  it('generates lg_<16 hex id>_<64 hex secret> keys that parse back', () => {
    const key = generateApiKey();
    expect(key.key).toMatch(/^lg_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(parseApiKey(key.key)).toEqual({ keyId: key.keyId, secret: key.secret });
    expect(key.keyHash).toBe(hashApiKey(key.key));
  });

  it.each([
    '',
    'lg_',
    'lg_abc_def',
    `lg_${'a'.repeat(16)}_${'g'.repeat(64)}`,
    `xx_${'a'.repeat(16)}_${'b'.repeat(64)}`,
  ])('refuses the malformed key %j', (text) => {
    expect(parseApiKey(text)).toBeNull();
  });

  it('compares digests of different lengths as unequal without throwing', () => {
    expect(hashesEqual('abc', 'abcd')).toBe(false);
    expect(hashesEqual('abc', 'abc')).toBe(true);
  });
});

describe('keyFromAuthorization', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer lg_x_y', 'lg_x_y'],
    ['bearer   lg_x_y ', 'lg_x_y'],
    ['Basic abc', null],
    ['Bearer a b', null],
  ])('reads %j as %j', (header, expected) => {
    expect(keyFromAuthorization(header)).toBe(expected);
  });
});

describe('authenticate', () => {
  async function storeWith(role: Role): Promise<{ store: InMemoryAuthStore; key: string; keyId: string }> {
    const store = new InMemoryAuthStore();
    const key = generateApiKey();
    await store.putApiKey({
      tenantId: 't1',
      id: key.keyId,
      keyHash: key.keyHash,
      role,
      label: 'l',
      createdAt: 0,
      revokedAt: null,
    });
    return { store, key: key.key, keyId: key.keyId };
  }

  it('returns the principal of a valid key', async () => {
    const { store, key, keyId } = await storeWith('analyst');
    expect(await authenticate(store, `Bearer ${key}`)).toEqual({
      ok: true,
      principal: { tenantId: 't1', keyId, role: 'analyst' },
    });
  });

  it.each([
    ['missing', undefined],
    ['malformed', 'Bearer nope'],
    ['unknown', `Bearer lg_${'0'.repeat(16)}_${'0'.repeat(64)}`],
  ])('refuses a %s key', async (reason, header) => {
    const { store } = await storeWith('admin');
    expect(await authenticate(store, header)).toEqual({ ok: false, reason });
  });

  it('refuses a known secret presented under another key id', async () => {
    const { store, key } = await storeWith('admin');
    const secret = parseApiKey(key)?.secret ?? '';
    expect(await authenticate(store, `Bearer lg_${'f'.repeat(16)}_${secret}`)).toEqual({
      ok: false,
      reason: 'unknown',
    });
  });
});

describe('authorize', () => {
  const principal = (role: Role): Principal => ({ tenantId: 'tA', keyId: 'k', role });

  it.each([
    ['viewer', 'viewer', 'allow'],
    ['viewer', 'analyst', 'forbidden'],
    ['viewer', 'admin', 'forbidden'],
    ['analyst', 'viewer', 'allow'],
    ['analyst', 'admin', 'forbidden'],
    ['admin', 'admin', 'allow'],
  ] as const)('gives a %s asking for %s on its own tenant: %s', (have, need, decision) => {
    expect(authorize(principal(have), 'tA', need)).toBe(decision);
  });

  it.each(['viewer', 'analyst', 'admin'] as const)(
    'gives a %s not_found on another tenant, whatever the role needed',
    (role) => {
      expect(authorize(principal(role), 'tB', 'viewer')).toBe('not_found');
      expect(authorize(principal(role), 'tB', 'admin')).toBe('not_found');
    },
  );

  it('orders roles admin > analyst > viewer', () => {
    expect(
      roleAtLeast('admin', 'analyst') &&
        roleAtLeast('analyst', 'viewer') &&
        !roleAtLeast('viewer', 'analyst'),
    ).toBe(true);
  });
});
