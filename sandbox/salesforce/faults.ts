import type { NextFunction, Request, Response } from 'express';
import { sendJson } from './http.ts';

/**
 * - `latency`: delay before the request is handled.
 * - `status`: a 5xx answer (500 UNKNOWN_EXCEPTION, 503 SERVER_UNAVAILABLE, others as HTML).
 * - `drop`: the socket is destroyed before the request is handled.
 * - `drop-after`: the request is handled (a write commits) and the socket is destroyed instead of
 *   answering, as when a connection dies on the way back: the client cannot know it landed.
 * - `concurrent-limit`: 403 REQUEST_LIMIT_EXCEEDED "ConcurrentRequests (Concurrent API Requests) Limit
 *   exceeded." — the limit on long-running calls, which passes in seconds (salesforce.md §4, §7).
 */
export type FaultKind = 'latency' | 'status' | 'drop' | 'drop-after' | 'concurrent-limit';

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

/**
 * A per-record failure inside sObject Collections answers (HTTP 200, the item's SaveResult carries
 * `statusCode`, salesforce.md §3): `UNABLE_TO_LOCK_ROW` when another transaction holds the row,
 * `FIELD_CUSTOM_VALIDATION_EXCEPTION` from an org's validation rule, and so on.
 */
export interface RecordFaultRule {
  statusCode: string;
  message: string;
  fields?: string[];
  /** Only these record ids (15 or 18 characters); any record when absent. */
  ids?: readonly string[];
  /** Only create or update; both when absent. */
  operation?: 'create' | 'update';
  count?: number;
  probability?: number;
  seed?: number;
}

interface ActiveRecordRule extends RecordFaultRule {
  remaining: number;
  random: () => number;
  fired: number;
  idSet: Set<string> | undefined;
}

const id15 = (id: string): string => id.slice(0, 15);

const CONCURRENT_LIMIT = {
  errorCode: 'REQUEST_LIMIT_EXCEEDED',
  message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
};

const STATUS_BODIES: Record<number, { errorCode: string; message: string }> = {
  500: {
    errorCode: 'UNKNOWN_EXCEPTION',
    message:
      'An unexpected error occurred. Please include this ErrorId if you contact support: 0000000000-00000 (emulated)',
  },
  503: { errorCode: 'SERVER_UNAVAILABLE', message: 'Server unavailable (emulated fault)' },
};

/** Switchable faults: latency, 5xx answers, dropped connections and limit storms per org and route; per-item Collections failures. */
export class FaultController {
  private rules: ActiveRule[] = [];
  private recordRules: ActiveRecordRule[] = [];

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

  /** A per-item failure inside sObject Collections answers; returns a remover. */
  addRecordFault(rule: RecordFaultRule): () => void {
    const active: ActiveRecordRule = {
      ...rule,
      remaining: rule.count ?? Infinity,
      random: seeded(rule.seed ?? 1),
      fired: 0,
      idSet: rule.ids === undefined ? undefined : new Set(rule.ids.map(id15)),
    };
    this.recordRules.push(active);
    return () => {
      this.recordRules = this.recordRules.filter((r) => r !== active);
    };
  }

  /** The failure for one Collections item, if a record rule fires for it (called by the route). */
  recordFault(
    operation: 'create' | 'update',
    id: string | undefined,
  ): { statusCode: string; message: string; fields: string[] } | undefined {
    const rule = this.recordRules.find((r) => {
      if (r.remaining <= 0) return false;
      if (r.operation !== undefined && r.operation !== operation) return false;
      if (r.idSet !== undefined && (id === undefined || !r.idSet.has(id15(id)))) return false;
      return r.probability === undefined || r.random() < r.probability;
    });
    if (!rule) return undefined;
    rule.remaining -= 1;
    rule.fired += 1;
    return { statusCode: rule.statusCode, message: rule.message, fields: rule.fields ?? [] };
  }

  /** Times each record rule fired, in the order added (for tests). */
  recordFiredCounts(): number[] {
    return this.recordRules.map((r) => r.fired);
  }

  clear(): void {
    this.rules = [];
    this.recordRules = [];
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
      if (rule.kind === 'drop-after') {
        // Handled in full (writes commit, the call is counted), then the answer never arrives.
        const drop = (): Response => {
          req.socket.destroy();
          return res;
        };
        res.end = drop as Response['end'];
        next();
        return;
      }
      if (rule.kind === 'concurrent-limit') {
        sendJson(res, 403, [CONCURRENT_LIMIT]);
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
