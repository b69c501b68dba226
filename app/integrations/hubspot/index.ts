// The HubSpot integration's only door: the integration value the runtime lists, and what tests,
// the CLI and the demo need of its parts (OAuth client, tokens, install and webhook routes).
export { hubspotIntegration } from './integration.ts';
export type { HubSpotIntegration, HubSpotSettings } from './integration.ts';
export {
  createHubSpotOAuthClient,
  HUBSPOT_API_BASE,
  HUBSPOT_AUTHORIZE_URL,
  InvalidGrantError,
} from './oauth-client.ts';
export type { HubSpotOAuthClient, OAuthClientSettings, TokenGrant } from './oauth-client.ts';
export {
  HUBSPOT_CREDENTIAL,
  REFRESH_MARGIN_MS,
  hubspotTokenProvider,
  loadTokens,
  markTokensRevoked,
  saveTokens,
  tokenSetOf,
} from './tokens.ts';
export type { TokenSet, TokenStore } from './tokens.ts';
export { createConnectorFactory } from './connector-factory.ts';
export type { ConnectorFactoryDeps, ConnectorFor } from './connector-factory.ts';
export {
  installRoutes,
  completeInstall,
  authorizeUrl,
  INSTALL_PATH,
  CALLBACK_PATH,
  BACKFILL_KEY,
} from './install-routes.ts';
export type { InstallRouteDeps, InstallResult, InstallStore } from './install-routes.ts';
export { webhookRoutes, handleEvents } from './webhook-routes.ts';
export {
  WEBHOOK_BASE_PATH,
  WEBHOOK_ROUTE,
  isWebhookPathSecret,
  webhookPath,
  webhookPathSecret,
  webhookUrl,
} from './webhook-path.ts';
export type { WebhookRouteDeps, WebhookStore, WebhookSummary } from './webhook-routes.ts';
export { classifyEvent, eventKey, OWN_PROPERTY_PREFIX } from './webhook-classify.ts';
export type { EventAction } from './webhook-classify.ts';
export { EVENTS_SCHEMA } from './webhook-schema.ts';
export type { HubSpotEvent } from './webhook-schema.ts';
