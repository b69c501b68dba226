import { Router } from 'express';
import type { Logger } from '../logging/index.ts';
import { HttpError } from './errors.ts';
import { decideMetricsAccess, isLoopbackHost } from './metrics-access.ts';
import type { MetricsAccess } from './metrics-access.ts';
import type { Metrics } from './metrics.ts';
import type { Store } from '../store/index.ts';

/** What readiness needs of the store. */
export type HealthStore = Pick<Store, 'ping' | 'migrationStatus'>;

/** A store that hangs must fail the probe rather than hang it. */
const READINESS_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

export type { MetricsAccess } from './metrics-access.ts';

export interface HealthDeps {
  readonly store: HealthStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Who may read /metrics (HOST and LEADGATE_METRICS_TOKEN); /healthz and /readyz are open to all. */
  readonly metricsAccess: MetricsAccess;
}

export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  const access = deps.metricsAccess;
  // Built once per app, at start-up: the one warning, not one per scrape.
  if (access.token === null && !isLoopbackHost(access.host)) {
    deps.logger.warn(
      '/metrics is served to loopback clients only: HOST is not loopback and LEADGATE_METRICS_TOKEN is unset, so other clients get 404',
      { host: access.host },
    );
  }

  // Liveness: the event loop answers. Deliberately touches nothing else, so a database outage makes
  // the instance unready (taken out of the load balancer), not dead (restarted in a loop).
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    let pending: number;
    try {
      await withTimeout(deps.store.ping(), READINESS_TIMEOUT_MS);
      pending = (await withTimeout(deps.store.migrationStatus(), READINESS_TIMEOUT_MS)).pending.length;
    } catch (error) {
      deps.logger.warn('readiness check failed', { err: error });
      throw new HttpError('unavailable', 'The store is not reachable.');
    }
    if (pending > 0) throw new HttpError('unavailable', `${pending} migration(s) not yet applied.`);
    res.json({ status: 'ready' });
  });

  router.get('/metrics', async (req, res) => {
    const decision = decideMetricsAccess(
      {
        // The socket's peer, not req.ip: no 'trust proxy', and a forwarded-for header is the client's word.
        remoteAddress: req.socket.remoteAddress,
        proxied: req.get('forwarded') !== undefined || req.get('x-forwarded-for') !== undefined,
        authorization: req.get('authorization'),
      },
      access,
    );
    // Hidden: the same 404 as an unknown path, so a scanner learns nothing.
    if (decision === 'hidden') throw new HttpError('not_found');
    if (decision === 'unauthorized') {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError('unauthorized', 'A valid metrics token is required.');
    }
    const text = await deps.metrics.registry.metrics();
    res.type(deps.metrics.registry.contentType).send(text);
  });

  return router;
}
