/**
 * Test harness: a real app on a real ephemeral port, over in-memory store slices, with the real
 * winston logger writing into a buffer. Used by the *.int.test.ts files; not part of the runtime.
 */
import { PassThrough } from 'node:stream';
import { InMemoryAuthStore, generateApiKey } from '../kit/auth/index.ts';
import type { Role } from '../kit/auth/index.ts';
import { loadConfig } from '../kit/config/index.ts';
import { createLogger } from '../kit/logging/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import type { MigrationStatus, Tenant } from '../kit/store/index.ts';
import { createApp } from './app.ts';
import { createMetrics, startServer } from '../kit/http/index.ts';
import type { HealthStore, Metrics } from '../kit/http/index.ts';
import type { AuditEntry } from '../kit/audit/index.ts';
import { adminRoutes } from '../admin/index.ts';
import type { AdminStore } from '../admin/index.ts';

/** The in-memory auth store plus switchable readiness, standing in for the durable store. */
export class FakeAppStore extends InMemoryAuthStore implements AdminStore, HealthStore {
  reachable = true;
  pendingMigrations: string[] = [];

  ping(): Promise<void> {
    return this.reachable
      ? Promise.resolve()
      : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  }

  /** When set, tenant reads and policy saves fail with it (to test what errors leave in the log). */
  failure: Error | undefined;

  override getTenant(id: string): Promise<Tenant | undefined> {
    return this.failure === undefined ? super.getTenant(id) : Promise.reject(this.failure);
  }

  override savePolicy(
    ...args: Parameters<InMemoryAuthStore['savePolicy']>
  ): ReturnType<InMemoryAuthStore['savePolicy']> {
    return this.failure === undefined ? super.savePolicy(...args) : Promise.reject(this.failure);
  }

  migrationStatus(): Promise<MigrationStatus> {
    return Promise.resolve({
      current: 1,
      latest: 1 + this.pendingMigrations.length,
      pending: this.pendingMigrations,
    });
  }
}

export const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

export function tenant(id: string): Tenant {
  return {
    id,
    crm: 'hubspot',
    externalId: `portal-${id}`,
    name: `Tenant ${id}`,
    status: 'active',
    createdAt: NOW,
  };
}

export interface Harness {
  readonly url: string;
  readonly store: FakeAppStore;
  readonly metrics: Metrics;
  readonly audit: AuditEntry[];
  readonly logger: Logger;
  /** Every JSON log line written so far, raw. */
  logText(): string;
  logLines(): Record<string, unknown>[];
  /** Creates a key for the tenant (adding the tenant if new) and returns the full key. */
  issueKey(tenantId: string, role: Role): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const config = loadConfig(options.env ?? {});
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'debug', stream });
  const store = new FakeAppStore();
  const metrics = createMetrics();
  const audit: AuditEntry[] = [];
  const admin = adminRoutes({
    config,
    logger,
    store,
    clock: { now: () => NOW },
    audit: {
      append: (entry) => {
        audit.push(entry);
        return Promise.resolve();
      },
    },
  });
  const app = createApp({
    logger,
    store,
    metrics,
    metricsAccess: { host: config.host, token: config.metricsToken },
    routers: [admin],
  });
  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  const logText = (): string => chunks.join('');
  return {
    url: server.url,
    store,
    metrics,
    audit,
    logger,
    logText,
    logLines: () =>
      logText()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    issueKey: async (tenantId, role) => {
      if (!store.tenants.has(tenantId)) store.addTenant(tenant(tenantId));
      const key = generateApiKey();
      await store.putApiKey({
        tenantId,
        id: key.keyId,
        keyHash: key.keyHash,
        role,
        label: `${role} key`,
        createdAt: NOW,
        revokedAt: null,
      });
      return key.key;
    },
    close: () => server.close(),
  };
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** fetch that always reads the body, so no test leaves a connection half-read. */
export async function call(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

export function bearer(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, ...extra };
}
