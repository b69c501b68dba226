import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, HubSpotHttpError } from './errors.ts';
import type { FaultRule } from './faults.ts';
import type { Portal } from './portal.ts';
import { TEN_SECONDLY } from './rate-limit.ts';
import type { RouteResult, Router } from './router.ts';
import type { EmulatorState } from './state.ts';
import type { AccessToken } from './tokens.ts';

/**
 * One request, in HubSpot's order: route (501 when unknown), authentication (401), injected faults,
 * the portal's rate budget (429), scopes (403 MISSING_SCOPES), then the handler. Every JSON answer
 * carries `Content-Type: application/json`, errors included, because the SDK refuses to parse a
 * body without one (hubspot.md §3.7).
 */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

class Dropped extends Error {}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: RouteResult): void {
  const headers: Record<string, string> = { ...result.headers };
  let payload: string | undefined;
  if (result.html !== undefined) {
    headers['Content-Type'] = 'text/html; charset=utf-8';
    payload = result.html;
  } else if (result.body !== undefined) {
    headers['Content-Type'] = 'application/json;charset=utf-8';
    payload = JSON.stringify(result.body);
  }
  res.writeHead(result.status, headers);
  res.end(payload);
}

function authError(category: string, message: string): HubSpotHttpError {
  return new HubSpotHttpError(401, errorBody(category, message));
}

function authenticate(
  state: EmulatorState,
  header: string | undefined,
  now: number,
): { token: AccessToken; portal: Portal } {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const token = match?.[1] === undefined ? undefined : state.tokens.lookup(match[1]);
  if (token === undefined) {
    throw authError(
      'INVALID_AUTHENTICATION',
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    );
  }
  if (token.expiresAt !== null && token.expiresAt <= now) {
    const minutes = Math.max(1, Math.floor((now - token.expiresAt) / 60_000));
    throw authError(
      'EXPIRED_AUTHENTICATION',
      `The OAuth token used to make this call expired ${minutes} minute(s) ago.`,
    );
  }
  const portal = state.portals.get(token.portalId);
  if (portal === undefined)
    throw authError('INVALID_AUTHENTICATION', 'The account of this token no longer exists.');
  return { token, portal };
}

function missingScopes(required: readonly string[]): HubSpotHttpError {
  return new HubSpotHttpError(
    403,
    errorBody(
      'MISSING_SCOPES',
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
      {
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: [...required] },
          },
        ],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
      },
    ),
  );
}

function burstHeaders(remaining: number): Record<string, string> {
  // OAuth calls carry no daily headers: "there is no daily limit for these calls" (hubspot.md §4.1–4.2).
  return {
    'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDLY.windowMs),
    'X-HubSpot-RateLimit-Max': String(TEN_SECONDLY.max),
    'X-HubSpot-RateLimit-Remaining': String(remaining),
  };
}

/** The documented 429 body; the SDK's retry keys on `policyName` (hubspot.md §4.3). */
export function tenSecondlyBody(): Record<string, unknown> {
  const body = errorBody('RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.');
  return {
    status: 'error',
    message: body.message,
    errorType: 'RATE_LIMIT',
    correlationId: body.correlationId,
    policyName: 'TEN_SECONDLY_ROLLING',
    requestId: body.correlationId,
  };
}

function searchLimitBody(): Record<string, unknown> {
  const body = errorBody('RATE_LIMITS', 'You have reached your secondly limit.');
  // The SDK recognises the search limiter by this exact message (hubspot.md §4.3).
  return {
    status: 'error',
    message: body.message,
    errorType: 'RATE_LIMIT',
    correlationId: body.correlationId,
    policyName: 'SECONDLY',
    requestId: body.correlationId,
  };
}

function faultAnswer(rule: FaultRule): RouteResult {
  switch (rule.kind) {
    case 'rate-limit':
      return { status: 429, body: tenSecondlyBody(), headers: burstHeaders(0) };
    case 'lock':
      // "Locks will last for 2 seconds" after heavy bursts of writes (hubspot.md §3.4); the body is UNVERIFIED.
      return {
        status: 423,
        body: errorBody('LOCKED', 'The record is locked by a concurrent write; retry in 2 seconds.'),
      };
    default: {
      const status = rule.status ?? 500;
      if (rule.html === true)
        return { status, html: `<html><body><h1>${status} Server Error</h1></body></html>` };
      return {
        status,
        body: errorBody(
          status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR',
          `Injected fault: HTTP ${status}`,
        ),
      };
    }
  }
}

export function createRequestHandler(
  state: EmulatorState,
  router: Router,
): (req: IncomingMessage, res: ServerResponse) => void {
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      state.clock.setTimer(resolve, ms);
    });

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ status: number; portalId: number | undefined }> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const rawBody = await readRaw(req);
    const matched = router.match(method, url.pathname);
    if (matched === undefined) {
      send(res, {
        status: 501,
        body: errorBody(
          'NOT_IMPLEMENTED',
          `The HubSpot emulator does not implement ${method} ${url.pathname}`,
        ),
      });
      return { status: 501, portalId: undefined };
    }
    const { route, params } = matched;
    let portal: Portal | undefined;
    let token: AccessToken | undefined;
    let extraHeaders: Record<string, string> = {};
    try {
      if (route.auth === 'bearer')
        ({ token, portal } = authenticate(state, req.headers.authorization, state.clock.now()));
      for (const rule of state.faults.draw(portal?.id, method, url.pathname)) {
        if (rule.kind === 'latency') {
          await sleep(rule.latencyMs ?? 1_000);
          continue;
        }
        if (rule.kind === 'drop') throw new Dropped();
        const answer = faultAnswer(rule);
        send(res, answer);
        return { status: answer.status, portalId: portal?.id };
      }
      const now = state.clock.now();
      if (portal !== undefined && route.limit === 'standard') {
        const taken = portal.burst.take(now);
        extraHeaders = burstHeaders(taken.remaining);
        if (!taken.allowed) throw new HubSpotHttpError(429, tenSecondlyBody(), extraHeaders);
      }
      if (portal !== undefined && route.limit === 'search' && !portal.search.take(now).allowed) {
        // Search answers carry no rate-limit headers (hubspot.md §4.2).
        throw new HubSpotHttpError(429, searchLimitBody());
      }
      const granted = token?.scopes ?? [];
      if (token !== undefined) {
        for (const rule of [route.scopes, route.alsoScopes]) {
          const anyOf = rule?.(params);
          if (anyOf !== undefined && !anyOf.some((s) => granted.includes(s))) throw missingScopes(anyOf);
        }
      }
      const result = await route.handler({
        method,
        path: url.pathname,
        params,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        now,
        portal,
        token,
      });
      send(res, { ...result, headers: { ...extraHeaders, ...result.headers } });
      return { status: result.status, portalId: portal?.id };
    } catch (error) {
      if (error instanceof Dropped) {
        // A dropped connection: no answer at all, the client sees a reset socket.
        req.socket.destroy();
        return { status: 0, portalId: portal?.id };
      }
      if (error instanceof HubSpotHttpError) {
        send(res, { status: error.status, body: error.body, headers: { ...extraHeaders, ...error.headers } });
        return { status: error.status, portalId: portal?.id };
      }
      const message = error instanceof Error ? error.message : String(error);
      send(res, { status: 500, body: errorBody('INTERNAL_ERROR', `Emulator error: ${message}`) });
      return { status: 500, portalId: portal?.id };
    }
  }

  return (req, res) => {
    const at = state.clock.now();
    handle(req, res).then(
      ({ status, portalId }) => {
        state.requests.push({
          at,
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://emulator').pathname,
          status,
          portalId,
        });
      },
      () => {
        req.socket.destroy();
      },
    );
  };
}
