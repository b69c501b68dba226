import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey, parseApiKey } from '../kit/auth/index.ts';
import { DEFAULT_POLICY } from '../../scoring/index.ts';
import { bearer, call, startHarness } from '../server/testing.ts';
import type { Harness } from '../server/testing.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const POLICY = {
  version: 'q4-2026',
  tiers: { A: 0.7, B: 0.4, C: 0.15 },
  routes: { A: 'ae', B: 'sdr', C: 'nurture', D: 'nurture' },
  reviewBand: 0.03,
  lowConfidence: 'review',
  withoutConsent: 'none',
};

function put(url: string, key: string, body: unknown): ReturnType<typeof call> {
  return call(url, {
    method: 'PUT',
    headers: bearer(key, { 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });
}

describe('authentication', () => {
  it('answers 401 unauthorized when the key is missing', async () => {
    await h.issueKey('t1', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/t1`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('answers 401 unauthorized when the secret is wrong', async () => {
    const key = await h.issueKey('t1', 'admin');
    const parsed = parseApiKey(key);
    const wrong = `lg_${parsed?.keyId ?? ''}_${'0'.repeat(64)}`;
    const res = await call(`${h.url}/api/v1/tenants/t1`, { headers: bearer(wrong) });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it.each([
    ['a malformed key', 'Bearer not-a-key'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 unauthorized for %s', async (_what, authorization) => {
    const res = await call(`${h.url}/api/v1/tenants/t1`, { headers: { authorization } });
    expect(res.status).toBe(401);
  });

  it('answers 401 unauthorized when the key is revoked', async () => {
    const key = await h.issueKey('t1', 'admin');
    for (const record of h.store.keys.values()) record.revokedAt = 1;
    expect((await call(`${h.url}/api/v1/tenants/t1`, { headers: bearer(key) })).status).toBe(401);
  });

  it('stores only the hash of a key', async () => {
    const key = await h.issueKey('t1', 'admin');
    const stored = JSON.stringify([...h.store.keys.values()]);
    expect(stored).not.toContain(parseApiKey(key)?.secret);
    expect(stored).toContain(hashApiKey(key));
  });
});

describe('tenant isolation', () => {
  it('answers 404 not_found when a key of tenant A reads tenant B', async () => {
    const keyA = await h.issueKey('tA', 'admin');
    await h.issueKey('tB', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/tB`, { headers: bearer(keyA) });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers the same 404 for an existing and a non-existing other tenant', async () => {
    const keyA = await h.issueKey('tA', 'admin');
    await h.issueKey('tB', 'admin');
    const existing = await call(`${h.url}/api/v1/tenants/tB/policy`, { headers: bearer(keyA) });
    const missing = await call(`${h.url}/api/v1/tenants/tZ/policy`, { headers: bearer(keyA) });
    expect([existing.status, missing.status]).toEqual([404, 404]);
    expect((existing.body as { error: { message: string } }).error.message).toBe(
      (missing.body as { error: { message: string } }).error.message,
    );
  });

  it('answers 404 not_found, not 403, when a viewer of tenant A writes the policy of tenant B', async () => {
    const viewerA = await h.issueKey('tA', 'viewer');
    await h.issueKey('tB', 'admin');
    expect((await put(`${h.url}/api/v1/tenants/tB/policy`, viewerA, POLICY)).status).toBe(404);
  });
});

describe('roles', () => {
  it('lets a viewer read its tenant', async () => {
    const key = await h.issueKey('t1', 'viewer');
    const res = await call(`${h.url}/api/v1/tenants/t1`, { headers: bearer(key) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 't1', crm: 'hubspot', name: 'Tenant t1' });
  });

  it('gives the default policy, version 0, before any is set', async () => {
    const key = await h.issueKey('t1', 'viewer');
    const res = await call(`${h.url}/api/v1/tenants/t1/policy`, { headers: bearer(key) });
    expect(res.body).toEqual({ version: 0, isDefault: true, policy: DEFAULT_POLICY });
  });

  it('answers 403 forbidden when a viewer changes the policy', async () => {
    const key = await h.issueKey('t1', 'viewer');
    const res = await put(`${h.url}/api/v1/tenants/t1/policy`, key, POLICY);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
    expect(h.audit).toEqual([]);
  });

  it('answers 403 forbidden when an analyst creates an API key', async () => {
    const key = await h.issueKey('t1', 'analyst');
    const res = await call(`${h.url}/api/v1/tenants/t1/api-keys`, {
      method: 'POST',
      headers: bearer(key, { 'content-type': 'application/json' }),
      body: JSON.stringify({ role: 'viewer', label: 'x' }),
    });
    expect(res.status).toBe(403);
  });
});

describe('PUT policy', () => {
  it('saves a new version and records it in the audit trail when an admin sends a valid policy', async () => {
    const key = await h.issueKey('t1', 'admin');
    const res = await put(`${h.url}/api/v1/tenants/t1/policy`, key, POLICY);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ version: 1, isDefault: false, policy: POLICY });
    const read = await call(`${h.url}/api/v1/tenants/t1/policy`, { headers: bearer(key) });
    expect(read.body).toMatchObject({ version: 1, policy: POLICY });
    expect(h.audit).toEqual([
      {
        tenantId: 't1',
        actor: `apikey:${parseApiKey(key)?.keyId ?? ''}`,
        action: 'policy.update',
        subject: 'policy:1',
        details: { version: 1, policy: POLICY },
        at: expect.any(Number) as unknown,
      },
    ]);
  });

  it.each([
    ['a tier out of range', { ...POLICY, tiers: { A: 1.5, B: 0.4, C: 0.1 } }, 'policy.tiers.A must be < 1'],
    ['a missing field', { ...POLICY, reviewBand: undefined }, 'policy is missing "reviewBand"'],
    ['an unknown field', { ...POLICY, extra: true }, 'policy has unknown property "extra"'],
    ['an unknown route', { ...POLICY, routes: { ...POLICY.routes, D: 'bin' } }, 'policy.routes.D'],
    [
      'cut-offs out of order',
      { ...POLICY, tiers: { A: 0.2, B: 0.4, C: 0.1 } },
      'policy.tiers.B (0.4) must be below policy.tiers.A (0.2)',
    ],
    ['an array', [], 'policy must be object'],
  ])('answers 400 validation_failed naming the field for %s', async (_what, body, fragment) => {
    const key = await h.issueKey('t1', 'admin');
    const res = await put(`${h.url}/api/v1/tenants/t1/policy`, key, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((res.body as { error: { message: string } }).error.message).toContain(fragment);
    expect(h.audit).toEqual([]);
  });

  it('answers 415 unsupported_media_type for a body that is not JSON', async () => {
    const key = await h.issueKey('t1', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/t1/policy`, {
      method: 'PUT',
      headers: bearer(key, { 'content-type': 'text/plain' }),
      body: 'tiers=1',
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });
});

describe('POST api-keys', () => {
  it('returns a new key once, which then authenticates with its role', async () => {
    const admin = await h.issueKey('t1', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/t1/api-keys`, {
      method: 'POST',
      headers: bearer(admin, { 'content-type': 'application/json' }),
      body: JSON.stringify({ role: 'viewer', label: 'dashboard' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = res.body as { id: string; key: string; role: string };
    expect(created.role).toBe('viewer');
    expect(parseApiKey(created.key)?.keyId).toBe(created.id);
    expect((await call(`${h.url}/api/v1/tenants/t1`, { headers: bearer(created.key) })).status).toBe(200);
    expect((await put(`${h.url}/api/v1/tenants/t1/policy`, created.key, POLICY)).status).toBe(403);
    expect(h.audit.map((e) => e.action)).toEqual(['api_key.create']);
    expect(JSON.stringify(h.audit)).not.toContain(created.key);
  });

  it('answers 400 validation_failed for an unknown role', async () => {
    const admin = await h.issueKey('t1', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/t1/api-keys`, {
      method: 'POST',
      headers: bearer(admin, { 'content-type': 'application/json' }),
      body: JSON.stringify({ role: 'owner', label: 'x' }),
    });
    expect(res.status).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toContain('body.role');
  });
});
