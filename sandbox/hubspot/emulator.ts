import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GeneratedPortal } from '../generator/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { FaultInjector, type FaultHandle, type FaultRule } from './faults.ts';
import { createRequestHandler } from './pipeline.ts';
import type { Portal } from './portal.ts';
import { Router } from './router.ts';
import { registerAssociationRoutes } from './routes-associations.ts';
import { registerBatchRoutes } from './routes-batch.ts';
import { registerEventRoutes } from './routes-events.ts';
import { registerObjectRoutes } from './routes-objects.ts';
import { registerOAuthRoutes, type AuthorizeDecision } from './routes-oauth.ts';
import { registerPropertyRoutes } from './routes-properties.ts';
import { registerSearchRoutes } from './routes-search.ts';
import { seedPortal, type SeedResult } from './seed.ts';
import { EmulatorState, type AppConfig, type CreatePortalOptions, type RequestRecord } from './state.ts';
import { WebhookDispatcher, type DeliveryAttempt, type Transport, type WebhookSettings } from './webhooks.ts';

export interface HubSpotEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  clock?: Clock;
  app?: Partial<AppConfig>;
  /** Seeds the fault and webhook-jitter generators. */
  seed?: number;
  /** Replaces HTTP delivery of webhooks (tests that want no socket at all). */
  webhookTransport?: Transport;
}

export interface PortalsApi {
  create(options?: CreatePortalOptions): Portal;
  get(id: number): Portal;
  list(): Portal[];
  seed(portalId: number, data: GeneratedPortal): SeedResult;
}

export interface OAuthApi {
  /** What the next authorize requests answer (approve by default). */
  setDecision(decision: AuthorizeDecision): void;
  /** A token pair for a portal without the browser dance. */
  issueTokens(
    portalId: number,
    scopes: readonly string[],
  ): { accessToken: string; refreshToken: string; expiresAt: number };
  /** Drops every OAuth token of a portal (an uninstall). */
  revoke(portalId: number): void;
}

export interface FaultsApi {
  add(rule: FaultRule): FaultHandle;
  remove(handle: FaultHandle): void;
  clear(): void;
}

export interface WebhooksApi {
  configure(settings: WebhookSettings | undefined): void;
  /** Every delivery attempt so far, retries included. */
  readonly attempts: readonly DeliveryAttempt[];
  /** Sends queued events now instead of after the batching delay. */
  flush(): void;
  /** Resolves when no delivery is on the wire. */
  idle(): Promise<void>;
}

export interface HubSpotEmulator {
  /** Base URL without a trailing slash: give it to the SDK as `basePath`. */
  readonly url: string;
  readonly app: AppConfig;
  readonly clock: Clock;
  readonly portals: PortalsApi;
  readonly oauth: OAuthApi;
  readonly faults: FaultsApi;
  readonly webhooks: WebhooksApi;
  /** Every request answered (or dropped, status 0), in order. */
  readonly requests: readonly RequestRecord[];
  close(): Promise<void>;
}

export async function startHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  const clock = options.clock ?? systemClock();
  const app: AppConfig = {
    appId: options.app?.appId ?? 4_100_001,
    clientId: options.app?.clientId ?? 'leadgate-emulator-client-id',
    clientSecret: options.app?.clientSecret ?? 'leadgate-emulator-client-secret',
    redirectUrls: options.app?.redirectUrls ?? [],
  };
  const seed = options.seed ?? 1;
  const faults = new FaultInjector(seed);
  const webhooks = new WebhookDispatcher(clock, app, options.webhookTransport, seed);
  const state = new EmulatorState(clock, app, faults, webhooks);
  let decision: AuthorizeDecision = {};

  const router = new Router();
  registerOAuthRoutes(router, state, () => decision);
  registerSearchRoutes(router);
  registerBatchRoutes(router);
  registerObjectRoutes(router);
  registerPropertyRoutes(router);
  registerAssociationRoutes(router);
  registerEventRoutes(router);

  const server = createServer(createRequestHandler(state, router));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const portal = (id: number): Portal => {
    const p = state.portals.get(id);
    if (p === undefined) throw new Error(`no portal ${id}`);
    return p;
  };

  return {
    url: `http://${host}:${address.port}`,
    app,
    clock,
    portals: {
      create: (o) => state.createPortal(o),
      get: portal,
      list: () => [...state.portals.values()],
      seed: (id, data) => seedPortal(portal(id), data),
    },
    oauth: {
      setDecision: (d) => {
        decision = d;
      },
      issueTokens: (portalId, scopes) => {
        portal(portalId);
        const issued = state.tokens.issueOAuthTokens(
          { portalId, scopes, clientId: app.clientId, userId: 1001, user: 'admin@example.com' },
          app.appId,
          clock.now(),
        );
        return {
          accessToken: issued.accessToken.token,
          refreshToken: issued.refreshToken,
          expiresAt: issued.accessToken.expiresAt ?? 0,
        };
      },
      revoke: (portalId) => {
        state.tokens.revokePortal(portalId);
      },
    },
    faults: {
      add: (rule) => faults.add(rule),
      remove: (handle) => {
        faults.remove(handle);
      },
      clear: () => {
        faults.clear();
      },
    },
    webhooks: {
      configure: (settings) => {
        webhooks.configure(settings);
      },
      get attempts() {
        return webhooks.attempts;
      },
      flush: () => {
        webhooks.flush();
      },
      idle: () => webhooks.idle(),
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
