import type { IncomingHttpHeaders } from 'node:http';
import type { Portal } from './portal.ts';
import type { AccessToken } from './tokens.ts';

/** What a route handler sees: the parsed request, its portal and token when authenticated. */
export interface RouteRequest {
  method: string;
  path: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  now: number;
  /** Set on `auth: 'bearer'` routes. */
  portal: Portal | undefined;
  token: AccessToken | undefined;
}

export interface RouteResult {
  status: number;
  /** Serialised as JSON with `Content-Type: application/json`. */
  body?: unknown;
  /** Sent as-is with `Content-Type: text/html` (the authorize page). */
  html?: string;
  headers?: Record<string, string>;
}

export type AuthMode = 'none' | 'bearer';
/** Which rate budget a route spends: the 110/10 s burst, search's own 5/s, or none (OAuth). */
export type LimitKind = 'standard' | 'search' | 'none';

export interface Route {
  method: string;
  pattern: string;
  auth: AuthMode;
  limit: LimitKind;
  /** Any one of these scopes grants access; undefined means the route needs none beyond a token. */
  scopes?: (params: Readonly<Record<string, string>>) => readonly string[] | undefined;
  /** A second requirement, also any-of (associations need read access to both sides). */
  alsoScopes?: (params: Readonly<Record<string, string>>) => readonly string[] | undefined;
  handler: (req: RouteRequest) => RouteResult | Promise<RouteResult>;
}

interface Compiled {
  route: Route;
  segments: string[];
}

export class Router {
  private readonly routes: Compiled[] = [];

  add(route: Route): void {
    this.routes.push({ route, segments: split(route.pattern) });
  }

  /** The first matching route, preferring literal segments over `:params` in declaration order. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = split(path);
    for (const c of this.routes) {
      if (c.route.method !== method || c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = c.segments[i] as string;
        const part = parts[i] as string;
        if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(part);
        else ok = seg === part;
      }
      if (ok) return { route: c.route, params };
    }
    return undefined;
  }
}

function split(path: string): string[] {
  // The SDK calls some paths with a trailing slash (`/events/v3/events/`): treat it as absent.
  return path.split('/').filter((s) => s !== '');
}
