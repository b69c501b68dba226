export { createApp } from './app.ts';
export { classify, errorHandler, notFound, requireJsonBody } from '../kit/http/error-handler.ts';
export {
  ERROR_CATALOGUE,
  ERROR_CODES,
  HttpError,
  errorBody,
  isErrorCode,
  renderErrorsDoc,
} from '../kit/http/errors.ts';
export type { ErrorBody, ErrorCode, ErrorSpec } from '../kit/http/errors.ts';
export { createMetrics } from '../kit/http/metrics.ts';
export type { Metrics, MetricsOptions } from '../kit/http/metrics.ts';
export { chooseRequestId } from '../kit/http/request-id.ts';
export { installShutdownHandlers, runClosers } from '../kit/http/shutdown.ts';
export type { Closer, ShutdownOptions, SignalSource } from '../kit/http/shutdown.ts';
export { startServer } from '../kit/http/start-server.ts';
export type { RunningServer, StartOptions } from '../kit/http/start-server.ts';
export { systemClock } from './types.ts';
export type { AppDeps, AppStore, AuditAppend, AuditEntry, Clock } from './types.ts';
