import type { NextFunction, Request, Response } from 'express';
import { sendJson } from './http.ts';

export type FaultKind = 'latency' | 'status' | 'drop';

export interface FaultRule {
  kind: FaultKind;
  /** Only requests whose token belongs to this org (resolved by the caller); any org when absent. */
  orgId?: string;
  method?: string;
  /** Matched against the path (no query string). */
  path?: string | RegExp;
  /** For `status`: 500, 502, 503, … */
  status?: number;
  /** For `latency`: delay before the request is handled. */
  latencyMs?: number;
  /** Fire this many times, then retire. */
  count?: number;
  /** Fire with this probability, drawn from a seeded generator. */
  probability?: number;
  seed?: number;
}

interface ActiveRule extends FaultRule {
  remaining: number;
  random: () => number;
  fired: number;
}

/** mulberry32: small, seedable, good enough to make fault storms reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUS_BODIES: Record<number, { errorCode: string; message: string }> = {
  500: {
    errorCode: 'UNKNOWN_EXCEPTION',
    message:
      'An unexpected error occurred. Please include this ErrorId if you contact support: 0000000000-00000 (emulated)',
  },
  503: { errorCode: 'SERVER_UNAVAILABLE', message: 'Server unavailable (emulated fault)' },
};

/** Switchable faults: latency, 5xx answers and dropped connections, per org and route. */
export class FaultController {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): () => void {
    const active: ActiveRule = {
      ...rule,
      remaining: rule.count ?? Infinity,
      random: seeded(rule.seed ?? 1),
      fired: 0,
    };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** Times each rule fired, in the order added (for tests). */
  firedCounts(): number[] {
    return this.rules.map((r) => r.fired);
  }

  middleware(orgOf: (req: Request) => string | undefined) {
    return (req: Request, res: Response, next: NextFunction): void => {
      const path = req.path;
      const rule = this.rules.find((r) => {
        if (r.remaining <= 0) return false;
        if (r.method !== undefined && r.method.toUpperCase() !== req.method) return false;
        if (
          r.path !== undefined &&
          !(typeof r.path === 'string' ? path === r.path || path.startsWith(r.path) : r.path.test(path))
        ) {
          return false;
        }
        if (r.orgId !== undefined && orgOf(req) !== r.orgId) return false;
        return r.probability === undefined || r.random() < r.probability;
      });
      if (!rule) {
        next();
        return;
      }
      rule.remaining -= 1;
      rule.fired += 1;
      if (rule.kind === 'latency') {
        setTimeout(next, rule.latencyMs ?? 0);
        return;
      }
      if (rule.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      const status = rule.status ?? 503;
      const body = STATUS_BODIES[status];
      if (body) {
        sendJson(res, status, [body]);
        return;
      }
      res.status(status).setHeader('Content-Type', 'text/html');
      res.end(`<html><body>${status} emulated fault</body></html>`);
    };
  }
}
