import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../kit/config/index.ts';
import { Worker, createJobQueue } from '../kit/jobs/index.ts';
import type { JobHandler, JobQueue } from '../kit/jobs/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import type { Metrics } from '../kit/http/index.ts';
import type { Store } from '../kit/store/index.ts';
import { workerEventHandler } from './worker-events.ts';

/** Job handlers by job type. Nothing registers one yet: connectors and scoring jobs will. */
export type JobHandlers = Readonly<Record<string, JobHandler>>;

export interface RuntimeWorkerOptions {
  readonly store: Store;
  readonly config: Pick<Config, 'jobConcurrencyPerTenant' | 'workerSlots'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly handlers?: JobHandlers;
  readonly workerId?: string;
  readonly pollIntervalMs?: number;
  /**
   * How long a claim lasts without a heartbeat: a job of a crashed worker waits this long before
   * another worker resumes it from its checkpoint.
   */
  readonly leaseMs?: number;
}

export interface RuntimeWorker {
  readonly queue: JobQueue;
  readonly worker: Worker;
  readonly workerId: string;
  readonly jobTypes: readonly string[];
}

const DEFAULT_LEASE_MS = 30_000;

/** Host, pid and a random suffix: unique across processes and restarts, readable in a jobs row. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The durable queue and a worker with the given handlers, not yet started. */
export function createRuntimeWorker(options: RuntimeWorkerOptions): RuntimeWorker {
  const { store, config, logger, metrics } = options;
  const workerId = options.workerId ?? defaultWorkerId();
  const queue = createJobQueue(store, {
    clock: () => Date.now(),
    rng: () => Math.random(),
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    maxRunningPerTenant: config.jobConcurrencyPerTenant,
  });
  const worker = new Worker({
    store,
    queue,
    workerId,
    slots: config.workerSlots,
    onEvent: workerEventHandler(logger.child({ component: 'worker', workerId }), metrics),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
  });
  const handlers = options.handlers ?? {};
  for (const [type, handler] of Object.entries(handlers)) worker.register(type, handler);
  return { queue, worker, workerId, jobTypes: Object.keys(handlers) };
}
