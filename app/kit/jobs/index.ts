// The jobs folder's only door: the durable queue's retry policy and the worker runner.
export { nextRetryDelay, DEFAULT_RETRY } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { createJobQueue, PermanentJobError } from './queue.ts';
export type { FailOutcome, JobQueue, JobQueueOptions } from './queue.ts';
export { Worker, realSleep } from './worker.ts';
export type { JobContext, JobHandler, Sleep, WorkerEvent, WorkerOptions } from './worker.ts';
