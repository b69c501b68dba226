// The HTTP kit's only door: error catalogue, body validation, error handler, request ids, metrics,
// health routes, listening and shutdown. Features build their routers from these; app/server assembles.
export { classify, errorHandler, notFound, requireJsonBody } from './error-handler.ts';
export {
  ERROR_CATALOGUE,
  ERROR_CODES,
  HttpError,
  errorBody,
  isErrorCode,
  renderErrorsDoc,
} from './errors.ts';
export type { ErrorBody, ErrorCode, ErrorSpec } from './errors.ts';
export { healthRoutes } from './health-routes.ts';
export type { HealthDeps, HealthStore } from './health-routes.ts';
export { decideMetricsAccess, isLoopbackAddress, isLoopbackHost } from './metrics-access.ts';
export type { MetricsAccess, MetricsDecision, MetricsRequest } from './metrics-access.ts';
export { createMetrics } from './metrics.ts';
export type { Metrics, MetricsOptions } from './metrics.ts';
export { chooseRequestId } from './request-id.ts';
export { installShutdownHandlers, runClosers } from './shutdown.ts';
export type { Closer, ShutdownOptions, SignalSource } from './shutdown.ts';
export { startServer } from './start-server.ts';
export type { RunningServer, StartOptions } from './start-server.ts';
export { bodyValidator } from './validate.ts';
export type { BodyValidator } from './validate.ts';
