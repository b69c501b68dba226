import { Router } from 'express';
import type { Connector } from '../../../connectors/index.ts';
import { newPkce, type SalesforceGrant, type SalesforceOAuthClient } from './oauth-client.ts';
import { saveSalesforceSession, sessionOf, type SalesforceFlow } from './tokens.ts';
import type { Logger } from '../../kit/logging/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import { HttpError } from '../../kit/http/index.ts';
import type { AuditAppend } from '../../kit/audit/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { Store, Tenant } from '../../kit/store/index.ts';
import { finishConnect, oneQuery, sendPage, tenantFor } from '../connect.ts';
import { issuePkceState, takePkceState } from './pkce-state.ts';

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

/**
 * Shared tail of both connect flows: tenant, encrypted session, schema (fields, permission set, its
 * assignment, and a query proving the fields are readable before the first write), one backfill, audit.
 */
export async function completeSalesforceConnect(
  deps: Omit<SalesforceInstallDeps, 'oauth' | 'publicUrl' | 'logger'>,
  grant: SalesforceGrant,
  flow: SalesforceFlow,
  username: string | null,
  /** Runs once the tenant exists and its session is saved, before the schema work (JWT: store the key). */
  beforeSchema?: (tenant: Tenant) => Promise<void>,
): Promise<SalesforceInstallResult> {
  const now = deps.clock.now();
  const { tenant, created } = await tenantFor(
    deps.store,
    'salesforce',
    grant.orgId,
    `Salesforce org ${grant.orgId}`,
    now,
  );
  await saveSalesforceSession(deps.store, deps.ring, tenant.id, sessionOf(grant, flow, username, now), now);
  await beforeSchema?.(tenant);
  const backfillQueued = await finishConnect(deps, tenant, await deps.connectorFor(tenant), {
    crm: 'salesforce',
    orgId: grant.orgId,
    flow,
    created,
  });
  return { tenant, created, backfillQueued };
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
