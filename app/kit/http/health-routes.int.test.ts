import { networkInterfaces } from 'node:os';
import { PassThrough } from 'node:stream';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { errorHandler } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import type { MetricsAccess } from './health-routes.ts';
import { createMetrics } from './metrics.ts';
import { startServer } from './start-server.ts';
import type { RunningServer } from './start-server.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

interface Started {
  readonly url: string;
  readonly port: number;
  logLines(): Record<string, unknown>[];
}

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** healthRoutes alone on a real port, bound to `listen`, with the access rules of `access`. */
async function start(access: MetricsAccess, listen = '127.0.0.1'): Promise<Started> {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'debug', stream });
  const metrics = createMetrics();
  metrics.scoresWritten.inc({ crm: 'hubspot' });
  const store = {
    ping: () => Promise.resolve(),
    migrationStatus: () => Promise.resolve({ current: 1, latest: 1, pending: [] }),
  };
  const app = express();
  app.use((_req, res, next) => {
    res.locals.requestId = 'req-1';
    next();
  });
  app.use(healthRoutes({ store, metrics, logger, metricsAccess: access }));
  app.use(errorHandler(logger));
  running = await startServer(app, { port: 0, host: listen });
  return {
    url: running.url,
    port: running.port,
    logLines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

// A proxy on the same host makes every client look like loopback; it says so in these headers.
const PROXIED = { 'x-forwarded-for': '203.0.113.9' };

/** This machine's first non-loopback IPv4 address, to connect from as a genuine remote client. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

describe('/metrics access (issue 14 item 15)', () => {
  it('serves a loopback client without a token, whatever HOST is', async () => {
    for (const access of [
      { host: '127.0.0.1', token: null },
      { host: '0.0.0.0', token: null },
      { host: '0.0.0.0', token: TOKEN },
    ]) {
      const h = await start(access);
      const res = await get(`${h.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('leadgate_scores_written_total{crm="hubspot"} 1');
      await running?.close();
      running = undefined;
    }
  });

  it('asks a proxied client for the bearer token: 401 without or with a wrong one, 200 with it', async () => {
    const h = await start({ host: '0.0.0.0', token: TOKEN });
    const none = await get(`${h.url}/metrics`, PROXIED);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: { code: 'unauthorized', message: expect.any(String) as unknown, requestId: 'req-1' },
    });
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.text).not.toContain('leadgate_');
    for (const wrong of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer ',
    ]) {
      expect((await get(`${h.url}/metrics`, { ...PROXIED, authorization: wrong })).status).toBe(401);
    }
    const ok = await get(`${h.url}/metrics`, { ...PROXIED, authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('leadgate_scores_written_total');
    expect((await get(`${h.url}/metrics`, { ...PROXIED, authorization: `bearer ${TOKEN}` })).status).toBe(
      200,
    );
  });

  it('answers 404 to a non-loopback client when HOST is not loopback and no token is set, and warns once at start', async () => {
    const h = await start({ host: '0.0.0.0', token: null });
    const res = await get(`${h.url}/metrics`, { ...PROXIED, authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'not_found', message: 'Not found.', requestId: 'req-1' },
    });
    await get(`${h.url}/metrics`, PROXIED);
    const warnings = h.logLines().filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.message)).toContain('LEADGATE_METRICS_TOKEN');
  });

  it('logs no warning when HOST is loopback or a token is set', async () => {
    for (const access of [
      { host: '127.0.0.1', token: null },
      { host: 'localhost', token: null },
      { host: '::1', token: null },
      { host: '0.0.0.0', token: TOKEN },
    ]) {
      const h = await start(access);
      expect(h.logLines().filter((l) => l.level === 'warn')).toEqual([]);
      await running?.close();
      running = undefined;
    }
  });

  it('keeps /healthz and /readyz open to everyone (load balancers carry no token)', async () => {
    const h = await start({ host: '0.0.0.0', token: TOKEN });
    expect((await get(`${h.url}/healthz`, PROXIED)).status).toBe(200);
    expect((await get(`${h.url}/readyz`, PROXIED)).status).toBe(200);
  });

  // Needs an interface other than loopback (CI's machines have one); the proxied cases above cover
  // the same rules where there is none.
  it.runIf(outside !== undefined)('asks a client connecting from another address for the token', async () => {
    const h = await start({ host: '0.0.0.0', token: TOKEN }, '0.0.0.0');
    const url = `http://${outside ?? ''}:${h.port}/metrics`;
    expect((await get(url)).status).toBe(401);
    expect((await get(url, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    await running?.close();
    running = undefined;
    const hidden = await start({ host: '0.0.0.0', token: null }, '0.0.0.0');
    expect((await get(`http://${outside ?? ''}:${hidden.port}/metrics`)).status).toBe(404);
  });
});
