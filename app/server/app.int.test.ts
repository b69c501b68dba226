import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../kit/http/index.ts';
import { bearer, call, startHarness } from './testing.ts';
import type { Harness } from './testing.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: { LEADGATE_MAX_BODY: '1kb' } });
});
afterEach(async () => {
  await h.close();
});

/** Every error body is exactly { error: { code, message, requestId } } with the catalogue's status. */
function expectErrorShape(
  res: { status: number; body: unknown; headers: Headers },
  code: keyof typeof ERROR_CATALOGUE,
): void {
  expect(res.status).toBe(ERROR_CATALOGUE[code].status);
  expect(res.body).toEqual({
    error: { code, message: expect.any(String) as unknown, requestId: res.headers.get('x-request-id') },
  });
}

describe('health', () => {
  it('answers 200 on /healthz when the process is up', async () => {
    const res = await call(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers 200 on /readyz when the store answers and migrations are done', async () => {
    expect((await call(`${h.url}/readyz`)).status).toBe(200);
  });

  it('answers 503 unavailable on /readyz when the store is unreachable, without the driver error', async () => {
    h.store.reachable = false;
    const res = await call(`${h.url}/readyz`);
    expectErrorShape(res, 'unavailable');
    expect(res.text).not.toContain('ECONNREFUSED');
  });

  it('logs an unready store as a warning, not as an error with a stack', async () => {
    h.store.reachable = false;
    await call(`${h.url}/readyz`);
    const levels = h.logLines().map((l) => `${String(l.level)} ${String(l.message)}`);
    expect(levels).toEqual(['warn readiness check failed', 'info request']);
  });

  it('answers 503 unavailable on /readyz while migrations are pending', async () => {
    h.store.pendingMigrations = ['002_scores'];
    expectErrorShape(await call(`${h.url}/readyz`), 'unavailable');
  });
});

describe('metrics', () => {
  it('exposes the request histogram by route template, method and status', async () => {
    await call(`${h.url}/healthz`);
    await call(`${h.url}/api/v1/tenants/t1`);
    const res = await call(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain(
      'http_request_duration_seconds_count{route="/healthz",method="GET",status="200"} 1',
    );
    expect(res.text).toContain(
      'http_request_duration_seconds_count{route="unmatched",method="GET",status="401"} 1',
    );
  });

  it('exposes the job and score metrics the worker updates', async () => {
    h.metrics.scoresWritten.inc({ crm: 'hubspot' }, 3);
    h.metrics.jobs.set({ type: 'backfill', state: 'queued' }, 2);
    h.metrics.jobDuration.observe({ type: 'backfill', outcome: 'done' }, 1.5);
    const { text } = await call(`${h.url}/metrics`);
    expect(text).toContain('leadgate_scores_written_total{crm="hubspot"} 3');
    expect(text).toContain('leadgate_jobs{type="backfill",state="queued"} 2');
    expect(text).toContain('leadgate_job_duration_seconds_count{type="backfill",outcome="done"} 1');
  });
});

describe('request id', () => {
  it('echoes a sane X-Request-Id', async () => {
    const res = await call(`${h.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it('replaces an X-Request-Id that is not sane with a generated one', async () => {
    const res = await call(`${h.url}/nowhere`, { headers: { 'x-request-id': 'a b<script>' } });
    const id = res.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toMatchObject({ error: { requestId: id } });
  });
});

describe('errors in the catalogue shape', () => {
  it('answers 404 not_found for an unknown route', async () => {
    expectErrorShape(await call(`${h.url}/nowhere`), 'not_found');
  });

  it('answers 404 not_found for a known path with another method', async () => {
    expectErrorShape(await call(`${h.url}/healthz`, { method: 'DELETE' }), 'not_found');
  });

  it('answers 400 invalid_json for a malformed JSON body', async () => {
    const key = await h.issueKey('t1', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/t1/policy`, {
      method: 'PUT',
      headers: bearer(key, { 'content-type': 'application/json' }),
      body: '{"tiers": ',
    });
    expectErrorShape(res, 'invalid_json');
    expect(res.text).not.toMatch(/SyntaxError|at JSON\.parse|\.ts:/);
  });

  it('answers 413 payload_too_large for a body over LEADGATE_MAX_BODY', async () => {
    const key = await h.issueKey('t1', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/t1/policy`, {
      method: 'PUT',
      headers: bearer(key, { 'content-type': 'application/json' }),
      body: JSON.stringify({ pad: 'x'.repeat(2048) }),
    });
    expectErrorShape(res, 'payload_too_large');
  });

  it('answers 415 unsupported_media_type for an unsupported body encoding', async () => {
    const key = await h.issueKey('t1', 'admin');
    const res = await call(`${h.url}/api/v1/tenants/t1/policy`, {
      method: 'PUT',
      headers: bearer(key, { 'content-type': 'application/json', 'content-encoding': 'br-unknown' }),
      body: '{}',
    });
    expectErrorShape(res, 'unsupported_media_type');
  });

  it('answers 401 before reading the body when the key is missing', async () => {
    const res = await call(`${h.url}/api/v1/tenants/t1/policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"tiers": ',
    });
    expectErrorShape(res, 'unauthorized');
  });

  it('answers 400 bad_request for a path with broken percent-encoding', async () => {
    const key = await h.issueKey('t1', 'viewer');
    const res = await call(`${h.url}/api/v1/tenants/%E0%A4%A`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expectErrorShape(res, 'bad_request');
  });
});
