import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging/index.ts';
import { ERROR_CATALOGUE, HttpError, errorBody } from './errors.ts';
import type { ErrorCode } from './errors.ts';

/** Reads `type`/`status` off errors thrown by body-parser (http-errors) without trusting their shape. */
function field(error: unknown, name: 'type' | 'status'): unknown {
  return typeof error === 'object' && error !== null && name in error
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

/** Maps anything thrown to a catalogue code. Unknown errors are `internal`, whatever they say. */
export function classify(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof HttpError) return { code: error.code, message: error.message };
  const type = field(error, 'type');
  const status = field(error, 'status');
  const known = (code: ErrorCode): { code: ErrorCode; message: string } => ({
    code,
    message: ERROR_CATALOGUE[code].message,
  });
  switch (type) {
    case 'entity.too.large':
      return known('payload_too_large');
    case 'entity.parse.failed':
      return known('invalid_json');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return known('unsupported_media_type');
    default:
      break;
  }
  // Other client errors from express itself (bad URL encoding, aborted body...): generic 400, with our
  // own message rather than theirs.
  if (typeof status === 'number' && status >= 400 && status < 500) return known('bad_request');
  return known('internal');
}

export function requestIdOf(res: { locals: Record<string, unknown> }): string {
  const id = res.locals.requestId;
  return typeof id === 'string' ? id : 'unknown';
}

/**
 * The last middleware: every error becomes the catalogue shape. Only `internal` errors (bugs,
 * unexpected failures) are logged here, with their stack; a deliberate 503 from /readyz is an
 * expected state that its route already logged, and must not page anyone on every probe.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next): void => {
    const { code, message } = classify(error);
    const status = ERROR_CATALOGUE[code].status;
    if (code === 'internal') {
      logger.error('request failed', { err: error, method: req.method, path: req.path });
    }
    if (res.headersSent) {
      // Too late for a body: let express close the connection.
      next(error);
      return;
    }
    res.status(status).json(errorBody(code, message, requestIdOf(res)));
  };
}

/** Placed after every route: anything not matched is 404 in the catalogue shape. */
export const notFound: RequestHandler = () => {
  throw new HttpError('not_found');
};

/**
 * For routes that take a body: a body with another content type is 415 rather than silently ignored
 * (express.json skips it and the route would see no body).
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const length = Number(req.get('content-length') ?? '0');
  const hasBody = req.get('transfer-encoding') !== undefined || length > 0;
  if (hasBody && req.is('application/json') === false) throw new HttpError('unsupported_media_type');
  next();
};
