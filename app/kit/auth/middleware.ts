import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from '../http/index.ts';
import { authenticate, authorize } from './authenticate.ts';
import type { Principal } from './authenticate.ts';
import type { ApiKeyRepository } from './repository.ts';
import type { Role } from './roles.ts';

// A WeakMap rather than a property on req or res.locals: typed without global declaration merging,
// and impossible to set from anything but this module.
const principals = new WeakMap<Request, Principal>();

/** The authenticated caller; throws (→ 500) if a route forgot `requireApiKey`, which is a bug. */
export function principalOf(req: Request): Principal {
  const principal = principals.get(req);
  if (principal === undefined) throw new Error('principalOf: route is not behind requireApiKey');
  return principal;
}

export interface AuthEvents {
  /** Called on every refused key, for logging; never receives the key itself. */
  onRejected?(reason: string): void;
}

/** 401 `unauthorized` unless a valid, unrevoked API key is presented. */
export function requireApiKey(keys: ApiKeyRepository, events: AuthEvents = {}): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const result = await authenticate(keys, req.get('authorization'));
    if (!result.ok) {
      events.onRejected?.(result.reason);
      throw new HttpError('unauthorized');
    }
    principals.set(req, result.principal);
    next();
  };
}

/** The `:tenantId` route parameter; a route without one (a wiring bug) is answered 404. */
export function tenantIdParam(req: Request): string {
  const value: unknown = req.params.tenantId;
  if (typeof value !== 'string' || value === '') throw new HttpError('not_found');
  return value;
}

/**
 * For routes under `/tenants/:tenantId`: 404 for another tenant's id (existence must not leak),
 * 403 when the role is below `minimum`.
 */
export function requireTenantRole(minimum: Role): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const decision = authorize(principalOf(req), tenantIdParam(req), minimum);
    if (decision === 'not_found') throw new HttpError('not_found');
    if (decision === 'forbidden') throw new HttpError('forbidden');
    next();
  };
}
