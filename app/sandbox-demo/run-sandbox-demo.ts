import { CONSENT_PROPERTIES, PERSON_PROPERTIES } from '../../connectors/hubspot/index.ts';
import type { Subscription } from '../../sandbox/hubspot/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { Config } from '../config/index.ts';
import { buildRuntime, mergeSandboxFile, readSandboxFile, sandboxFilePath } from '../runtime/index.ts';
import type { Runtime, RuntimeOptions } from '../runtime/index.ts';
import type { Closer } from '../server/index.ts';
import { ensureTenantAdminKey } from './admin-key.ts';
import { demoLines } from './banner.ts';
import {
  restoreWrittenScores,
  startDemoPortal,
  type DemoPortal,
  type DemoPortalParams,
} from './emulator-portal.ts';
import { installThroughOAuth } from './install.ts';
import { demoParams } from './params.ts';
import { ProgressView, progressLine, type ProgressSink } from './progress.ts';
import { fetchStatus } from './status-client.ts';
import { pollUntilLive } from './poll-until-live.ts';

export interface SandboxDemoOptions {
  /** Passed to buildRuntime; the HubSpot app is always the emulator's. */
  readonly runtime?: Omit<RuntimeOptions, 'hubspot'>;
  /** Default: process.stderr. */
  readonly progress?: ProgressSink;
  /** Longest wait for `live`; default 15 minutes (5,000 contacts take well under one). */
  readonly liveTimeoutMs?: number;
  /** Status poll interval; default 250 ms. */
  readonly pollMs?: number;
  /** Called once the server listens, before the wait for `live`: print URLs, install signal handlers. */
  readonly onStarted?: (started: { runtime: Runtime; closers: readonly Closer[] }) => void;
  /** Aborted (a shutdown signal during the wait): stop waiting and reject. */
  readonly signal?: AbortSignal;
}

export interface SandboxDemo {
  readonly runtime: Runtime;
  readonly portal: DemoPortal;
  readonly params: DemoPortalParams;
  readonly tenantId: string;
  readonly apiKey: string;
  /** True when this start found the tenant of a previous run. */
  readonly resumed: boolean;
  /** A contact to open on the sandbox record page, the highest scored one. */
  readonly contactId: string;
  readonly contactUrl: string;
  readonly msToLive: number;
  /** What `npm start` prints after the runtime banner. */
  readonly lines: readonly string[];
  /** The runtime's closers, then the emulator's (the worker may still be calling it). */
  readonly closers: readonly Closer[];
  close(): Promise<void>;
}

/** Contact changes that can move a score: creation, deletion, privacy deletion and the fields we read. */
export function demoSubscriptions(): Subscription[] {
  const watched = [...PERSON_PROPERTIES, ...CONSENT_PROPERTIES].filter(
    (p) => p !== 'createdate' && p !== 'lastmodifieddate',
  );
  return [
    { subscriptionType: 'contact.creation' },
    { subscriptionType: 'contact.deletion' },
    { subscriptionType: 'contact.privacyDeletion' },
    ...watched.map((propertyName): Subscription => ({
      subscriptionType: 'contact.propertyChange',
      propertyName,
    })),
  ];
}

function scorableCount(portal: DemoPortal): number {
  return portal.data.contacts.filter((c) => c.consent.lawfulBasis !== 'none' && !c.consent.emailOptOut)
    .length;
}

function topContact(portal: DemoPortal): string {
  let best: { id: string; score: number } | undefined;
  for (const id of portal.contactIds) {
    const score = Number(portal.portal.get('contacts', id)?.properties.get('leadgate_score') ?? NaN);
    if (Number.isFinite(score) && (best === undefined || score > best.score)) best = { id, score };
  }
  const id = best?.id ?? portal.contactIds[0];
  if (id === undefined) throw new Error('the demo portal has no contacts');
  return id;
}

async function waitForLive(
  baseUrl: string,
  apiKey: string,
  portal: DemoPortal,
  options: SandboxDemoOptions,
): Promise<void> {
  const view = new ProgressView(options.progress ?? process.stderr);
  const totals = { contacts: portal.data.contacts.length, scorable: scorableCount(portal) };
  try {
    await pollUntilLive({
      fetchStatus: () => fetchStatus(baseUrl, apiKey),
      onStatus: (status) => {
        view.show(progressLine(status, totals));
      },
      deadline: Date.now() + (options.liveTimeoutMs ?? 15 * 60_000),
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      pollMs: options.pollMs ?? 1_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } finally {
    view.done();
  }
}

async function prepare(config: Config, portal: DemoPortal, options: SandboxDemoOptions): Promise<Runtime> {
  const { emulator } = portal;
  return buildRuntime(config, {
    ...options.runtime,
    hubspot: {
      clientId: emulator.app.clientId,
      clientSecret: emulator.app.clientSecret,
      basePath: emulator.url,
      authorizeUrl: `${emulator.url}/oauth/authorize`,
      appId: emulator.app.appId,
    },
  });
}

/**
 * The sandbox demo behind `npm start` (issue 4, item 9): emulator, seeded portal, leadgate installed
 * through the real OAuth flow, webhooks pointed at us, and a wait until the backfill is scored and
 * written. A second start on the same data folder rebuilds the same portal, finds the same tenant, puts
 * back the scores it had written, and re-authorizes (the emulator's tokens lived in memory only).
 */
export async function runSandboxDemo(config: Config, options: SandboxDemoOptions = {}): Promise<SandboxDemo> {
  const started = Date.now();
  const params = demoParams(readSandboxFile(config.dataDir), config.sandboxDemo.contacts, started);
  const portal = await startDemoPortal(params, config.sandboxDemo.hubspotPort);
  let emulatorClosed: Promise<void> | undefined;
  // Once only: a shutdown signal and a failed start may both get here.
  const emulatorCloser: Closer = {
    name: 'hubspot emulator',
    close: () => (emulatorClosed ??= portal.emulator.close()),
  };
  let runtime: Runtime | undefined;
  try {
    runtime = await prepare(config, portal, options);
    options.onStarted?.({ runtime, closers: [...runtime.closers, emulatorCloser] });
    const { store, logger } = runtime;
    const portalId = String(portal.portal.id);
    const resumed = (await store.findTenantByExternalId('hubspot', portalId)) !== undefined;
    // A re-install on resume is idempotent: the same tenant, new tokens, no second backfill.
    await installThroughOAuth(runtime.urls.base);
    const tenant = await store.findTenantByExternalId('hubspot', portalId);
    if (tenant === undefined) throw new Error(`the install did not create a tenant for portal ${portalId}`);
    const restored = resumed ? await restoreWrittenScores(store, tenant.id, portal.portal) : 0;
    const { apiKey } = await ensureTenantAdminKey(
      {
        store,
        dataDir: config.dataDir,
        audit: async (entry) => {
          await appendAudit(store, entry, entry.at);
        },
        now: Date.now(),
      },
      tenant.id,
    );
    portal.emulator.webhooks.configure({
      targetUrl: `${runtime.publicUrl()}/webhooks/hubspot`,
      subscriptions: demoSubscriptions(),
    });
    mergeSandboxFile(config.dataDir, {
      hubspot: {
        baseUrl: portal.emulator.url,
        portalId: portal.portal.id,
        accessToken: portal.portal.privateAppToken,
      },
      apiKey,
      demo: params,
    });
    logger.info('sandbox demo installed', {
      portalId: portal.portal.id,
      tenantId: tenant.id,
      resumed,
      restored,
    });

    await waitForLive(runtime.urls.base, apiKey, portal, options);
    const msToLive = Date.now() - started;
    logger.info('sandbox demo live', { portalId: portal.portal.id, tenantId: tenant.id, msToLive });
    const contactId = topContact(portal);
    const contactUrl = `${runtime.urls.base}/sandbox/contacts/${contactId}?portalId=${portalId}`;
    const closers = [...runtime.closers, emulatorCloser];
    const rt = runtime;
    return {
      runtime,
      portal,
      params,
      tenantId: tenant.id,
      apiKey,
      resumed,
      contactId,
      contactUrl,
      msToLive,
      lines: demoLines({
        runtime,
        portal,
        apiKey,
        contactUrl,
        msToLive,
        resumed,
        file: sandboxFilePath(config.dataDir),
      }),
      closers,
      close: async () => {
        await rt.close();
        await emulatorCloser.close();
      },
    };
  } catch (err) {
    await runtime?.close();
    await emulatorCloser.close();
    throw err;
  }
}
