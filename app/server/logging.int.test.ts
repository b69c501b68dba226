import { request } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, call, startHarness } from './testing.ts';
import type { Harness } from './testing.ts';

/**
 * Reads the real winston output (stream transport) written while serving requests whose headers,
 * bodies and upstream errors carry tokens and personal data, and checks none of it reached the log.
 */
const EMAIL = 'ann.lee@example.com';
const HUBSPOT_TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const SALESFORCE_SID = '00D5g000004ABCD!AQ0AQH8xSecretSessionPart';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXNlY3JldA';
const LAST_NAME = 'Zyxwvutson';
const SECRETS = [EMAIL, HUBSPOT_TOKEN, 'AQ0AQH8xSecret', JWT, LAST_NAME, 'c2lnbmF0dXJl'];

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function linesOf(requestId: string): Record<string, unknown>[] {
  return h.logLines().filter((line) => line.requestId === requestId);
}

describe('request logging', () => {
  it('logs one access line per request with the request id, route template and status', async () => {
    await call(`${h.url}/healthz`, { headers: { 'x-request-id': 'req-access' } });
    expect(linesOf('req-access')).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'request',
        method: 'GET',
        route: '/healthz',
        status: 200,
      }),
    ]);
  });

  it('keeps the request id on lines logged after the body was parsed and after awaits', async () => {
    const key = await h.issueKey('t1', 'admin');
    h.store.failure = new Error('database is gone');
    await call(`${h.url}/api/v1/tenants/t1/policy`, {
      method: 'PUT',
      headers: bearer(key, { 'content-type': 'application/json', 'x-request-id': 'req-body' }),
      body: JSON.stringify({
        version: 'v1',
        tiers: { A: 0.7, B: 0.4, C: 0.1 },
        routes: { A: 'ae', B: 'sdr', C: 'nurture', D: 'nurture' },
        reviewBand: 0.02,
        lowConfidence: 'review',
        withoutConsent: 'rules',
      }),
    });
    const lines = linesOf('req-body');
    expect(lines.map((l) => l.message)).toEqual(['request failed', 'request']);
    expect(h.logLines().filter((l) => l.requestId === undefined)).toEqual([]);
  });
});

/** Sends the body in two writes with event-loop turns between, so it arrives in separate socket reads. */
function putInTwoParts(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    void (async () => {
      for (let i = 0; i < 5; i += 1) await nextTurn();
      req.end(body.slice(half));
    })();
  });
}

describe('request id across a body that arrives in pieces', () => {
  it('keeps the request id on lines logged by the handler', async () => {
    const key = await h.issueKey('t1', 'admin');
    h.store.failure = new Error('database is gone');
    const policy = JSON.stringify({
      version: 'v1',
      tiers: { A: 0.7, B: 0.4, C: 0.1 },
      routes: { A: 'ae', B: 'sdr', C: 'nurture', D: 'nurture' },
      reviewBand: 0.02,
      lowConfidence: 'review',
      withoutConsent: 'rules',
    });
    // Whitespace is valid JSON and makes the body span many TCP segments.
    const body = `${' '.repeat(200_000)}${policy}`;
    const status = await putInTwoParts(
      `${h.url}/api/v1/tenants/t1/policy`,
      bearer(key, { 'content-type': 'application/json', 'x-request-id': 'req-split' }),
      body,
    );
    expect(status).toBe(500);
    expect(linesOf('req-split').map((l) => l.message)).toEqual(['request failed', 'request']);
  });
});

describe('redaction in the real log output', () => {
  it('leaves no token, email or name in the log when requests and upstream errors carry them', async () => {
    const key = await h.issueKey('t1', 'admin');
    // An upstream error echoing a CRM response body, the way SDK errors do.
    const upstream = Object.assign(
      new Error(`HubSpot said 401 for ${EMAIL} with Bearer ${HUBSPOT_TOKEN}; sid ${SALESFORCE_SID}`),
      {
        body: {
          email: EMAIL,
          lastname: LAST_NAME,
          access_token: JWT,
          nested: [{ firstname: 'Ann', phone: '+1 555' }],
        },
        headers: { authorization: `Bearer ${JWT}` },
      },
    );
    h.store.failure = upstream;
    const failed = await call(`${h.url}/api/v1/tenants/t1`, {
      headers: bearer(key, { 'x-request-id': 'req-1' }),
    });
    expect(failed.status).toBe(500);
    expect(failed.text).not.toContain('HubSpot said');

    // Secrets in places the server does not log on purpose: a rejected key, a malformed body, a query.
    await call(`${h.url}/api/v1/tenants/t1?email=${encodeURIComponent(EMAIL)}`, {
      headers: { authorization: `Bearer ${JWT}` },
    });
    await call(`${h.url}/api/v1/tenants/t1/policy`, {
      method: 'PUT',
      headers: bearer(key, { 'content-type': 'application/json' }),
      body: `{"email": "${EMAIL}", "token": "${HUBSPOT_TOKEN}"`,
    });

    const text = h.logText();
    expect(text).toContain('request failed');
    expect(text).toContain('[REDACTED]');
    expect(linesOf('req-1').map((l) => l.message)).toEqual(['request failed', 'request']);
    for (const secret of [...SECRETS, key]) expect(text).not.toContain(secret);
  });
});
