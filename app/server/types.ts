import type { Router } from 'express';
import type { HealthStore, Metrics } from '../kit/http/index.ts';
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
  /** Every feature's router (admin API, cards, each CRM integration's install and change intake). */
  readonly routers: readonly Router[];
}
