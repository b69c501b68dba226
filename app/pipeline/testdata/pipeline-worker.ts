/**
 * Test-only: the pipeline's job handlers on a real queue and worker, with time moved by hand. Both
 * CRM drivers (hubspot-driver.ts, salesforce-driver.ts) run their jobs through this.
 */
import { createJobQueue, Worker, type JobQueue } from '../../kit/jobs/index.ts';
import type { JsonValue, Store, Tenant } from '../../kit/store/index.ts';
import { createPipelineHandlers, type PipelineDeps } from '../jobs/index.ts';

export interface PipelineWorker {
  readonly queue: JobQueue;
  readonly worker: Worker;
  enqueue(type: string, payload?: JsonValue): Promise<void>;
  /** Runs jobs until none is runnable, moving time `stepMs` at a time past retry delays while jobs wait. */
  drain(stepMs?: number): Promise<void>;
}

export interface PipelineWorkerOptions {
  deps: PipelineDeps;
  tenant: Tenant;
  /** Moves pipeline time forward (the jobs read it through deps.clock). */
  advance: (ms: number) => void;
}

export function startPipelineWorker({ deps, tenant, advance }: PipelineWorkerOptions): PipelineWorker {
  const store: Store = deps.store;
  const queue = createJobQueue(store, {
    clock: deps.clock,
    rng: () => 0.5,
    leaseMs: 60_000,
    maxRunningPerTenant: 1,
  });
  const worker = new Worker({
    store,
    queue,
    workerId: 'test-worker',
    clock: deps.clock,
    // Heartbeats wait for the job to end; nothing in these tests really sleeps.
    sleep: (_ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted === true) resolve();
        signal?.addEventListener('abort', () => {
          resolve();
        });
      }),
  });
  for (const [type, handler] of Object.entries(createPipelineHandlers(deps))) worker.register(type, handler);
  return {
    queue,
    worker,
    enqueue: async (type, payload = {}) => {
      await queue.enqueue({ tenantId: tenant.id, type, payload });
    },
    drain: async (stepMs = 10 * 60_000) => {
      for (let idle = 0; idle < 20;) {
        if (await worker.runOnce()) {
          idle = 0;
          continue;
        }
        const counts = await store.countJobs(tenant.id);
        if (counts.queued === 0 && counts.running === 0) return;
        advance(stepMs);
        idle++;
      }
      throw new Error('jobs did not drain');
    },
  };
}
