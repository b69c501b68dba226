import type { Router } from 'express';
import type { HealthStore, Metrics, MetricsAccess } from '../kit/http/index.ts';
import type { Logger } from '../kit/logging/index.ts';

/**
 * What the HTTP app is made of: the kit's request plumbing and health routes, then the features'
 * routers in the order given. The app knows no feature; the runtime decides what is mounted.
 */
export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Readiness (`/readyz`) pings the store and checks its migrations. */
  readonly store: HealthStore;
  /**
   * Who may read /metrics: loopback clients, others with LEADGATE_METRICS_TOKEN (kit/http/metrics-access.ts).
   * Default: loopback clients only, the strictest rule, for apps that never bind beyond loopback (tests).
   */
  readonly metricsAccess?: MetricsAccess;
  /** Every feature's router (admin API, cards, each CRM integration's install and change intake). */
  readonly routers: readonly Router[];
}
