import type { Express, Router } from 'express';
import type { Connector } from '../../connectors/index.ts';
import { adminRoutes, deadLetterRoutes, statusRoutes } from '../admin/index.ts';
import { cardRoutes } from '../cards/index.ts';
import type { CrmIntegration } from '../integrations/types.ts';
import { appendAudit } from '../kit/audit/index.ts';
import type { AuditAppend } from '../kit/audit/index.ts';
import { systemClock, type Clock } from '../kit/clock.ts';
import type { Config } from '../kit/config/index.ts';
import { createMetrics, runClosers, startServer } from '../kit/http/index.ts';
import type { Closer, Metrics, RunningServer } from '../kit/http/index.ts';
import type { JobQueue, Worker } from '../kit/jobs/index.ts';
import { createLogger } from '../kit/logging/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import { buildKeyRing } from '../kit/secrets/index.ts';
import type { KeyRing } from '../kit/secrets/index.ts';
import type { Store, Tenant } from '../kit/store/index.ts';
import { createPipelineHandlers, startIncrementalSweep } from '../pipeline/index.ts';
import { createApp } from '../server/index.ts';
import { buildIntegrations, type IntegrationSettings } from './integrations.ts';
import { openRuntimeStore } from './open-runtime-store.ts';
import type { RuntimeStoreOptions } from './open-runtime-store.ts';
import { createRuntimeWorker } from './runtime-worker.ts';
import type { JobHandlers } from './runtime-worker.ts';
import { ensureSandboxAccess } from './sandbox-access.ts';
import type { SandboxAccess } from './sandbox-access.ts';

export interface RuntimeOptions extends RuntimeStoreOptions, IntegrationSettings {
  /** Default: JSON lines on stdout at the configured level. */
  readonly logger?: Logger;
  /** Default: a fresh registry with Node process metrics. */
  readonly metrics?: Metrics;
  readonly clock?: Clock;
  /** Job handlers by type; default none (no job type has a handler yet). */
  readonly handlers?: JobHandlers;
  readonly workerId?: string;
  readonly workerPollIntervalMs?: number;
  readonly leaseMs?: number;
  // `hubspot` and `salesforce` (IntegrationSettings): each CRM's app, default from its CLIENT_ID/SECRET
  // variables. The sandbox demo passes the emulators' apps and hosts. A CRM with neither is not mounted.
  /** Waits of the pipeline's write-back retries; default real timers. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RuntimeUrls {
  readonly base: string;
  readonly healthz: string;
  readonly readyz: string;
  readonly metrics: string;
  readonly adminApi: string;
}

/** A started leadgate: HTTP server listening, worker polling, store open and migrated. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly metrics: Metrics;
  readonly app: Express;
  readonly server: RunningServer;
  readonly queue: JobQueue;
  readonly worker: Worker;
  readonly workerId: string;
  /** Job types the worker claims; empty until handlers exist. */
  readonly jobTypes: readonly string[];
  readonly urls: RuntimeUrls;
  /** Migration names this start applied. */
  readonly migrationsApplied: readonly string[];
  /** The sandbox tenant's admin access; null outside sandbox mode or when the store has other tenants. */
  readonly sandbox: SandboxAccess | null;
  /** The CRMs configured in this process (app/runtime/integrations.ts), each with its routes and intake. */
  readonly integrations: readonly CrmIntegration[];
  /** The pipeline's connector for a tenant, from its CRM's integration; throws for a CRM not configured here. */
  connectorFor(tenant: Tenant): Connector | Promise<Connector>;
  /** The base HubSpot calls back (install redirect, webhooks): LEADGATE_PUBLIC_URL, or the bound URL when the sandbox port was 0. */
  publicUrl(): string;
  /** In shutdown order: the HTTP server (no new work), the worker (finishes its step), the store. */
  readonly closers: readonly Closer[];
  /** Runs the closers once; resolves true when all closed cleanly. */
  close(): Promise<boolean>;
}

function urlsOf(base: string): RuntimeUrls {
  return {
    base,
    healthz: `${base}/healthz`,
    readyz: `${base}/readyz`,
    metrics: `${base}/metrics`,
    adminApi: `${base}/api/v1`,
  };
}

/**
 * The composition root as a function: everything `npm start` runs, in one process, so tests can start
 * and stop it in-process. Whatever was opened is closed again if a later step fails.
 */
export async function buildRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = options.metrics ?? createMetrics({ processMetrics: true });
  const clock = options.clock ?? systemClock;
  // Filled as each part starts; shutdown (and a failed start) closes them in this order.
  const parts: { server?: Closer; worker?: Closer; store?: Closer } = {};
  const started = (): Closer[] =>
    [parts.server, parts.worker, parts.store].filter((c): c is Closer => c !== undefined);

  try {
    const { store, applied } = await openRuntimeStore(config, logger, options);
    parts.store = { name: 'store', close: () => store.close() };
    // Loaded at start so a bad or missing key stops the process now, not at the first OAuth token.
    const keyRing = buildKeyRing({
      current: config.encryptionKey,
      previous: config.encryptionKeysOld,
      dataDir: config.dataDir,
      sandbox: config.sandbox,
    });
    const append: AuditAppend = async (entry) => {
      await appendAudit(store, entry, entry.at);
    };
    const sandbox = config.sandbox
      ? await ensureSandboxAccess({ store, dataDir: config.dataDir, now: clock.now(), audit: { append } })
      : null;

    // Sandbox on port 0 (tests): the real port is known only once listening.
    let publicUrl = config.publicUrl;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const integrations = buildIntegrations(
      { config, store, ring: keyRing, clock, logger, audit: append, sleep, publicUrl: () => publicUrl },
      options,
    );
    // One connectorFor for the pipeline, whichever CRM the tenant is on.
    const connectorFor = (tenant: Tenant): Connector | Promise<Connector> => {
      const integration = integrations.find((i) => i.kind === tenant.crm);
      if (integration === undefined) throw new Error(`no ${tenant.crm} app is configured in this process`);
      return integration.connectorFor(tenant);
    };
    const handlers =
      options.handlers ??
      (integrations.length === 0
        ? undefined
        : createPipelineHandlers({ store, connectorFor, clock: () => clock.now(), sleep }));
    // Order matters: the admin API first (an unknown /api/v1 path without a key is 401, not 404).
    const routers: Router[] = [
      adminRoutes({ config, store, clock, audit: { append }, logger }),
      cardRoutes({
        store,
        clock,
        logger,
        publicUrl: config.publicUrl,
        hubspotClientSecret: config.hubspot?.clientSecret ?? null,
        sandbox: config.sandbox,
      }),
      statusRoutes({ store }),
      deadLetterRoutes({ store, clock, audit: { append }, maxBodyBytes: config.maxBodyBytes }),
      ...integrations.flatMap((i) => i.routers),
    ];
    const app = createApp({
      logger,
      store,
      metrics,
      metricsAccess: { host: config.host, token: config.metricsToken },
      routers,
    });
    const { queue, worker, workerId, jobTypes } = createRuntimeWorker({
      store,
      config,
      logger,
      metrics,
      ...(handlers === undefined ? {} : { handlers }),
      ...(options.workerId === undefined ? {} : { workerId: options.workerId }),
      ...(options.workerPollIntervalMs === undefined ? {} : { pollIntervalMs: options.workerPollIntervalMs }),
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    });
    const server = await startServer(app, {
      port: config.port,
      host: config.host,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
    });
    parts.server = { name: 'http server', close: () => server.close() };
    if (config.sandbox && config.port === 0) publicUrl = server.url;
    worker.start();
    // Change intake beyond HTTP (Salesforce change events) starts with the worker and stops with it.
    const stopIntegrations = async (): Promise<void> => {
      await Promise.all(integrations.map((i) => i.stop()));
    };
    parts.worker = { name: 'worker', close: () => stopIntegrations().then(() => worker.stop()) };
    for (const integration of integrations) await integration.start();
    // The incremental sweep runs and stops with the worker; only a worker that runs incremental jobs needs it.
    const sweep = jobTypes.includes('incremental')
      ? startIncrementalSweep({
          store,
          clock: () => clock.now(),
          intervalMs: config.syncIntervalMs,
          onError: (error) => {
            logger.warn('incremental sweep failed', { error: String(error) });
          },
        })
      : undefined;
    parts.worker = {
      name: 'worker',
      close: async () => {
        await stopIntegrations();
        await sweep?.stop();
        await worker.stop();
      },
    };

    const closers = started();
    let closing: Promise<boolean> | undefined;
    const urls = urlsOf(server.url);
    logger.info('leadgate started', {
      url: server.url,
      store: store.kind,
      workerId,
      jobTypes,
      sandbox: config.sandbox,
    });
    return {
      config,
      logger,
      store,
      keyRing,
      metrics,
      app,
      server,
      queue,
      worker,
      workerId,
      jobTypes,
      urls,
      migrationsApplied: applied,
      sandbox,
      integrations,
      connectorFor,
      publicUrl: () => publicUrl,
      closers,
      close: () => (closing ??= runClosers(closers, logger)),
    };
  } catch (err) {
    await runClosers(started(), logger);
    throw err;
  }
}
