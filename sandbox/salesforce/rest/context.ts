import type { NextFunction, Request, Response } from 'express';
import { notFound, sessionInvalid } from '../errors.ts';
import { callOptionsClient } from '../http.ts';
import { bearerUser } from '../oauth/routes.ts';
import type { Org } from '../org.ts';
import type { WriteContext } from '../org.ts';
import type { EmulatorState } from '../state.ts';

export interface RequestContext {
  org: Org;
  userId: string;
  /** "64.0" */
  version: string;
  client: string | undefined;
  /** Set for routes under `/tooling`. */
  api: 'data' | 'tooling';
}

const contexts = new WeakMap<Request, RequestContext>();

export function ctx(req: Request): RequestContext {
  const c = contexts.get(req);
  if (!c) throw new Error('request context missing');
  return c;
}

/** Versions the emulator answers, oldest to newest (Summer '25 = 64.0, Spring '26 = 66.0). */
export const API_VERSIONS = Array.from({ length: 66 - 20 + 1 }, (_, i) => `${20 + i}.0`);

/**
 * Front door of `/services/data/vXX.X/...`: known version, live session, then one call off the
 * daily allocation. `Sforce-Limit-Info` goes on every answer after that, errors included.
 */
export function dataContext(state: EmulatorState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^v(\d+\.\d)$/.exec(String(req.params['version']));
    const version = match?.[1];
    if (version === undefined || !API_VERSIONS.includes(version)) throw notFound();
    const found = bearerUser(state, req);
    if (!found) throw sessionInvalid();
    const { org } = found;
    try {
      org.consumeApiCall();
    } finally {
      const usage = org.apiUsage();
      res.setHeader('Sforce-Limit-Info', `api-usage=${usage.used}/${usage.limit}`);
    }
    contexts.set(req, {
      org,
      userId: found.session.userId,
      version,
      client: callOptionsClient(req),
      api: 'data',
    });
    next();
  };
}

/** `changeOrigin` as CDC reports API writes: `com/salesforce/api/rest/64.0;client=<id>`. */
export function writeContext(c: RequestContext, api: 'rest' | 'bulkapi' = 'rest'): WriteContext {
  const origin = `com/salesforce/api/${api}/${c.version}`;
  return { userId: c.userId, changeOrigin: c.client === undefined ? origin : `${origin};client=${c.client}` };
}

/** Marks the request as a Tooling API call: objects resolve against the Tooling API's set. */
export function markTooling(req: Request, _res: Response, next: NextFunction): void {
  ctx(req).api = 'tooling';
  next();
}

export const servesObject = (c: RequestContext, objectApi: 'data' | 'tooling' | 'both'): boolean =>
  objectApi === 'both' || objectApi === c.api;
