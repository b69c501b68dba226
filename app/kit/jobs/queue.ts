import type {
  ClaimedJob,
  DeadLetter,
  EpochMs,
  JobLease,
  JobRecord,
  JsonValue,
  NewJob,
  Store,
} from '../store/index.ts';
import { redactString } from '../logging/index.ts';
import { DEFAULT_RETRY, nextRetryDelay } from './retry.ts';
import type { RetryOptions } from './retry.ts';

export interface JobQueueOptions {
  clock: () => EpochMs;
  /** [0, 1) random source for retry jitter */
  rng: () => number;
  /** how long a claim is valid without a heartbeat; a dead worker's job is reclaimed after this */
  leaseMs: number;
  maxRunningPerTenant: number;
  retry?: RetryOptions;
}

/** A failure that retrying cannot fix (bad payload, revoked install): dead-letter at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export type FailOutcome =
  { outcome: 'retry'; runAt: EpochMs; delayMs: number } | { outcome: 'dead'; deadLetter: DeadLetter };

export interface JobQueue {
  readonly leaseMs: number;
  enqueue(job: NewJob): Promise<{ job: JobRecord; created: boolean }>;
  claim(
    workerId: string,
    options?: { types?: readonly string[]; now?: EpochMs },
  ): Promise<ClaimedJob | undefined>;
  heartbeat(lease: JobLease): Promise<void>;
  saveCheckpoint(lease: JobLease, checkpoint: JsonValue): Promise<void>;
  complete(lease: JobLease): Promise<void>;
  /** Retry later with backoff, or dead-letter when the attempt limit is reached or the error is permanent. */
  fail(claimed: ClaimedJob, error: unknown): Promise<FailOutcome>;
  release(lease: JobLease): Promise<void>;
  replayDeadLetter(tenantId: string, deadLetterId: string): Promise<JobRecord>;
  listDeadLetters(tenantId: string): Promise<DeadLetter[]>;
}

/**
 * The text kept on the job and its dead letter. Redacted as log lines are (tokens, emails, sensitive
 * keys' values): a CRM error can quote the record it refused or the header it was sent, and these rows
 * outlive every log and are shown by the dead-letter API.
 */
function describeError(error: unknown): string {
  const text = redactString(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  // Bounded: an upstream error body can be megabytes; the row only needs enough to diagnose.
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** The retry policy on top of the store's job primitives. */
export function createJobQueue(store: Store, options: JobQueueOptions): JobQueue {
  const { clock, rng, leaseMs, maxRunningPerTenant } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  return {
    leaseMs,
    enqueue: (job) => store.enqueueJob(job, clock()),
    claim: (workerId, o = {}) =>
      store.claimJob(workerId, {
        now: o.now ?? clock(),
        leaseMs,
        maxRunningPerTenant,
        ...(o.types === undefined ? {} : { types: o.types }),
      }),
    heartbeat: (lease) => store.heartbeatJob(lease, clock(), leaseMs),
    saveCheckpoint: (lease, checkpoint) => store.saveJobCheckpoint(lease, checkpoint, clock()),
    complete: (lease) => store.completeJob(lease, clock()),
    async fail(claimed, error) {
      const now = clock();
      const reason = describeError(error);
      const { lease, job } = claimed;
      if (error instanceof PermanentJobError || lease.attempt >= job.maxAttempts) {
        const why =
          error instanceof PermanentJobError
            ? 'permanent error'
            : `attempt ${lease.attempt} of ${job.maxAttempts}`;
        return { outcome: 'dead', deadLetter: await store.deadLetterJob(lease, `${why}: ${reason}`, now) };
      }
      const delayMs = nextRetryDelay(lease.attempt, rng, retry);
      await store.retryJob(lease, reason, now + delayMs, now);
      return { outcome: 'retry', runAt: now + delayMs, delayMs };
    },
    release: (lease) => store.releaseJob(lease, clock()),
    replayDeadLetter: (tenantId, id) => store.replayDeadLetter(tenantId, id, clock()),
    listDeadLetters: (tenantId) => store.listDeadLetters(tenantId),
  };
}
