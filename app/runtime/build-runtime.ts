import type { Express } from 'express';
import { appendAudit } from '../kit/audit/index.ts';
import type { Config } from '../kit/config/index.ts';
import type { JobQueue, Worker } from '../kit/jobs/index.ts';
import { createLogger } from '../kit/logging/index.ts';
import type { Logger } from '../kit/logging/index.ts';
import { buildKeyRing } from '../kit/secrets/index.ts';
import type { KeyRing } from '../kit/secrets/index.ts';
import { createApp, createMetrics, runClosers, startServer, systemClock } from '../server/index.ts';
import type { AuditAppend, Clock, Closer, Metrics, RunningServer } from '../server/index.ts';
import type { Store } from '../kit/store/index.ts';
import { createConnectorFactory, createHubSpotOAuthClient } from '../integrations/crm-index.ts';
import type { ConnectorFor, HubSpotOAuthClient, OAuthClientSettings } from '../integrations/crm-index.ts';
import {
  createCdcManager,
  createSalesforceConnectorFactory,
  createSalesforceOAuthClient,
} from '../integrations/crm-index.ts';
import type { SalesforceConnectorFor, SalesforceOAuthClient, SalesforceOAuthSettings } from '../integrations/crm-index.ts';
import type { Tenant } from '../kit/store/index.ts';
import { createPipelineHandlers, startIncrementalSweep } from '../pipeline/index.ts';
import { openRuntimeStore } from './open-runtime-store.ts';
import type { RuntimeStoreOptions } from './open-runtime-store.ts';
import { createRuntimeWorker } from './runtime-worker.ts';
import type { JobHandlers } from './runtime-worker.ts';
import { ensureSandboxAccess } from './sandbox-access.ts';
import type { SandboxAccess } from './sandbox-access.ts';

export interface RuntimeOptions extends RuntimeStoreOptions {
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
  /**
   * The HubSpot OAuth app; default from HUBSPOT_CLIENT_ID/SECRET. The sandbox demo passes the
   * emulator's client and host here. Without either, install and webhooks are not mounted.
   */
  readonly hubspot?: OAuthClientSettings & { readonly appId?: number };
  /**
   * The Salesforce connected app; default from SALESFORCE_CLIENT_ID/SECRET with login.salesforce.com.
   * The sandbox passes the emulator's app and host. Without either, /install/salesforce is not mounted.
   */
  readonly salesforce?: SalesforceOAuthSettings & {
    readonly budgetShare?: number;
    readonly verifyWaitsMs?: readonly number[];
  };
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
  /** The HubSpot OAuth client and connector factory; null when no HubSpot app is configured. */
  readonly hubspot: { readonly oauth: HubSpotOAuthClient; readonly connectorFor: ConnectorFor } | null;
  /** The Salesforce OAuth client and connector factory; null when no connected app is configured. */
  readonly salesforce: {
    readonly oauth: SalesforceOAuthClient;
    readonly connectorFor: SalesforceConnectorFor;
  } | null;
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

    const cards = {
      store,
      clock,
      logger,
      publicUrl: config.publicUrl,
      hubspotClientSecret: config.hubspot?.clientSecret ?? null,
      sandbox: config.sandbox,
    };
    const hubspotSettings = options.hubspot ?? (config.hubspot === null ? undefined : { ...config.hubspot });
    const oauth = hubspotSettings === undefined ? undefined : createHubSpotOAuthClient(hubspotSettings);
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const connectorFor =
      oauth === undefined
        ? undefined
        : createConnectorFactory({ store, ring: keyRing, hubspot: oauth, clock, audit: append, sleep });
    const sfSettings =
      options.salesforce ?? (config.salesforce === null ? undefined : { ...config.salesforce });
    const sfOauth = sfSettings === undefined ? undefined : createSalesforceOAuthClient(sfSettings);
    const sfConnectorFor =
      sfOauth === undefined || sfSettings === undefined
        ? undefined
        : createSalesforceConnectorFactory({
            store,
            ring: keyRing,
            oauth: sfOauth,
            clock,
            audit: append,
            sleep,
            ...(sfSettings.budgetShare === undefined ? {} : { budgetShare: sfSettings.budgetShare }),
            ...(sfSettings.verifyWaitsMs === undefined ? {} : { verifyWaitsMs: sfSettings.verifyWaitsMs }),
          });
    const cdc =
      sfOauth === undefined
        ? undefined
        : createCdcManager({
            store,
            ring: keyRing,
            clientId: sfOauth.clientId,
            clock,
            logger,
            tokens: { store, ring: keyRing, oauth: sfOauth, clock, audit: append },
          });
    // One connectorFor for the pipeline, whichever CRM the tenant is on.
    const anyConnectorFor =
      connectorFor === undefined && sfConnectorFor === undefined
        ? undefined
        : (tenant: Tenant) => {
            if (tenant.crm === 'salesforce' && sfConnectorFor !== undefined) return sfConnectorFor(tenant);
            if (connectorFor === undefined) throw new Error(`no connector for CRM ${tenant.crm}`);
            return connectorFor(tenant);
          };
    // Sandbox on port 0 (tests): the real port is known only once listening.
    let publicUrl = config.publicUrl;
    const handlers =
      options.handlers ??
      (anyConnectorFor === undefined
        ? undefined
        : createPipelineHandlers({ store, connectorFor: anyConnectorFor, clock: () => clock.now(), sleep }));
    const app = createApp({
      config,
      logger,
      store,
      metrics,
      clock,
      audit: { append },
      status: { store },
      deadLetters: { store, clock, audit: { append }, maxBodyBytes: config.maxBodyBytes },
      cards,
      ...(oauth === undefined || connectorFor === undefined
        ? {}
        : {
            install: {
              store,
              ring: keyRing,
              hubspot: oauth,
              clock,
              logger,
              audit: append,
              publicUrl: () => publicUrl,
              connectorFor,
            },
            webhooks: {
              store,
              clock,
              logger,
              audit: append,
              publicUrl: () => publicUrl,
              clientSecret: oauth.clientSecret,
              appId: options.hubspot?.appId ?? null,
              maxBodyBytes: config.maxBodyBytes,
            },
          }),
      ...(sfOauth === undefined || sfConnectorFor === undefined
        ? {}
        : {
            salesforceInstall: {
              store,
              ring: keyRing,
              oauth: sfOauth,
              clock,
              logger,
              audit: append,
              publicUrl: () => publicUrl,
              connectorFor: sfConnectorFor,
              ...(cdc === undefined
                ? {}
                : {
                    onConnected: (tenant: Tenant) => {
                      cdc.ensure(tenant);
                    },
                  }),
            },
          }),
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
    // Change events: the orgs connected before this start subscribe now, later ones from onConnected;
    // all stop with the worker. Several processes may each subscribe: jobs are keyed by replay id, and a
    // second process batching differently at worst refetches records whose unchanged scores write nothing.
    if (cdc !== undefined) for (const tenant of await store.listTenants()) cdc.ensure(tenant);
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
        cdc?.stopAll();
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
      hubspot: oauth === undefined || connectorFor === undefined ? null : { oauth, connectorFor },
      salesforce:
        sfOauth === undefined || sfConnectorFor === undefined
          ? null
          : { oauth: sfOauth, connectorFor: sfConnectorFor },
      publicUrl: () => publicUrl,
      closers,
      close: () => (closing ??= runClosers(closers, logger)),
    };
  } catch (err) {
    await runClosers(started(), logger);
    throw err;
  }
}
