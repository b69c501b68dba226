import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../kit/config/index.ts';
import type { JobHandler } from '../kit/jobs/index.ts';
import { createMetrics, installShutdownHandlers } from '../kit/http/index.ts';
import { bearer, call } from '../server/testing.ts';
import { buildRuntime } from './build-runtime.ts';
import type { Runtime, RuntimeOptions } from './build-runtime.ts';
import { runtimeBanner } from './banner.ts';
import { SANDBOX_FILE } from './sandbox-file.ts';
import { capturedLogger, eventually } from './testdata/support.ts';

let dir: string;
const running: Runtime[] = [];

function start(env: Record<string, string> = {}, options: RuntimeOptions = {}): Promise<Runtime> {
  const config = loadConfig({ LEADGATE_DATA_DIR: dir, PORT: '0', ...env });
  return buildRuntime(config, {
    logger: capturedLogger().logger,
    metrics: createMetrics(),
    workerPollIntervalMs: 20,
    ...options,
  }).then((runtime) => {
    running.push(runtime);
    return runtime;
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-runtime-'));
});

afterEach(async () => {
  for (const runtime of running.splice(0)) await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('buildRuntime on SQLite', () => {
  it('answers /healthz and /readyz with 200 when the store is migrated', async () => {
    const runtime = await start();
    expect((await call(runtime.urls.healthz)).status).toBe(200);
    const ready = await call(runtime.urls.readyz);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
    expect(runtime.migrationsApplied).toEqual([
      '0001_initial_schema',
      '0002_oauth_states',
      '0003_oauth_state_verifier',
      '0004_api_key_grants',
      '0005_write_back_claims',
    ]);
  });

  it('serves the request latency histogram on /metrics', async () => {
    const runtime = await start();
    await call(runtime.urls.healthz);
    const metrics = await call(runtime.urls.metrics);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_request_duration_seconds');
  });

  it('serves the card routes: the sandbox record page and the signed card endpoint', async () => {
    const runtime = await start();
    const page = await call(`${runtime.urls.base}/sandbox/contacts/unknown-contact`);
    expect(page.status).toBe(404);
    // Unsigned card requests are refused: the route is mounted and checks HubSpot's signature.
    const card = await call(`${runtime.urls.base}/cards/hubspot/score?portalId=1&objectId=2`);
    expect(card.status).toBe(401);
  });

  it('creates the SQLite file and the sandbox key file under the data dir when they are missing', async () => {
    const nested = join(dir, 'nested', 'data');
    await start({ LEADGATE_DATA_DIR: nested });
    expect(statSync(join(nested, 'leadgate.sqlite3')).isFile()).toBe(true);
    expect(statSync(join(nested, 'encryption.key')).mode & 0o777).toBe(0o600);
  });

  it('writes sandbox.json with mode 0600 holding an admin key that reads the sandbox tenant', async () => {
    const runtime = await start();
    const file = join(dir, SANDBOX_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { apiKey: string; tenantId: string };
    expect(runtime.sandbox).toMatchObject({
      keySource: 'created',
      apiKey: saved.apiKey,
      tenantId: 'sandbox',
    });
    const res = await call(`${runtime.urls.adminApi}/tenants/sandbox`, { headers: bearer(saved.apiKey) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'sandbox', status: 'active' });
  });

  it('prints the URLs and the new admin key once in the banner', async () => {
    const runtime = await start();
    const text = runtimeBanner(runtime).join('\n');
    for (const url of Object.values(runtime.urls)) expect(text).toContain(url);
    expect(text).toContain(runtime.sandbox?.apiKey);
  });

  it('reuses the saved key and does not print it again on a second start on the same dir', async () => {
    const first = await start();
    const key = first.sandbox?.apiKey;
    await first.close();
    const second = await start();
    expect(second.sandbox).toMatchObject({ keySource: 'reused', apiKey: key });
    expect(runtimeBanner(second).join('\n')).not.toContain(key);
    const res = await call(`${second.urls.adminApi}/tenants/sandbox`, { headers: bearer(key ?? '') });
    expect(res.status).toBe(200);
  });

  it('registers the saved key again when the database was wiped but sandbox.json was kept', async () => {
    const first = await start();
    const key = first.sandbox?.apiKey ?? '';
    await first.close();
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(dir, `leadgate.sqlite3${suffix}`), { force: true });
    const second = await start();
    expect(second.sandbox).toMatchObject({ keySource: 'restored', apiKey: key });
    expect((await call(`${second.urls.adminApi}/tenants/sandbox`, { headers: bearer(key) })).status).toBe(
      200,
    );
  });

  it('keeps keys that other tools wrote to sandbox.json when it adds the admin key', async () => {
    const file = join(dir, SANDBOX_FILE);
    writeFileSync(file, JSON.stringify({ hubspot: { portalId: 123 } }), { mode: 0o600 });
    chmodSync(file, 0o600);
    const runtime = await start();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      hubspot: { portalId: 123 },
      tenantId: 'sandbox',
      apiKey: runtime.sandbox?.apiKey,
    });
  });

  it('refuses to start when sandbox.json is readable by other users', async () => {
    const file = join(dir, SANDBOX_FILE);
    writeFileSync(file, '{}');
    chmodSync(file, 0o644);
    await expect(start()).rejects.toThrow(/readable by other users/);
  });

  it('records the bootstrap in the audit trail', async () => {
    const runtime = await start();
    const rows = await runtime.store.listAuditRows('sandbox', 0, 10);
    expect(rows.map((r) => r.action)).toEqual(['tenant.create', 'apikey.create']);
  });

  it('creates no sandbox tenant outside sandbox mode', async () => {
    const runtime = await start({
      HUBSPOT_CLIENT_ID: 'id',
      HUBSPOT_CLIENT_SECRET: 'secret',
      HUBSPOT_APP_ID: '54321',
      LEADGATE_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      LEADGATE_PUBLIC_URL: 'https://leadgate.example.com',
    });
    expect(runtime.sandbox).toBeNull();
    expect(await runtime.store.listTenants()).toEqual([]);
  });

  it('runs an enqueued job through a registered handler in the same process', async () => {
    const seen: string[] = [];
    const handler: JobHandler = ({ job }) => {
      seen.push(job.id);
      return Promise.resolve('done');
    };
    const runtime = await start({}, { handlers: { probe: handler } });
    const { job } = await runtime.queue.enqueue({ tenantId: 'sandbox', type: 'probe', payload: {} });
    await eventually(
      async () => ((await runtime.store.getJob('sandbox', job.id))?.state === 'done' ? true : undefined),
      'the job to finish',
    );
    expect(seen).toEqual([job.id]);
  });

  it('closes server, worker and store in that order on SIGTERM and exits 0', async () => {
    const captured = capturedLogger();
    const runtime = await start({}, { logger: captured.logger });
    const source = new EventEmitter();
    const exits: number[] = [];
    const { done } = installShutdownHandlers({
      closers: runtime.closers,
      logger: runtime.logger,
      source,
      exit: (code) => exits.push(code),
    });
    source.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(exits).toEqual([0]);
    const closed = captured.lines().filter((l) => l.message === 'closed');
    expect(closed.map((l) => l.component)).toEqual(['http server', 'worker', 'store']);
    await expect(fetch(runtime.urls.healthz)).rejects.toThrow();
    await expect(runtime.store.ping()).rejects.toThrow();
  });
});
