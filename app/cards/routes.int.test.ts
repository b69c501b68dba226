import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCardContract } from '../../cards/contract/index.ts';
import { SCORE_PATH } from '../../cards/hubspot/load-card.ts';
import { createSilentLogger } from '../kit/logging/index.ts';
import { errorHandler, notFound } from '../kit/http/index.ts';
import { openStore } from '../kit/store/index.ts';
import type { NewScore, Store } from '../kit/store/index.ts';
import { signatureV3 } from '../../connectors/hubspot/index.ts';
import { HUBSPOT_CARD_PATH, cardRoutes } from './routes.ts';
import type { CardRouteDeps } from './routes.ts';

const SECRET = 'card-test-client-secret';
const PUBLIC_URL = 'https://leadgate.example.com';
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const PORTAL = '62515';
const OTHER_PORTAL = '77777';

let dir: string;
let store: Store;
let server: ReturnType<express.Express['listen']>;
let base: string;

function score(tenantId: string, personId: string, value: number, scoredAt: number): NewScore {
  return {
    tenantId,
    personId,
    objectType: 'contact',
    modelVersion: 'm-1',
    policyVersion: 1,
    inputsHash: `h-${personId}-${scoredAt}`,
    probability: value / 100,
    score: value,
    fitScore: 60,
    engagementScore: 70,
    tier: value >= 70 ? 'A' : 'B',
    route: value >= 70 ? 'ae' : 'sdr',
    confidence: 'high',
    reasons: [{ source: 'pricing', direction: 'positive', weight: 1, text: 'Visited <pricing> & "plans"' }],
    decision: {},
    writeBack: 'written',
    scoredAt,
  };
}

function app(overrides: Partial<CardRouteDeps> = {}): express.Express {
  const a = express();
  a.set('query parser', 'simple');
  a.use(
    cardRoutes({
      store,
      clock: { now: () => NOW },
      logger: createSilentLogger(),
      publicUrl: PUBLIC_URL,
      hubspotClientSecret: SECRET,
      sandbox: true,
      ...overrides,
    }),
  );
  a.use(notFound);
  a.use(errorHandler(createSilentLogger()));
  return a;
}

/** GETs path+query as HubSpot would: signed over the public URL, at `timestamp`. */
async function signedGet(pathAndQuery: string, timestamp = NOW, secret = SECRET) {
  const signature = signatureV3(secret, 'GET', `${PUBLIC_URL}${pathAndQuery}`, '', String(timestamp));
  const res = await fetch(`${base}${pathAndQuery}`, {
    headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as unknown };
}

/**
 * What HubSpot's proxy delivers for `hubspot.fetch(url)` from a card shown in `portalId` (there is no
 * card proxy in the emulator, so the tests build its requests): the card's own query, then the
 * identity HubSpot asserts appended (ProxyMetadata userId, portalId, userEmail, hubspot.md §7.3; appId,
 * the converter's README), the whole URL signed with the client secret.
 */
function proxied(cardQuery: string, asserted: { portalId: string; userId?: string } = { portalId: PORTAL }) {
  const identity = new URLSearchParams({
    portalId: asserted.portalId,
    userId: asserted.userId ?? '9001',
    userEmail: 'sdr@acme.com',
    appId: '54321',
  });
  return `${HUBSPOT_CARD_PATH}?${cardQuery}&${identity.toString()}`;
}

/** The card's request for `objectId`, shown in `portalId`. */
const q = (portalId: string, objectId: string): string => proxied(`objectId=${objectId}`, { portalId });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-cards-'));
  store = openStore({ kind: 'sqlite', path: join(dir, 'leadgate.db') });
  await store.migrate();
  const t = await store.createTenant({ id: 't1', crm: 'hubspot', externalId: PORTAL, name: 'Acme' }, NOW);
  await store.createTenant({ id: 't2', crm: 'hubspot', externalId: OTHER_PORTAL, name: 'Other' }, NOW);
  await store.createTenant(
    { id: 't3', crm: 'hubspot', externalId: '88888', name: 'Gone', status: 'uninstalled' },
    NOW,
  );
  // 501: scored twice; 502: known, never scored; 601: a contact of the other portal.
  await store.upsertRecord(t.id, 'contact', '501', { email: 'a@acme.com' }, NOW - 10_000);
  await store.insertScore(score(t.id, '501', 55, NOW - 5_000));
  await store.insertScore(score(t.id, '501', 81, NOW - 1_000));
  await store.upsertRecord(t.id, 'contact', '502', { email: 'b@acme.com' }, NOW - 10_000);
  await store.upsertRecord('t2', 'contact', '601', { email: 'c@other.com' }, NOW - 10_000);
  await store.insertScore(score('t2', '601', 90, NOW - 1_000));
  await store.upsertRecord('t3', 'contact', '701', { email: 'd@gone.com' }, NOW - 10_000);
  // 503: scored, then opted out.
  await store.upsertRecord(t.id, 'contact', '503', { email: 'e@acme.com' }, NOW - 10_000);
  await store.insertScore(score(t.id, '503', 70, NOW - 5_000));
  await store.recordConsent({
    tenantId: t.id,
    personId: '503',
    lawfulBasis: 'none',
    optedOut: true,
    recordedAt: NOW - 2_000,
    source: 'hubspot:hs_email_optout',
  });
  server = app().listen(0, '127.0.0.1');
  await new Promise<void>((resolve) =>
    server.once('listening', () => {
      resolve();
    }),
  );
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`GET ${HUBSPOT_CARD_PATH}`, () => {
  it('is the path the card fetches', () => {
    expect(HUBSPOT_CARD_PATH).toBe(SCORE_PATH);
  });

  it('answers the scored contract for a signed request', async () => {
    const res = await signedGet(q(PORTAL, '501'));
    expect(res.status).toBe(200);
    expect(isCardContract(res.body)).toBe(true);
    expect(res.body).toMatchObject({ state: 'scored', objectId: '501', score: 81, tier: 'A' });
  });

  it('includes the history oldest first', async () => {
    const res = await signedGet(q(PORTAL, '501'));
    expect((res.body as { history: { score: number }[] }).history.map((h) => h.score)).toEqual([55, 81]);
  });

  it('forbids caching', async () => {
    const res = await signedGet(q(PORTAL, '501'));
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers not_scored for a known contact without a score', async () => {
    const res = await signedGet(q(PORTAL, '502'));
    expect([res.status, (res.body as { state: string }).state]).toEqual([200, 'not_scored']);
  });

  it('shows no score and no history for a contact who withdrew consent after being scored', async () => {
    const res = await signedGet(q(PORTAL, '503'));
    expect(res.body).toMatchObject({ state: 'not_scored', score: null, history: [] });
  });

  it('answers 401 without a signature', async () => {
    const res = await fetch(`${base}${q(PORTAL, '501')}`);
    expect(res.status).toBe(401);
    await res.text();
  });

  it('answers 401 for a signature made with another secret', async () => {
    expect((await signedGet(q(PORTAL, '501'), NOW, 'another-secret')).status).toBe(401);
  });

  it('answers 401 for a timestamp older than five minutes', async () => {
    expect((await signedGet(q(PORTAL, '501'), NOW - 5 * 60_000 - 1)).status).toBe(401);
  });

  it('answers 401 when no client secret is configured', async () => {
    const other = app({ hubspotClientSecret: null }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) =>
      other.once('listening', () => {
        resolve();
      }),
    );
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}${q(PORTAL, '501')}`;
    const res = await fetch(url);
    await res.text();
    await new Promise<void>((resolve) =>
      other.close(() => {
        resolve();
      }),
    );
    expect(res.status).toBe(401);
  });

  it('answers the same 404 for a contact of another portal, an unknown contact and an unknown portal', async () => {
    const answers = await Promise.all([
      signedGet(q(PORTAL, '601')),
      signedGet(q(PORTAL, '999')),
      signedGet(q('12345', '501')),
    ]);
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404]);
    const bodies = answers.map((a) => {
      const { error } = a.body as { error: { code: string; message: string } };
      return [error.code, error.message];
    });
    expect(new Set(bodies.map((b) => b.join('|'))).size).toBe(1);
  });

  it('answers 404 for an uninstalled tenant', async () => {
    expect((await signedGet(q('88888', '701'))).status).toBe(404);
  });

  it('accepts portalId twice when both values agree (the card naming its own portal)', async () => {
    const res = await signedGet(proxied(`objectId=501&portalId=${PORTAL}`));
    expect(res.status).toBe(200);
  });

  it('answers 400 for a non-numeric objectId', async () => {
    expect((await signedGet(q(PORTAL, 'abc'))).status).toBe(400);
  });
});

/**
 * Issue 14 item 3: the signature proves the request passed HubSpot's proxy, not who chose the query.
 * The tenant is the portal the proxy asserts; a card naming another, or a request without the
 * proxy's identity, is refused.
 */
describe(`GET ${HUBSPOT_CARD_PATH}: the portal HubSpot asserts`, () => {
  const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

  it('refuses with 403 a card request naming another portal than the proxy asserted', async () => {
    // A user of OTHER_PORTAL asks for PORTAL's contact: the proxy appends OTHER_PORTAL.
    const res = await signedGet(proxied(`objectId=501&portalId=${PORTAL}`, { portalId: OTHER_PORTAL }));
    expect(res.status).toBe(403);
    expect(errorOf(res.body)).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('portalId') as unknown,
    });
  });

  it('refuses with 403 a card request naming another user than the proxy asserted', async () => {
    const res = await signedGet(proxied('objectId=501&userId=1'));
    expect([res.status, errorOf(res.body).code]).toEqual([403, 'forbidden']);
    expect(errorOf(res.body).message).toContain('userId');
  });

  it('refuses with 401 a signed request with no proxy-asserted portal', async () => {
    const res = await signedGet(`${HUBSPOT_CARD_PATH}?objectId=501`);
    expect(res.status).toBe(401);
    expect(errorOf(res.body)).toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining("HubSpot's proxy") as unknown,
    });
  });

  it('refuses with 401 a portalId that comes without the rest of the proxy identity (no userId)', async () => {
    const res = await signedGet(`${HUBSPOT_CARD_PATH}?portalId=${PORTAL}&objectId=501`);
    expect([res.status, errorOf(res.body).code]).toEqual([401, 'unauthorized']);
  });

  it("answers from the proxy's portal when the card names none", async () => {
    const res = await signedGet(proxied('objectId=601', { portalId: OTHER_PORTAL }));
    expect(res.body).toMatchObject({ state: 'scored', objectId: '601', score: 90 });
  });
});

describe('GET /sandbox/contacts/:id', () => {
  it('renders the scored card as HTML with every stored text escaped', async () => {
    const res = await fetch(`${base}/sandbox/contacts/501?portalId=${PORTAL}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('Visited &lt;pricing&gt; &amp; &quot;plans&quot;');
    expect(html).not.toContain('<pricing>');
  });

  it('runs no script (content security policy)', async () => {
    const res = await fetch(`${base}/sandbox/contacts/501?portalId=${PORTAL}`);
    await res.text();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers 404 with the not-found page for a contact of another portal', async () => {
    const res = await fetch(`${base}/sandbox/contacts/601?portalId=${PORTAL}`);
    const html = await res.text();
    expect(res.status).toBe(404);
    expect(html).toContain('data-state="not_found"');
  });

  it('is not served outside sandbox mode', async () => {
    const other = app({ sandbox: false }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) =>
      other.once('listening', () => {
        resolve();
      }),
    );
    const res = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/sandbox/contacts/501`);
    const body = await res.text();
    await new Promise<void>((resolve) =>
      other.close(() => {
        resolve();
      }),
    );
    expect([res.status, body]).toEqual([404, expect.stringContaining('"not_found"')]);
  });
});

describe('createApp', () => {
  it('serves the card routes when the card router is given', async () => {
    const { createApp } = await import('../server/app.ts');
    const { createMetrics } = await import('../kit/http/metrics.ts');
    const { FakeAppStore } = await import('../server/testing.ts');
    const mounted = createApp({
      logger: createSilentLogger(),
      store: new FakeAppStore(),
      metrics: createMetrics(),
      routers: [
        cardRoutes({
          store,
          clock: { now: () => NOW },
          logger: createSilentLogger(),
          publicUrl: PUBLIC_URL,
          hubspotClientSecret: SECRET,
          sandbox: false,
        }),
      ],
    }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) =>
      mounted.once('listening', () => {
        resolve();
      }),
    );
    const res = await fetch(`http://127.0.0.1:${(mounted.address() as AddressInfo).port}${q(PORTAL, '501')}`);
    const body = (await res.json()) as { error: { code: string } };
    await new Promise<void>((resolve) =>
      mounted.close(() => {
        resolve();
      }),
    );
    // 401 from the signature check, not the 404 of an unmounted route.
    expect([res.status, body.error.code]).toEqual([401, 'unauthorized']);
  });
});
