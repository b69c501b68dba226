// The crm folder's only door: OAuth token calls, the token provider and the connector factory.
export {
  createHubSpotOAuthClient,
  HUBSPOT_API_BASE,
  HUBSPOT_AUTHORIZE_URL,
  InvalidGrantError,
} from './hubspot/oauth-client.ts';
export type { HubSpotOAuthClient, OAuthClientSettings, TokenGrant } from './hubspot/oauth-client.ts';
export {
  HUBSPOT_CREDENTIAL,
  REFRESH_MARGIN_MS,
  hubspotTokenProvider,
  loadTokens,
  markTokensRevoked,
  saveTokens,
  tokenSetOf,
} from './hubspot/tokens.ts';
export type { TokenSet, TokenStore } from './hubspot/tokens.ts';
export { createConnectorFactory } from './hubspot/connector-factory.ts';
export type { ConnectorFactoryDeps, ConnectorFor } from './hubspot/connector-factory.ts';
export {
  createSalesforceOAuthClient,
  newPkce,
  parseIdentityUrl,
  SalesforceInvalidGrantError,
  SALESFORCE_API_VERSION,
  SALESFORCE_LOGIN_URL,
} from './salesforce/oauth-client.ts';
export type {
  Pkce,
  SalesforceGrant,
  SalesforceOAuthClient,
  SalesforceOAuthSettings,
} from './salesforce/oauth-client.ts';
export {
  SALESFORCE_CREDENTIAL,
  loadSalesforceSession,
  saveSalesforceSession,
  salesforceTokenProvider,
  sessionOf,
} from './salesforce/tokens.ts';
export type { SalesforceFlow, SalesforceSession, SalesforceTokenDeps } from './salesforce/tokens.ts';
export { createSalesforceConnectorFactory } from './salesforce/connector-factory.ts';
export type { SalesforceConnectorFactoryDeps, SalesforceConnectorFor } from './salesforce/connector-factory.ts';
export {
  jwtGrant,
  jwtGrantWithKey,
  loadJwtKey,
  saveJwtKey,
  SALESFORCE_JWT_CREDENTIAL,
} from './salesforce/jwt.ts';
export type { SalesforceJwtSettings, SalesforceJwtKey } from './salesforce/jwt.ts';
export {
  subscribeSalesforceCdc,
  isOwnChange,
  CDC_CHANNEL,
  CDC_CURSOR_STREAM,
  WATCHED_ENTITIES,
} from './salesforce/change-events.ts';
export type { CdcDeps, CdcHeader, CdcStore, CdcSubscription } from './salesforce/change-events.ts';
export { createCdcManager } from './salesforce/change-event-manager.ts';
export type { CdcManager } from './salesforce/change-event-manager.ts';
