import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Connector } from '../../connectors/index.ts';
import {
  newPkce,
  saveSalesforceSession,
  sessionOf,
  type SalesforceFlow,
  type SalesforceGrant,
  type SalesforceOAuthClient,
} from '../crm/index.ts';
import type { Logger } from '../logging/index.ts';
import type { KeyRing } from '../secrets/index.ts';
import { HttpError } from '../server/errors.ts';
import type { AuditAppend, Clock } from '../server/types.ts';
import { StoreError, type Store, type Tenant } from '../store/index.ts';
import { installPage } from './pages.ts';
import { BACKFILL_KEY } from './routes.ts';
import { issuePkceState, takePkceState } from './salesforce-state.ts';

export const SALESFORCE_INSTALL_PATH = '/install/salesforce';
export const SALESFORCE_CALLBACK_PATH = '/install/salesforce/callback';

export type SalesforceInstallStore = Pick<
  Store,
  | 'saveOAuthState'
  | 'takeOAuthState'
  | 'findTenantByExternalId'
  | 'createTenant'
  | 'setTenantStatus'
  | 'putCredential'
  | 'enqueueJob'
>;

export interface SalesforceInstallDeps {
  readonly store: SalesforceInstallStore;
  readonly ring: KeyRing;
  readonly oauth: SalesforceOAuthClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditAppend;
  /** LEADGATE_PUBLIC_URL without trailing slash; the callback is registered on the connected app. */
  readonly publicUrl: () => string;
  readonly connectorFor: (tenant: Tenant) => Connector | Promise<Connector>;
  /** Called once the org is connected (the runtime starts its change-event subscription). */
  readonly onConnected?: (tenant: Tenant) => void;
}

export interface SalesforceInstallResult {
  readonly tenant: Tenant;
  readonly created: boolean;
  readonly backfillQueued: boolean;
}

async function tenantFor(
  store: SalesforceInstallStore,
  orgId: string,
  now: number,
): Promise<{ tenant: Tenant; created: boolean }> {
  const existing = await store.findTenantByExternalId('salesforce', orgId);
  if (existing !== undefined) {
    // Reconnecting an org after revoked tokens makes the tenant live again.
    if (existing.status !== 'active') await store.setTenantStatus(existing.id, 'active');
    return { tenant: { ...existing, status: 'active' }, created: false };
  }
  try {
    const tenant = await store.createTenant(
      { crm: 'salesforce', externalId: orgId, name: `Salesforce org ${orgId}` },
      now,
    );
    return { tenant, created: true };
  } catch (err) {
    // Two callbacks for one org at once: the other one created it.
    if (!(err instanceof StoreError && err.code === 'conflict')) throw err;
    const raced = await store.findTenantByExternalId('salesforce', orgId);
    if (raced === undefined) throw err;
    return { tenant: raced, created: false };
  }
}

/**
 * Shared tail of both connect flows: tenant, encrypted session, schema (fields, permission set, its
 * assignment, and a query proving the fields are readable before the first write), one backfill, audit.
 */
export async function completeSalesforceConnect(
  deps: Omit<SalesforceInstallDeps, 'oauth' | 'publicUrl' | 'logger'>,
  grant: SalesforceGrant,
  flow: SalesforceFlow,
  username: string | null,
): Promise<SalesforceInstallResult> {
  const now = deps.clock.now();
  const { tenant, created } = await tenantFor(deps.store, grant.orgId, now);
  await saveSalesforceSession(deps.store, deps.ring, tenant.id, sessionOf(grant, flow, username, now), now);
  const connector = await deps.connectorFor(tenant);
  await connector.ensureSchema();
  const { created: backfillQueued } = await deps.store.enqueueJob(
    { tenantId: tenant.id, type: 'backfill', payload: {}, idempotencyKey: BACKFILL_KEY },
    deps.clock.now(),
  );
  await deps.audit({
    tenantId: tenant.id,
    actor: 'system:install',
    action: 'install',
    subject: `tenant:${tenant.id}`,
    details: { crm: 'salesforce', orgId: grant.orgId, flow, created, backfillQueued },
    at: deps.clock.now(),
  });
  return { tenant, created, backfillQueued };
}

function oneQuery(req: Request, name: string): string | undefined {
  const v: unknown = req.query[name];
  return typeof v === 'string' && v !== '' && v.length <= 2048 ? v : undefined;
}

function sendPage(res: Response, status: number, title: string, lines: readonly string[]): void {
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).type('html').send(installPage(title, lines));
}

/** GET /install/salesforce (web-server flow with PKCE) and its callback (salesforce.md §1.2, §1.3). */
export function salesforceInstallRoutes(deps: SalesforceInstallDeps): Router {
  const router = Router();
  const redirectUri = (): string => `${deps.publicUrl()}${SALESFORCE_CALLBACK_PATH}`;

  router.get(SALESFORCE_INSTALL_PATH, async (_req, res) => {
    const pkce = newPkce();
    const state = await issuePkceState(deps.store, deps.ring, pkce.verifier, deps.clock.now());
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, deps.oauth.authorizeUrl(redirectUri(), state, pkce.verifier));
  });

  router.get(SALESFORCE_CALLBACK_PATH, async (req, res) => {
    const state = oneQuery(req, 'state');
    // Salesforce redirects with ?error=…&error_description=… when the user declines or the app is
    // not installed in the org (salesforce.md §1.6); the state is spent either way.
    const error = oneQuery(req, 'error');
    if (error !== undefined) {
      deps.logger.info('salesforce install declined', { error });
      if (state !== undefined) await takePkceState(deps.store, deps.ring, state, deps.clock.now());
      sendPage(res, 400, 'leadgate was not connected', [
        `Salesforce answered: ${oneQuery(req, 'error_description') ?? error}.`,
        'Nothing was stored. An administrator may need to install the leadgate app in the org first.',
      ]);
      return;
    }
    const taken =
      state === undefined
        ? { outcome: 'unknown' as const }
        : await takePkceState(deps.store, deps.ring, state, deps.clock.now());
    if (taken.outcome !== 'ok') {
      throw new HttpError(
        'bad_request',
        'The install state is missing, expired or already used: start the install again.',
      );
    }
    const code = oneQuery(req, 'code');
    if (code === undefined) throw new HttpError('bad_request', 'The callback has no authorization code.');
    const grant = await deps.oauth.exchangeCode(code, redirectUri(), taken.verifier);
    const result = await completeSalesforceConnect(deps, grant, 'web', null);
    deps.onConnected?.(result.tenant);
    deps.logger.info('salesforce connected', { tenantId: result.tenant.id, created: result.created });
    sendPage(res, 200, 'leadgate is connected', [
      `Salesforce org ${result.tenant.externalId} is connected.`,
      'Leads and contacts are being synced and scored; scores appear in the Leadgate fields within minutes.',
    ]);
  });

  return router;
}
