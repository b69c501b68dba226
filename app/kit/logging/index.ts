export { createLogger, createSilentLogger } from './logger.ts';
export type { LogLevelName, LogMeta, Logger, LoggerOptions } from './logger.ts';
export { REDACTED, isSensitiveKey, redact, redactString } from './redact.ts';
export { currentRequestContext, runWithRequestContext } from './request-context.ts';
export type { RequestContext } from './request-context.ts';
