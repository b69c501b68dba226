import { ConnectorError, type Page } from '../types.ts';

/** Cursors are opaque to callers: base64url JSON, checked on the way back in. */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ConnectorError('invalid_request', 'not a HubSpot connector cursor');
  }
  if (!check(parsed)) throw new ConnectorError('invalid_request', 'not a HubSpot connector cursor');
  return parsed;
}

/** A backfill cursor: which phase (object or event type) and HubSpot's `after` within it. */
export interface PhaseCursor {
  phase: string;
  after?: string;
}

export function isPhaseCursor(v: unknown): v is PhaseCursor {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.phase === 'string' && (r.after === undefined || typeof r.after === 'string');
}

/** The next cursor of a phased listing: the same phase while HubSpot pages, then the next phase. */
export function nextPhaseCursor(
  phases: readonly string[],
  phase: string,
  after: string | undefined,
): string | undefined {
  if (after !== undefined) return encodeCursor({ phase, after });
  const next = phases[phases.indexOf(phase) + 1];
  return next === undefined ? undefined : encodeCursor({ phase: next });
}

/** The phase a backfill cursor names, or the first phase when there is no cursor yet. */
export function phaseOf(cursor: string | undefined, phases: readonly string[]): PhaseCursor {
  if (cursor === undefined) return { phase: phases[0] as string };
  const c = decodeCursor(cursor, isPhaseCursor);
  if (!phases.includes(c.phase))
    throw new ConnectorError('invalid_request', `unknown cursor phase "${c.phase}"`);
  return c;
}

/** HubSpot's `after` within a single-phase listing (people, companies). */
export function afterOf(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor, isPhaseCursor).after;
}

/** A page that states `next` only when there is one (exactOptionalPropertyTypes). */
export function page<T>(items: T[], next: string | undefined): Page<T> {
  return next === undefined ? { items } : { items, next };
}
