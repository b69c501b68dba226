import { Router } from 'express';
import { HUBSPOT_SCOPES } from '../../../connectors/hubspot/index.ts';
import type { Connector } from '../../../connectors/index.ts';
import type { HubSpotOAuthClient } from './oauth-client.ts';
import { saveTokens, tokenSetOf } from './tokens.ts';
import type { Logger } from '../../kit/logging/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import { HttpError } from '../../kit/http/index.ts';
import type { AuditAppend } from '../../kit/audit/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { Store, Tenant } from '../../kit/store/index.ts';
import { finishConnect, oneQuery, sendPage, tenantFor } from '../connect.ts';
import { consumeState, issueState } from '../oauth-state.ts';

export const INSTALL_PATH = '/install/hubspot';
export const CALLBACK_PATH = '/install/hubspot/callback';
export { BACKFILL_KEY } from '../connect.ts';

export type InstallStore = Pick<
  Store,
  | 'saveOAuthState'
  | 'consumeOAuthState'
  | 'findTenantByExternalId'
  | 'createTenant'
  | 'setTenantStatus'
  | 'putCredential'
  | 'enqueueJob'
>;

export interface InstallRouteDeps {
  readonly store: InstallStore;
  readonly ring: KeyRing;
  readonly hubspot: HubSpotOAuthClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditAppend;
  /** LEADGATE_PUBLIC_URL without trailing slash; the redirect URI is registered on the HubSpot app. */
  readonly publicUrl: () => string;
  readonly connectorFor: (tenant: Tenant) => Connector | Promise<Connector>;
}

export interface InstallResult {
  readonly tenant: Tenant;
  readonly created: boolean;
  readonly backfillQueued: boolean;
}

/** HubSpot wants scopes "separated by URL-encoded spaces (%20)" (hubspot.md §1.1), not `+`. */
export function authorizeUrl(hubspot: HubSpotOAuthClient, redirectUri: string, state: string): string {
  const q = [
    ['client_id', hubspot.clientId],
    ['scope', HUBSPOT_SCOPES.join(' ')],
    ['redirect_uri', redirectUri],
    ['state', state],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v ?? '')}`)
    .join('&');
  return `${hubspot.authorizeUrl}?${q}`;
}

/** The callback's work after the state checked out: tokens, tenant, schema, backfill, audit. */
export async function completeInstall(deps: InstallRouteDeps, code: string): Promise<InstallResult> {
  const redirectUri = `${deps.publicUrl()}${CALLBACK_PATH}`;
  const grant = await deps.hubspot.exchangeCode(code, redirectUri);
  const portalId = await deps.hubspot.portalIdOf(grant.accessToken);
  const now = deps.clock.now();
  const externalId = String(portalId);
  const { tenant, created } = await tenantFor(
    deps.store,
    'hubspot',
    externalId,
    `HubSpot portal ${externalId}`,
    now,
  );
  await saveTokens(deps.store, deps.ring, tenant.id, tokenSetOf(grant, now), now);
  // Idempotent in the connector: existing group and properties (409) are fine on a re-install.
  const backfillQueued = await finishConnect(deps, tenant, await deps.connectorFor(tenant), {
    crm: 'hubspot',
    portalId,
    created,
  });
  return { tenant, created, backfillQueued };
}

/** GET /install/hubspot and its OAuth callback (hubspot.md §1). */
export function installRoutes(deps: InstallRouteDeps): Router {
  const router = Router();

  router.get(INSTALL_PATH, async (_req, res) => {
    const state = await issueState(deps.store, 'hubspot', deps.clock.now());
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, authorizeUrl(deps.hubspot, `${deps.publicUrl()}${CALLBACK_PATH}`, state));
  });

  router.get(CALLBACK_PATH, async (req, res) => {
    // HubSpot redirects with ?error=…&error_description=… when the user declines (§1.1).
    const error = oneQuery(req, 'error');
    if (error !== undefined) {
      deps.logger.info('hubspot install declined', { error });
      const state = oneQuery(req, 'state');
      if (state !== undefined) await consumeState(deps.store, 'hubspot', state, deps.clock.now());
      sendPage(res, 400, 'leadgate was not installed', [
        `HubSpot answered: ${oneQuery(req, 'error_description') ?? error}.`,
        'Nothing was stored. You can start the installation again from the HubSpot marketplace.',
      ]);
      return;
    }
    const state = oneQuery(req, 'state');
    const outcome =
      state === undefined ? 'unknown' : await consumeState(deps.store, 'hubspot', state, deps.clock.now());
    if (outcome !== 'ok') {
      throw new HttpError(
        'bad_request',
        'The install state is missing, expired or already used: start the install again.',
      );
    }
    const code = oneQuery(req, 'code');
    if (code === undefined) throw new HttpError('bad_request', 'The callback has no authorization code.');
    const result = await completeInstall(deps, code);
    deps.logger.info('hubspot installed', { tenantId: result.tenant.id, created: result.created });
    sendPage(res, 200, 'leadgate is installed', [
      `HubSpot portal ${result.tenant.externalId} is connected.`,
      'Your contacts are being synced and scored; scores appear as leadgate properties within minutes.',
    ]);
  });

  return router;
}
