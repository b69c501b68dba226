import { seededRandom } from '../../scoring/index.ts';

/**
 * Switchable faults for tests: latency, 5xx answers, 429 storms, dropped connections (the socket
 * is destroyed mid-request) and 423 locks ("Locks will last for 2 seconds", hubspot.md §3.4).
 * A rule targets a portal, a method and a path pattern, and fires a number of times and/or with a
 * probability drawn from a seeded generator, so a "30% of batch updates fail" run is repeatable.
 */
export type FaultKind = 'latency' | 'status' | 'rate-limit' | 'drop' | 'lock';

export interface FaultRule {
  kind: FaultKind;
  /** Only requests of this portal (authenticated routes); any portal when absent. */
  portalId?: number;
  method?: string;
  /** `*` matches one path segment, `**` any rest: `/crm/v3/objects/*\/batch/**`. Any path when absent. */
  path?: string;
  /** Fire at most this many times; unlimited when absent. */
  count?: number;
  /** Chance of firing for each matching request (seeded); 1 when absent. */
  probability?: number;
  /** `status`: the HTTP status, 500 by default. */
  status?: number;
  /** `status`: answer an HTML page instead of HubSpot's JSON error (as some gateways do). */
  html?: boolean;
  /** `latency`: delay in milliseconds, on the emulator's clock. */
  latencyMs?: number;
}

export interface FaultHandle {
  readonly id: number;
  /** How many times the rule has fired. */
  readonly fired: number;
}

interface Active {
  id: number;
  rule: FaultRule;
  regex: RegExp | null;
  remaining: number;
  fired: number;
}

export class FaultInjector {
  private readonly rules: Active[] = [];
  private random: () => number;
  private nextId = 1;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  add(rule: FaultRule): FaultHandle {
    const active: Active = {
      id: this.nextId++,
      rule,
      regex: rule.path === undefined ? null : compile(rule.path),
      remaining: rule.count ?? Number.POSITIVE_INFINITY,
      fired: 0,
    };
    this.rules.push(active);
    return {
      id: active.id,
      get fired() {
        return active.fired;
      },
    };
  }

  remove(handle: FaultHandle): void {
    const i = this.rules.findIndex((r) => r.id === handle.id);
    if (i >= 0) this.rules.splice(i, 1);
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The rules that fire for this request, in the order they were added. */
  draw(portalId: number | undefined, method: string, path: string): FaultRule[] {
    const out: FaultRule[] = [];
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.rule.portalId !== undefined && r.rule.portalId !== portalId) continue;
      if (r.rule.method !== undefined && r.rule.method.toUpperCase() !== method) continue;
      if (r.regex !== null && !r.regex.test(path)) continue;
      if (r.rule.probability !== undefined && this.random() >= r.rule.probability) continue;
      r.remaining--;
      r.fired++;
      out.push(r.rule);
    }
    return out;
  }
}

function compile(pattern: string): RegExp {
  const escaped = pattern
    .split('/')
    .map((seg) => (seg === '**' ? '.*' : seg === '*' ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}
