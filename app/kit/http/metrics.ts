import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric leadgate exposes, created together on one registry. The composition root
 * makes one `Metrics` and hands it to the server and the job worker, which update the same objects;
 * a registry per instance (not prom-client's global one) lets tests build as many apps as they like.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'route' | 'method' | 'status'>;
  /** Jobs by type and state, set by the worker from the store's counts. */
  readonly jobs: Gauge<'type' | 'state'>;
  readonly jobDuration: Histogram<'type' | 'outcome'>;
  readonly jobAttempts: Counter<'type' | 'outcome'>;
  readonly scoresWritten: Counter<'crm'>;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event-loop lag); off in tests to keep output small. */
  readonly processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency, by route template (not raw path, to bound label cardinality), method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobs: new Gauge({
      name: 'leadgate_jobs',
      help: 'Jobs by type and state (queued, running, done, dead).',
      labelNames: ['type', 'state'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'leadgate_job_duration_seconds',
      help: 'Duration of one job attempt, by job type and outcome (done, retry, dead).',
      labelNames: ['type', 'outcome'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers: [registry],
    }),
    jobAttempts: new Counter({
      name: 'leadgate_job_attempts_total',
      help: 'Job attempts finished, by job type and outcome (done, retry, dead).',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    scoresWritten: new Counter({
      name: 'leadgate_scores_written_total',
      help: 'Scores written back to a CRM, by CRM.',
      labelNames: ['crm'],
      registers: [registry],
    }),
  };
}
