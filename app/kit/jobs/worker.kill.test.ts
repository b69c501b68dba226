import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import type { TestDb } from '../store/test-support.ts';
import { testDbFactories } from '../store/test-support.ts';

const factories = await testDbFactories();
const SCRIPT = fileURLToPath(new URL('./testdata/paged-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOTAL = 500;
const LEASE_MS = 1_500;

interface Child {
  proc: ChildProcess;
  lines: string[];
  /** resolves with the first stdout line matching, rejects if the child exits first */
  waitFor(match: (line: string) => boolean): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startWorker(db: TestDb, workerId: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: {
      ...process.env,
      KILL_TEST_STORE: JSON.stringify(db.config),
      KILL_TEST_WORKER: workerId,
      KILL_TEST_LEASE_MS: String(LEASE_MS),
      KILL_TEST_PAGE_DELAY_MS: '20',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: {
    match: (l: string) => boolean;
    resolve: (l: string) => void;
    reject: (e: Error) => void;
  }[] = [];
  let stderr = '';
  let buffered = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((x) => x.match(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      proc.on('exit', (code, signal) => {
        for (const w of waiters.splice(0))
          w.reject(new Error(`${workerId} exited (${code ?? signal}) first: ${stderr}`));
        resolve({ code, signal, stderr });
      });
    },
  );
  return {
    proc,
    lines,
    exited,
    waitFor: (match) => {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
  };
}

const pageOf = (line: string): number => Number(/^page (\d+)$/.exec(line)?.[1] ?? -1);

describe.each(factories)('a worker SIGKILLed mid-job on $kind', (factory) => {
  let db: TestDb;
  let store: Store;

  beforeAll(async () => {
    db = await factory.create();
    store = await db.open();
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
  });

  it('is resumed by another worker from its checkpoint: every item exactly once', async () => {
    const tenant = await store.createTenant({ crm: 'hubspot', externalId: 'kill', name: 'Kill' }, Date.now());
    const { job } = await store.enqueueJob(
      { tenantId: tenant.id, type: 'process-items', payload: { total: TOTAL, page: 10 } },
      Date.now(),
    );

    const a = startWorker(db, 'A');
    await a.waitFor((l) => pageOf(l) >= 100);
    a.proc.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');

    // What survived the kill: the checkpoint and the side effects were committed together, so they agree.
    const afterKill = await store.getJob(tenant.id, job.id);
    const checkpointAtKill = (afterKill?.checkpoint as { next: number }).next;
    expect(afterKill?.state).toBe('running');
    expect(checkpointAtKill).toBeGreaterThanOrEqual(100);
    expect(checkpointAtKill).toBeLessThan(TOTAL);
    expect((await store.getEventsAsOf(tenant.id, 'p1', Number.MAX_SAFE_INTEGER)).length).toBe(
      checkpointAtKill,
    );

    const b = startWorker(db, 'B');
    expect(await b.waitFor((l) => l.startsWith('resume '))).toBe(`resume ${checkpointAtKill}`);
    const exit = await b.exited;
    expect(exit.code, exit.stderr).toBe(0);

    const done = await store.getJob(tenant.id, job.id);
    expect(done).toMatchObject({ state: 'done', attempts: 2, checkpoint: { next: TOTAL } });
    const events = await store.getEventsAsOf(tenant.id, 'p1', Number.MAX_SAFE_INTEGER);
    const items = events.map((e) => e.attributes.item as number).sort((x, y) => x - y);
    expect(items).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    for (const e of events) {
      expect(e.attributes.worker).toBe((e.attributes.item as number) < checkpointAtKill ? 'A' : 'B');
    }
  });
});
