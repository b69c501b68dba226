import type { CrmIntegration, IntegrationContext } from '../types.ts';
import { createConnectorFactory, type ConnectorFor } from './connector-factory.ts';
import { installRoutes } from './install-routes.ts';
import {
  createHubSpotOAuthClient,
  type HubSpotOAuthClient,
  type OAuthClientSettings,
} from './oauth-client.ts';
import { webhookRoutes } from './webhook-routes.ts';

/**
 * The HubSpot public app: OAuth client settings, and its app id: webhook events naming another app
 * are refused, and changes attributed to ours are not rescored.
 */
export type HubSpotSettings = OAuthClientSettings & { readonly appId: number };

export interface HubSpotIntegration extends CrmIntegration {
  readonly kind: 'hubspot';
  readonly oauth: HubSpotOAuthClient;
  readonly connectorFor: ConnectorFor;
}

/**
 * HubSpot on our side: OAuth install (/install/hubspot), signed webhooks (/webhooks/hubspot/<path
 * secret>, webhook-path.ts) and one connector per portal. `settings` overrides
 * HUBSPOT_CLIENT_ID/SECRET/APP_ID (the sandbox passes the emulator's app and host); with neither,
 * HubSpot is not offered and nothing is mounted.
 */
export function hubspotIntegration(
  ctx: IntegrationContext,
  settings?: HubSpotSettings,
): HubSpotIntegration | undefined {
  const chosen = settings ?? (ctx.config.hubspot === null ? undefined : { ...ctx.config.hubspot });
  if (chosen === undefined) return undefined;
  const oauth = createHubSpotOAuthClient(chosen);
  const connectorFor = createConnectorFactory({
    store: ctx.store,
    ring: ctx.ring,
    hubspot: oauth,
    clock: ctx.clock,
    audit: ctx.audit,
    sleep: ctx.sleep,
  });
  const install = installRoutes({
    store: ctx.store,
    ring: ctx.ring,
    hubspot: oauth,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit,
    publicUrl: ctx.publicUrl,
    connectorFor,
  });
  const webhooks = webhookRoutes({
    store: ctx.store,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit,
    publicUrl: ctx.publicUrl,
    clientSecret: oauth.clientSecret,
    appId: chosen.appId,
    maxBodyBytes: ctx.config.maxBodyBytes,
  });
  return {
    kind: 'hubspot',
    oauth,
    connectorFor,
    routers: [install, webhooks],
    // Webhooks arrive over HTTP; the incremental sweep is the pipeline's. Nothing else to run.
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
