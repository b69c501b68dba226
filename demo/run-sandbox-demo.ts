import { CONSENT_PROPERTIES, PERSON_PROPERTIES } from '../connectors/hubspot/index.ts';
import type { Subscription } from '../sandbox/hubspot/index.ts';
import { appendAudit } from '../app/kit/audit/index.ts';
import { parseApiKey } from '../app/kit/auth/index.ts';
import type { Config } from '../app/kit/config/index.ts';
import { buildRuntime, mergeSandboxFile, readSandboxFile, sandboxFilePath } from '../app/runtime/index.ts';
import type { Runtime, RuntimeOptions } from '../app/runtime/index.ts';
import type { AuditEntry } from '../app/kit/audit/index.ts';
import type { Closer } from '../app/kit/http/index.ts';
import { webhookUrl } from '../app/integrations/hubspot/index.ts';
import { ensureTenantAdminKey } from './admin-key.ts';
import { demoLines } from './banner.ts';
import { restoreWrittenScores, startDemoPortal, type DemoPortal } from './emulator-portal.ts';
import { installThroughOAuth } from './install.ts';
import { demoParams, type DemoParams } from './params.ts';
import { ProgressView, progressLines, type ProgressSink, type ProgressTotals } from './progress.ts';
import { fetchStatuses } from './status-client.ts';
import { pollUntilLive } from './poll-until-live.ts';
import {
  DEMO_SALESFORCE_APP,
  restoreWrittenSalesforceScores,
  startDemoOrg,
  type DemoOrg,
} from './salesforce-org.ts';
import type { SalesforceDemo } from './salesforce-demo.ts';

export type { SalesforceDemo } from './salesforce-demo.ts';
import type { PipelinePhase, TenantStatus } from '../app/pipeline/index.ts';

export interface SandboxDemoOptions {
  /** Passed to buildRuntime; the HubSpot and Salesforce apps are always the emulators'. */
  readonly runtime?: Omit<RuntimeOptions, 'hubspot' | 'salesforce'>;
  /** Default: process.stderr. */
  readonly progress?: ProgressSink;
  /** Longest wait for both tenants to be `live`; default 15 minutes. */
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
  readonly params: DemoParams;
  readonly tenantId: string;
  readonly apiKey: string;
  /** True when this start found the HubSpot tenant of a previous run. */
  readonly resumed: boolean;
  readonly salesforce: SalesforceDemo;
  /** A contact to open on the sandbox record page, the highest scored one. */
  readonly contactId: string;
  readonly contactUrl: string;
  readonly msToLive: number;
  /** What `npm start` prints after the runtime banner. */
  readonly lines: readonly string[];
  /** The runtime's closers, then the emulators' (the worker may still be calling them). */
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

/** Both tenants' statuses as one: live when both are, stopped when one is, else still working. */
interface DemoStatus {
  readonly phase: PipelinePhase;
  readonly tenants: readonly TenantStatus[];
}

function combined(tenants: readonly TenantStatus[], expected: number): DemoStatus {
  const phases = tenants.map((t) => t.phase);
  let phase: PipelinePhase;
  if (phases.includes('stopped')) phase = 'stopped';
  else if (tenants.length >= expected && phases.every((p) => p === 'live')) phase = 'live';
  else phase = phases.find((p) => p !== 'live') ?? 'installing';
  return { phase, tenants };
}

async function waitForLive(
  baseUrl: string,
  apiKey: string,
  totals: Readonly<Record<string, ProgressTotals>>,
  options: SandboxDemoOptions,
): Promise<void> {
  const view = new ProgressView(options.progress ?? process.stderr);
  try {
    await pollUntilLive<DemoStatus>({
      fetchStatus: async () => combined(await fetchStatuses(baseUrl, apiKey), Object.keys(totals).length),
      onStatus: (status) => {
        view.show(progressLines(status.tenants, totals));
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

/** The highest scored record of a Salesforce object, as the org holds it (the written field). */
function topScored(demo: DemoOrg, object: 'Lead' | 'Contact'): string {
  const open = object === 'Lead' ? 'IsConverted = false AND ' : '';
  const [top] = demo.org.query(
    `SELECT Id FROM ${object} WHERE ${open}Leadgate_Score__c != null ORDER BY Leadgate_Score__c DESC, Id LIMIT 1`,
  );
  const id = top?.['Id'] ?? demo.personIds.find((p) => demo.objectOf(p) === object);
  if (typeof id !== 'string') throw new Error(`the demo org has no ${object}`);
  return id;
}

/**
 * Connects the org through /install/salesforce, as an admin would; on a resumed demo the tenant is
 * found again (no second backfill) and the scores leadgate had written are put back on the records.
 */
async function connectSalesforce(
  runtime: Runtime,
  demo: DemoOrg,
): Promise<{ tenantId: string; resumed: boolean; restored: number }> {
  const { store } = runtime;
  const resumed = (await store.findTenantByExternalId('salesforce', demo.org.id)) !== undefined;
  await installThroughOAuth(runtime.urls.base, '/install/salesforce');
  const tenant = await store.findTenantByExternalId('salesforce', demo.org.id);
  if (tenant === undefined) throw new Error(`the install did not create a tenant for org ${demo.org.id}`);
  const restored = resumed ? await restoreWrittenSalesforceScores(store, tenant.id, demo) : 0;
  return { tenantId: tenant.id, resumed, restored };
}

/**
 * The demo key is the HubSpot tenant's admin key; granting it the Salesforce tenant (viewer) lets
 * one GET /api/v1/status show both. Granted once, audited in the granted tenant's chain.
 */
async function grantDemoKey(
  runtime: Runtime,
  key: { tenantId: string; keyId: string },
  tenantId: string,
  now: number,
): Promise<void> {
  const { store } = runtime;
  const grants = await store.listApiKeyGrants(key.tenantId, key.keyId);
  if (grants.some((g) => g.tenantId === tenantId)) return;
  await store.grantApiKey({
    tenantId,
    keyTenantId: key.tenantId,
    keyId: key.keyId,
    role: 'viewer',
    createdAt: now,
  });
  await appendAudit(
    store,
    {
      tenantId,
      actor: 'system:sandbox-demo',
      action: 'apikey.grant',
      subject: `apikey:${key.keyId}`,
      details: { keyTenantId: key.tenantId, role: 'viewer', scope: 'status' },
    },
    now,
  );
}

async function prepare(
  config: Config,
  portal: DemoPortal,
  org: DemoOrg,
  options: SandboxDemoOptions,
): Promise<Runtime> {
  const { emulator } = portal;
  const runtime = await buildRuntime(config, {
    ...options.runtime,
    hubspot: {
      clientId: emulator.app.clientId,
      clientSecret: emulator.app.clientSecret,
      basePath: emulator.url,
      authorizeUrl: `${emulator.url}/oauth/authorize`,
      appId: emulator.app.appId,
    },
    salesforce: { ...DEMO_SALESFORCE_APP, loginUrl: org.emulator.url },
  });
  // The callback URL is known once the server listens (port 0 in tests).
  org.emulator.registerConnectedApp({
    ...DEMO_SALESFORCE_APP,
    redirectUris: [`${runtime.publicUrl()}/install/salesforce/callback`],
  });
  return runtime;
}

/**
 * The sandbox demo behind `npm start` (issue 4 item 9, issue 5 item 8): both emulators, a seeded
 * HubSpot portal and Salesforce org, leadgate installed into each through the real OAuth flows,
 * HubSpot webhooks and Salesforce change events pointed at us, and a wait until both backfills are
 * scored and written. A second start on the same data folder rebuilds the same portal and org, finds
 * the same tenants, puts back the scores it had written, and re-authorizes (the emulators' tokens
 * lived in memory only).
 */
export async function runSandboxDemo(config: Config, options: SandboxDemoOptions = {}): Promise<SandboxDemo> {
  const started = Date.now();
  const params = demoParams(readSandboxFile(config.dataDir), config.sandboxDemo, started);
  const closed = new Map<string, Promise<void>>();
  // Once each: a shutdown signal and a failed start may both get here.
  const emulatorCloser = (name: string, close: () => Promise<void>): Closer => ({
    name,
    close: () => {
      const done = closed.get(name) ?? close();
      closed.set(name, done);
      return done;
    },
  });
  const portal = await startDemoPortal(params, config.sandboxDemo.hubspotPort);
  const emulatorClosers: Closer[] = [emulatorCloser('hubspot emulator', () => portal.emulator.close())];
  const closeEmulators = async (): Promise<void> => {
    for (const c of emulatorClosers) await c.close();
  };
  let runtime: Runtime | undefined;
  try {
    const org = await startDemoOrg(
      { seed: params.seed, people: params.salesforcePeople, now: params.now },
      config.sandboxDemo.salesforcePort,
    );
    emulatorClosers.push(emulatorCloser('salesforce emulator', () => org.emulator.close()));
    runtime = await prepare(config, portal, org, options);
    options.onStarted?.({ runtime, closers: [...runtime.closers, ...emulatorClosers] });
    const { store, logger } = runtime;
    const portalId = String(portal.portal.id);
    const resumed = (await store.findTenantByExternalId('hubspot', portalId)) !== undefined;
    // A re-install on resume is idempotent: the same tenant, new tokens, no second backfill.
    await installThroughOAuth(runtime.urls.base, '/install/hubspot');
    const tenant = await store.findTenantByExternalId('hubspot', portalId);
    if (tenant === undefined) throw new Error(`the install did not create a tenant for portal ${portalId}`);
    const restored = resumed ? await restoreWrittenScores(store, tenant.id, portal.portal) : 0;
    const sf = await connectSalesforce(runtime, org);
    const keyDeps = {
      store,
      dataDir: config.dataDir,
      audit: async (entry: AuditEntry) => {
        await appendAudit(store, entry, entry.at);
      },
      now: Date.now(),
    };
    const { apiKey } = await ensureTenantAdminKey(keyDeps, tenant.id);
    const keyId = parseApiKey(apiKey)?.keyId ?? '';
    await grantDemoKey(runtime, { tenantId: tenant.id, keyId }, sf.tenantId, Date.now());
    portal.emulator.webhooks.configure({
      // The webhook target with its path secret, as webhooks-hsmeta.json registers it in production.
      targetUrl: webhookUrl(runtime.publicUrl(), portal.emulator.app.clientSecret),
      subscriptions: demoSubscriptions(),
    });
    mergeSandboxFile(config.dataDir, {
      hubspot: {
        baseUrl: portal.emulator.url,
        portalId: portal.portal.id,
        accessToken: portal.portal.privateAppToken,
      },
      salesforce: {
        instanceUrl: org.emulator.url,
        orgId: org.org.id,
        // A session of the emulator's own app (not leadgate's): changes made with it are not ours,
        // so their change events reach leadgate like an SDR's edit would.
        accessToken: org.org.issueToken().accessToken,
      },
      apiKey,
      demo: params,
    });
    logger.info('sandbox demo installed', {
      portalId: portal.portal.id,
      tenantId: tenant.id,
      resumed,
      restored,
      orgId: org.org.id,
      salesforceTenantId: sf.tenantId,
      salesforceResumed: sf.resumed,
      salesforceRestored: sf.restored,
    });

    await waitForLive(
      runtime.urls.base,
      apiKey,
      {
        hubspot: { contacts: portal.data.contacts.length, scorable: scorableCount(portal) },
        salesforce: org.totals(),
      },
      options,
    );
    const msToLive = Date.now() - started;
    logger.info('sandbox demo live', {
      portalId: portal.portal.id,
      tenantId: tenant.id,
      orgId: org.org.id,
      salesforceTenantId: sf.tenantId,
      msToLive,
    });
    const contactId = topContact(portal);
    const contactUrl = `${runtime.urls.base}/sandbox/contacts/${contactId}?portalId=${portalId}`;
    const leadId = topScored(org, 'Lead');
    const sfContactId = topScored(org, 'Contact');
    const salesforce: SalesforceDemo = {
      org,
      tenantId: sf.tenantId,
      resumed: sf.resumed,
      leadId,
      leadUrl: `${runtime.urls.base}/sandbox/salesforce/leads/${leadId}?orgId=${org.org.id}`,
      contactId: sfContactId,
      contactUrl: `${runtime.urls.base}/sandbox/salesforce/contacts/${sfContactId}?orgId=${org.org.id}`,
    };
    const closers = [...runtime.closers, ...emulatorClosers];
    const rt = runtime;
    return {
      runtime,
      portal,
      params,
      tenantId: tenant.id,
      apiKey,
      resumed,
      salesforce,
      contactId,
      contactUrl,
      msToLive,
      lines: demoLines({
        runtime,
        portal,
        salesforce,
        apiKey,
        contactUrl,
        msToLive,
        resumed,
        file: sandboxFilePath(config.dataDir),
      }),
      closers,
      close: async () => {
        await rt.close();
        await closeEmulators();
      },
    };
  } catch (err) {
    await runtime?.close();
    await closeEmulators();
    throw err;
  }
}
