export { createApp } from './app.ts';
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
export { createMetrics } from './metrics.ts';
export type { Metrics, MetricsOptions } from './metrics.ts';
export { chooseRequestId } from './request-id.ts';
export { installShutdownHandlers, runClosers } from './shutdown.ts';
export type { Closer, ShutdownOptions, SignalSource } from './shutdown.ts';
export { startServer } from './start-server.ts';
export type { RunningServer, StartOptions } from './start-server.ts';
export { systemClock } from './types.ts';
export type { AppDeps, AppStore, AuditAppend, AuditEntry, Clock } from './types.ts';
