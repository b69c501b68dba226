import { setTimeout as timersSleep } from 'node:timers/promises';
import type { ClaimedJob, EpochMs, JobRecord, JsonValue, Store } from '../store/index.ts';
import { LeaseLostError } from '../store/index.ts';
import type { JobQueue } from './queue.ts';

export interface JobContext {
  job: JobRecord;
  /** the last saved checkpoint (null on a first run): resume from here */
  checkpoint: JsonValue | null;
  /**
   * Saves the checkpoint, and runs `effect` (the step's writes) in the same transaction: after a crash
   * either both happened or neither did, so a resumed job neither repeats nor skips a step.
   * Throws LeaseLostError if another worker has taken the job over.
   */
  // A property, not a method: handlers destructure it from the context.
  saveCheckpoint: (checkpoint: JsonValue, effect?: (tx: Store) => Promise<void>) => Promise<void>;
  /** aborted on stop() or when the lease is lost: finish the current step, then return 'interrupted' */
  signal: AbortSignal;
}

/**
 * 'done' completes the job; 'interrupted' (after the signal aborted) hands it back, queued with the
 * attempt not counted, to resume from its checkpoint. Throwing fails the attempt (retry or dead letter).
 */
export type JobHandler = (ctx: JobContext) => Promise<'done' | 'interrupted'>;

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface WorkerOptions {
  store: Store;
  queue: JobQueue;
  workerId: string;
  /**
   * Jobs this worker runs at the same time (default 1). Jobs wait on CRM APIs far more than on the
   * CPU, so one tenant's rate-limited backfill should not hold every other tenant's jobs in the queue;
   * the queue's per-tenant limit still applies at claim time.
   */
  slots?: number;
  /** wait between polls when no job is runnable */
  pollIntervalMs?: number;
  /** heartbeat period; default a third of the lease */
  heartbeatMs?: number;
  sleep?: Sleep;
  clock?: () => EpochMs;
  /** job failures and heartbeat problems, for the app's logger and metrics */
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'claimed'; job: JobRecord; attempt: number }
  | { type: 'completed'; job: JobRecord; attempt: number }
  | { type: 'failed'; job: JobRecord; attempt: number; error: unknown; outcome: 'retry' | 'dead' }
  | { type: 'interrupted'; job: JobRecord; attempt: number }
  | { type: 'lease_lost'; job: JobRecord; attempt: number }
  | { type: 'error'; error: unknown };

/** Resolves after ms, or early (without throwing) when the signal aborts. */
export const realSleep: Sleep = async (ms, signal) => {
  try {
    await timersSleep(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  }
};

export class Worker {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly stopController = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly sleep: Sleep;
  private readonly pollIntervalMs: number;
  private readonly heartbeatMs: number;

  constructor(private readonly options: WorkerOptions) {
    this.sleep = options.sleep ?? realSleep;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(options.queue.leaseMs / 3));
  }

  register(type: string, handler: JobHandler): this {
    if (this.handlers.has(type)) throw new Error(`a handler for job type '${type}' is already registered`);
    this.handlers.set(type, handler);
    return this;
  }

  /** Starts polling in the background; stop() ends it. */
  start(): void {
    if (this.loops.length > 0) throw new Error('worker already started');
    const slots = this.options.slots ?? 1;
    if (!Number.isInteger(slots) || slots < 1)
      throw new Error(`worker slots must be a whole number ≥ 1, got ${slots}`);
    // Each slot is its own claim-run loop; they share the handlers and the stop signal.
    for (let slot = 0; slot < slots; slot++) this.loops.push(this.run());
  }

  /** Stops claiming, lets the running jobs finish their current step, and resolves when the worker is idle. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await Promise.all(this.loops);
  }

  private async run(): Promise<void> {
    const stop = this.stopController.signal;
    while (!stop.aborted) {
      let ran = false;
      try {
        ran = await this.runOnce();
      } catch (error) {
        // A store outage must not kill the worker: report, back off one poll interval, try again.
        this.options.onEvent?.({ type: 'error', error });
      }
      if (!ran) await this.sleep(this.pollIntervalMs, stop);
    }
  }

  /** Claims and runs at most one job; false when there was nothing to run. Public for tests and CLIs. */
  async runOnce(): Promise<boolean> {
    if (this.stopController.signal.aborted) return false;
    const claimed = await this.options.queue.claim(this.options.workerId, {
      types: [...this.handlers.keys()],
    });
    if (claimed === undefined) return false;
    await this.execute(claimed);
    return true;
  }

  private async execute(claimed: ClaimedJob): Promise<void> {
    const { queue, store, onEvent } = this.options;
    const { job, lease } = claimed;
    const handler = this.handlers.get(job.type);
    const meta = { job, attempt: lease.attempt };
    onEvent?.({ type: 'claimed', ...meta });

    const jobAbort = new AbortController();
    const onStop = () => {
      jobAbort.abort();
    };
    this.stopController.signal.addEventListener('abort', onStop);
    // An object, not a let: it is flipped from the heartbeat's callback.
    const leaseState = { lost: false };
    const heartbeatDone = new AbortController();
    const heartbeat = this.heartbeat(lease, heartbeatDone.signal, () => {
      leaseState.lost = true;
      jobAbort.abort();
    });

    try {
      if (handler === undefined) throw new Error(`no handler for job type '${job.type}'`);
      const clock = this.options.clock ?? Date.now;
      const result = await handler({
        job,
        checkpoint: job.checkpoint,
        signal: jobAbort.signal,
        saveCheckpoint: (checkpoint, effect) =>
          store.transaction(async (tx) => {
            if (effect) await effect(tx);
            await tx.saveJobCheckpoint(lease, checkpoint, clock());
          }),
      });
      if (result === 'interrupted') {
        if (!leaseState.lost) await queue.release(lease);
        onEvent?.({ type: leaseState.lost ? 'lease_lost' : 'interrupted', ...meta });
      } else {
        await queue.complete(lease);
        onEvent?.({ type: 'completed', ...meta });
      }
    } catch (error) {
      if (error instanceof LeaseLostError || leaseState.lost) {
        // Another worker owns the job now; whatever we did after losing it was fenced off.
        onEvent?.({ type: 'lease_lost', ...meta });
      } else {
        const outcome = await queue.fail(claimed, error);
        onEvent?.({ type: 'failed', ...meta, error, outcome: outcome.outcome });
      }
    } finally {
      heartbeatDone.abort();
      await heartbeat;
      this.stopController.signal.removeEventListener('abort', onStop);
    }
  }

  private async heartbeat(lease: ClaimedJob['lease'], done: AbortSignal, onLost: () => void): Promise<void> {
    const finished = (): boolean => done.aborted;
    while (!finished()) {
      await this.sleep(this.heartbeatMs, done);
      if (finished()) return;
      try {
        await this.options.queue.heartbeat(lease);
      } catch (error) {
        if (error instanceof LeaseLostError) {
          onLost();
          return;
        }
        // A missed heartbeat is not fatal while the lease lasts; the next one may get through.
        this.options.onEvent?.({ type: 'error', error });
      }
    }
  }
}
