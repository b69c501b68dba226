/**
 * Child process for the kill test (worker.kill.test.ts): one worker that processes a 'process-items'
 * job in pages, writing each page's side effect (events with a unique source id) in the same
 * transaction as its checkpoint. It prints "resume N" when a run starts and "page N" after each
 * committed page, and exits 0 once the job is complete. The parent SIGKILLs it mid-job.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue, NewEngagementEvent, StoreConfig } from '../../store/index.ts';
import { openStore } from '../../store/index.ts';
import { createJobQueue } from '../queue.ts';
import { Worker } from '../worker.ts';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

const config = JSON.parse(env('KILL_TEST_STORE')) as StoreConfig;
const workerId = env('KILL_TEST_WORKER');
const leaseMs = Number(env('KILL_TEST_LEASE_MS'));
const pageDelayMs = Number(env('KILL_TEST_PAGE_DELAY_MS'));

function readNumber(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

const store = openStore(config);
await store.migrate();
const queue = createJobQueue(store, {
  clock: () => Date.now(),
  rng: () => Math.random(),
  leaseMs,
  maxRunningPerTenant: 2,
});
let markFinished: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (markFinished = resolve));

const worker = new Worker({
  store,
  queue,
  workerId,
  pollIntervalMs: 50,
  onEvent: (e) => {
    if (e.type === 'completed') markFinished();
    if (e.type === 'failed' || e.type === 'error') {
      process.stderr.write(`${e.type}: ${String('error' in e ? e.error : '')}\n`);
    }
  },
}).register('process-items', async ({ job, checkpoint, saveCheckpoint, signal }) => {
  const payload = job.payload as { total?: JsonValue; page?: JsonValue };
  const total = readNumber(payload.total, 0);
  const page = readNumber(payload.page, 10);
  let next =
    checkpoint !== null && typeof checkpoint === 'object' && !Array.isArray(checkpoint)
      ? readNumber(checkpoint.next, 0)
      : 0;
  process.stdout.write(`resume ${next}\n`);
  while (next < total) {
    if (signal.aborted) return 'interrupted';
    const end = Math.min(next + page, total);
    const events: NewEngagementEvent[] = [];
    for (let i = next; i < end; i++) {
      events.push({
        personId: 'p1',
        type: 'page_view',
        occurredAt: 0,
        attributes: { item: i, worker: workerId },
        sourceId: `item-${i}`,
      });
    }
    await saveCheckpoint({ next: end }, async (tx) => {
      const res = await tx.appendEvents(job.tenantId, events, Date.now());
      // A resumed job must never redo a committed page: a duplicate here is the bug this test hunts.
      if (res.duplicates > 0)
        throw new Error(`duplicate side effect: ${res.duplicates} items of page ${next}`);
    });
    next = end;
    process.stdout.write(`page ${next}\n`);
    await sleep(pageDelayMs);
  }
  return 'done';
});

worker.start();
await finished;
await worker.stop();
await store.close();
process.stdout.write('completed\n');
