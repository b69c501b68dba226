import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/** Who may read /metrics: the HOST the server binds to and LEADGATE_METRICS_TOKEN (null when unset). */
export interface MetricsAccess {
  readonly host: string;
  readonly token: string | null;
}

/** What one /metrics request gets: the metrics, a 401 asking for the token, or the plain 404. */
export type MetricsDecision = 'serve' | 'unauthorized' | 'hidden';

export interface MetricsRequest {
  /** The TCP peer (`req.socket.remoteAddress`), never a header a client can set. */
  readonly remoteAddress: string | undefined;
  /** The request came through a proxy (Forwarded / X-Forwarded-For present). */
  readonly proxied: boolean;
  readonly authorization: string | undefined;
}

// 127.0.0.0/8 and ::1; BlockList also matches their IPv4-mapped IPv6 form (`::ffff:127.0.0.1`), which is
// how a socket listening on `::` or `0.0.0.0` in dual-stack mode reports an IPv4 loopback peer.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return LOOPBACK.check(bare, 'ipv4');
  if (family === 6) return LOOPBACK.check(bare, 'ipv6');
  return false;
}

/** HOST binds loopback only: `localhost` or a loopback address; 0.0.0.0, :: and other names do not. */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/** Compared as SHA-256 digests so timingSafeEqual gets equal lengths and the time says nothing of the token. */
function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function bearerOf(authorization: string | undefined): string | undefined {
  // RFC 6750 §2.1: the scheme is case-insensitive.
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * The /metrics rule (issue 14 item 15). A loopback peer is a scraper on this host: served. A proxied
 * request is not local even when the proxy sits on this host (its peer address is loopback), so it is
 * treated like any remote client. A remote client needs `Authorization: Bearer <LEADGATE_METRICS_TOKEN>`;
 * with no token configured /metrics does not exist for it (404, like any unknown path).
 */
export function decideMetricsAccess(request: MetricsRequest, access: MetricsAccess): MetricsDecision {
  if (isLoopbackAddress(request.remoteAddress) && !request.proxied) return 'serve';
  if (access.token === null) return 'hidden';
  const given = bearerOf(request.authorization);
  return given !== undefined && tokenMatches(given, access.token) ? 'serve' : 'unauthorized';
}
