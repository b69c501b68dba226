/**
 * The fault the issue names: the database goes away mid-run and comes back. PostgreSQL is reached
 * through a TCP proxy that cuts every connection and refuses new ones, so the real pool, driver,
 * store and worker see a real outage.

 *
 * It also guards the store against a crash: a connection that dies while a query holds it must not
 * emit an unhandled 'error' (see openPostgres in app/kit/store/open-store.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../kit/config/index.ts';
import type { JobHandler } from '../kit/jobs/index.ts';
import { createMetrics } from '../kit/http/index.ts';
import { call } from '../server/testing.ts';
import type { JsonValue } from '../kit/store/index.ts';
import { PG_TEST_URL, pgReachable, pgRequired } from '../kit/store/test-support.ts';
import { buildRuntime } from './build-runtime.ts';
import type { Runtime, RuntimeOptions } from './build-runtime.ts';
import { capturedLogger, eventually } from './testdata/support.ts';
import type { CapturedLogger } from './testdata/support.ts';
import { startTcpProxy } from './testdata/tcp-proxy.ts';
import type { TcpProxy } from './testdata/tcp-proxy.ts';

const unreachable = pgRequired() ? undefined : await pgReachable();
if (unreachable !== undefined)
  console.warn(`[db outage test] skipped: PostgreSQL unreachable (${unreachable})`);

const TENANT = 'sandbox';

function nextStep(checkpoint: JsonValue | null): number {
  return checkpoint !== null && typeof checkpoint === 'object' && !Array.isArray(checkpoint)
    ? Number(checkpoint.next ?? 0)
    : 0;
}

/** Step indexes each run of a job started from ("resume from checkpoint"). */
const resumedAt = new Map<string, number[]>();
let releaseGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (releaseGate = resolve));
let atGate: () => void = () => undefined;
const reachedGate = new Promise<void>((resolve) => (atGate = resolve));

// Three checkpointed steps; a job with `waitAtStep` pauses there on its first run until the test opens the gate.
const steps: JobHandler = async ({ job, checkpoint, saveCheckpoint }) => {
  const payload = job.payload as { waitAtStep?: number };
  const from = nextStep(checkpoint);
  resumedAt.set(job.id, [...(resumedAt.get(job.id) ?? []), from]);
  for (let step = from; step < 3; step++) {
    if (step === payload.waitAtStep && resumedAt.get(job.id)?.length === 1) {
      atGate();
      await gate;
    }
    await saveCheckpoint({ next: step + 1 });
  }
  return 'done';
};

describe.skipIf(unreachable !== undefined)('a PostgreSQL outage mid-run', () => {
  const target = new URL(PG_TEST_URL);
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A runtime on a fresh schema, reaching PostgreSQL through a proxy the test can take down. */
  async function startBehindProxy(
    options: Pick<RuntimeOptions, 'handlers' | 'workerPollIntervalMs' | 'leaseMs'>,
  ): Promise<{ runtime: Runtime; proxy: TcpProxy; log: CapturedLogger }> {
    const schema = `leadgate_test_${randomBytes(6).toString('hex')}`;
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_TEST_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const dir = mkdtempSync(join(tmpdir(), 'leadgate-outage-'));
    cleanups.push(async () => {
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    });
    const log = capturedLogger();
    const runtime = await buildRuntime(
      loadConfig({ PORT: '0', LEADGATE_DATA_DIR: dir, LEADGATE_DATABASE_URL: viaProxy.toString() }),
      { postgresSchema: schema, maxConnections: 4, logger: log.logger, metrics: createMetrics(), ...options },
    );
    cleanups.push(async () => {
      await runtime.close();
    });
    return { runtime, proxy, log };
  }

  function finished(runtime: Runtime, id: string): Promise<true> {
    return eventually(
      async () => ((await runtime.store.getJob(TENANT, id))?.state === 'done' ? true : undefined),
      `job ${id} to finish`,
    );
  }

  it('answers /readyz 503 in the error shape while the database is down, and 200 once it is back', async () => {
    // A long poll keeps the idle worker off the pool, so no connection is checked out when the
    // proxy cuts (see the known bug above); idle pooled connections are cut and must not crash us.
    const { runtime, proxy, log } = await startBehindProxy({
      handlers: { steps },
      workerPollIntervalMs: 60_000,
    });
    expect((await call(runtime.urls.readyz)).status).toBe(200);

    await proxy.down();
    const unready = await call(runtime.urls.readyz);
    expect(unready.status).toBe(503);
    // Exactly the catalogue shape, with the same request id as the response header.
    expect(unready.body).toEqual({
      error: {
        code: 'unavailable',
        message: 'The store is not reachable.',
        requestId: unready.headers.get('x-request-id'),
      },
    });
    expect((await call(runtime.urls.healthz)).status).toBe(200);
    // Not acknowledged, so not promised: an enqueue during the outage is refused, not silently lost.
    await expect(runtime.queue.enqueue({ tenantId: TENANT, type: 'steps', payload: {} })).rejects.toThrow();
    expect(log.lines().some((l) => l.message === 'database connection lost while idle')).toBe(true);

    await proxy.up();
    await eventually(
      async () => ((await call(runtime.urls.readyz)).status === 200 ? true : undefined),
      'readiness',
    );
    const { job } = await runtime.queue.enqueue({ tenantId: TENANT, type: 'steps', payload: {} });
    expect(await runtime.worker.runOnce()).toBe(true);
    await finished(runtime, job.id);
  });

  // Skipped until openPostgres listens for errors on checked-out clients (see the comment at the top).
  it('keeps the worker alive through an outage mid-job and resumes the job from its checkpoint afterwards', async () => {
    const { runtime, proxy, log } = await startBehindProxy({
      handlers: { steps },
      workerPollIntervalMs: 50,
      leaseMs: 1_000,
    });
    const { job: midJob } = await runtime.queue.enqueue({
      tenantId: TENANT,
      type: 'steps',
      payload: { waitAtStep: 1 },
    });
    await reachedGate; // step 0 committed; the job is running and holds its lease

    await proxy.down();
    expect((await call(runtime.urls.readyz)).status).toBe(503);
    // The job's next checkpoint write fails, and so does recording the failure: the worker must
    // neither crash nor drop the job; it keeps polling against the dead database.
    const pollFailures = (): number =>
      log.lines().filter((l) => l.message === 'worker poll failed; retrying').length;
    const before = pollFailures();
    releaseGate();
    await eventually(() => (pollFailures() >= before + 3 ? true : undefined), 'the worker to keep polling');

    await proxy.up();
    await eventually(
      async () => ((await call(runtime.urls.readyz)).status === 200 ? true : undefined),
      'readiness',
    );
    const { job: afterJob } = await runtime.queue.enqueue({ tenantId: TENANT, type: 'steps', payload: {} });
    await finished(runtime, midJob.id);
    await finished(runtime, afterJob.id);
    // The interrupted job resumed from its last committed checkpoint (step 1), not from the start.
    expect(resumedAt.get(midJob.id)).toEqual([0, 1]);
    expect(resumedAt.get(afterJob.id)).toEqual([0]);
    expect(await runtime.store.listDeadLetters(TENANT)).toEqual([]);
  });
});
