import winston from 'winston';
import { redact, redactString } from './redact.ts';
import { currentRequestContext } from './request-context.ts';

/** Structured fields of a log line. Redacted before writing, so passing a whole object is safe. */
export type LogMeta = Readonly<Record<string, unknown>>;

export type LogLevelName = 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';

/**
 * The narrow facade the rest of the app logs through: four levels and `child`. Keeping winston behind
 * it means a module cannot bypass redaction or the request id.
 */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  /** A logger that adds `bindings` (e.g. `{ component: 'worker', tenantId }`) to every line. */
  child(bindings: LogMeta): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevelName;
  /** Where JSON lines go; stdout when omitted. Tests pass a stream to read the real output. */
  readonly stream?: NodeJS.WritableStream;
}

// Fields the logger itself owns; meta may not overwrite them.
const RESERVED = new Set(['level', 'message', 'timestamp']);

const addContextAndRedact = winston.format((info) => {
  const requestId = currentRequestContext()?.requestId;
  // Copy string keys through redaction; winston's symbol keys (level, splat) stay as they are.
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'timestamp') continue;
    info[key] =
      key === 'message' && typeof info[key] === 'string'
        ? redactString(info[key])
        : redactField(key, info[key]);
  }
  if (requestId !== undefined && info.requestId === undefined) info.requestId = requestId;
  return info;
});

function redactField(key: string, value: unknown): unknown {
  // Re-use the nested walk: wrapping in an object applies the key rule to top-level keys too.
  const wrapped = redact({ [key]: value }) as Record<string, unknown>;
  return wrapped[key];
}

export function createLogger(options: LoggerOptions): Logger {
  const transport =
    options.stream === undefined
      ? new winston.transports.Console()
      : new winston.transports.Stream({ stream: options.stream });
  const base = winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.timestamp(), addContextAndRedact(), winston.format.json()),
    // winston's typings declare its transport classes as interfaces, which this rule cannot tell apart
    // from a structurally similar object; these are real instances from winston's constructors.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [transport],
    // A logging failure must never take the process down.
    exitOnError: false,
  });
  return facade(base, {});
}

function facade(base: winston.Logger, bindings: LogMeta): Logger {
  const write = (level: LogLevelName, message: string, meta: LogMeta | undefined): void => {
    const fields: Record<string, unknown> = {};
    for (const source of [bindings, meta ?? {}]) {
      for (const [key, value] of Object.entries(source)) {
        fields[RESERVED.has(key) ? `meta_${key}` : key] = value;
      }
    }
    base.log({ ...fields, level, message });
  };
  return {
    error: (message, meta) => {
      write('error', message, meta);
    },
    warn: (message, meta) => {
      write('warn', message, meta);
    },
    info: (message, meta) => {
      write('info', message, meta);
    },
    debug: (message, meta) => {
      write('debug', message, meta);
    },
    child: (more) => facade(base, { ...bindings, ...more }),
  };
}

/** A logger that drops everything, for tests that do not look at logs. */
export function createSilentLogger(): Logger {
  const silent: Logger = {
    error: () => undefined,
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    child: () => silent,
  };
  return silent;
}
