// The crm folder's only door: OAuth token calls, the token provider and the connector factory.
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
export { createConnectorFactory } from './connectors.ts';
export type { ConnectorFactoryDeps, ConnectorFor } from './connectors.ts';
