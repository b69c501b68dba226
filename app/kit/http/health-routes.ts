import { Router } from 'express';
import type { Logger } from '../logging/index.ts';
import { HttpError } from './errors.ts';
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

export function healthRoutes(deps: { store: HealthStore; metrics: Metrics; logger: Logger }): Router {
  const router = Router();

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

  router.get('/metrics', async (_req, res) => {
    const text = await deps.metrics.registry.metrics();
    res.type(deps.metrics.registry.contentType).send(text);
  });

  return router;
}
