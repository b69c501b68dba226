import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { runWithRequestContext } from '../kit/logging/index.ts';
import { chooseRequestId, errorHandler, healthRoutes, notFound } from '../kit/http/index.ts';
import type { MetricsAccess } from '../kit/http/index.ts';
import type { AppDeps } from './types.ts';

/** No token and a loopback HOST: only clients on this host read /metrics, and nothing is logged. */
const LOOPBACK_ONLY: MetricsAccess = { host: '127.0.0.1', token: null };

/**
 * Route template for the metrics label (`/api/v1/tenants/:tenantId`), never the raw path, which would
 * make label cardinality unbounded. Routers are mounted at the root with full paths, so `req.route.path`
 * is the whole template even after an error has unwound `req.baseUrl`.
 */
function routeLabel(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') {
    return route.path;
  }
  return 'unmatched';
}

function requestContext(deps: AppDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = chooseRequestId(req.get('x-request-id'));
    const started = process.hrtime.bigint();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      deps.metrics.httpRequestDuration.observe(
        { route, method: req.method, status: res.statusCode },
        seconds,
      );
      // requestId passed explicitly: 'finish' fires outside the request's async context.
      deps.logger.info('request', {
        requestId,
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
      });
    });
    runWithRequestContext({ requestId }, next);
  };
}

/**
 * Builds the HTTP app without listening; `startServer` or a test listens. Order matters: request id
 * first (so every response and log line carries one), then the routes, the 404, and last the error
 * handler that gives every failure (413, bad JSON, thrown HttpError, bug) the catalogue shape.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Flat string query values only: no nested objects for handlers to mistake for validated input.
  app.set('query parser', 'simple');

  app.use(requestContext(deps));
  // No global body parser: each router parses its own bodies, so the admin API reads a body only
  // after the API key checks out, and webhook routes can verify signatures over the raw bytes.
  app.use(healthRoutes({ ...deps, metricsAccess: deps.metricsAccess ?? LOOPBACK_ONLY }));
  for (const router of deps.routers) app.use(router);
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
