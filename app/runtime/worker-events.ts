import type { WorkerEvent } from '../kit/jobs/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import type { Metrics } from '../kit/http/index.ts';

/**
 * Turns worker events into log lines and the job metrics. Attempt durations are measured from the
 * 'claimed' event with the process clock, since the worker reports events, not timings.
 */
export function workerEventHandler(
  logger: Logger,
  metrics: Metrics,
  now: () => number = () => performance.now(),
): (event: WorkerEvent) => void {
  const started = new Map<string, number>();
  const finish = (event: Exclude<WorkerEvent, { type: 'error' | 'claimed' }>, outcome: string): void => {
    const key = `${event.job.id}:${event.attempt}`;
    const start = started.get(key);
    started.delete(key);
    const labels = { type: event.job.type, outcome };
    metrics.jobAttempts.inc(labels);
    if (start !== undefined) metrics.jobDuration.observe(labels, (now() - start) / 1000);
  };

  return (event) => {
    switch (event.type) {
      case 'claimed':
        started.set(`${event.job.id}:${event.attempt}`, now());
        logger.debug('job claimed', { jobId: event.job.id, jobType: event.job.type, attempt: event.attempt });
        return;
      case 'completed':
        finish(event, 'done');
        logger.info('job done', { jobId: event.job.id, jobType: event.job.type, attempt: event.attempt });
        return;
      case 'failed':
        finish(event, event.outcome);
        logger.warn('job failed', {
          jobId: event.job.id,
          jobType: event.job.type,
          attempt: event.attempt,
          outcome: event.outcome,
          err: event.error,
        });
        return;
      case 'interrupted':
      case 'lease_lost':
        finish(event, event.type);
        logger.info(`job ${event.type === 'interrupted' ? 'handed back' : 'lease lost'}`, {
          jobId: event.job.id,
          jobType: event.job.type,
          attempt: event.attempt,
        });
        return;
      case 'error':
        // Store outages land here: the worker keeps polling, so a warning, not an error per poll.
        logger.warn('worker poll failed; retrying', { err: event.error });
        return;
    }
  };
}
