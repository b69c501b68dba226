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
export {
  createSalesforceOAuthClient,
  newPkce,
  parseIdentityUrl,
  SalesforceInvalidGrantError,
  SALESFORCE_API_VERSION,
  SALESFORCE_LOGIN_URL,
} from './salesforce-oauth.ts';
export type {
  Pkce,
  SalesforceGrant,
  SalesforceOAuthClient,
  SalesforceOAuthSettings,
} from './salesforce-oauth.ts';
export {
  SALESFORCE_CREDENTIAL,
  loadSalesforceSession,
  saveSalesforceSession,
  salesforceTokenProvider,
  sessionOf,
} from './salesforce-tokens.ts';
export type { SalesforceFlow, SalesforceSession, SalesforceTokenDeps } from './salesforce-tokens.ts';
export { createSalesforceConnectorFactory } from './salesforce-connectors.ts';
export type { SalesforceConnectorFactoryDeps, SalesforceConnectorFor } from './salesforce-connectors.ts';
export {
  jwtGrant,
  jwtGrantWithKey,
  loadJwtKey,
  saveJwtKey,
  SALESFORCE_JWT_CREDENTIAL,
} from './salesforce-jwt.ts';
export type { SalesforceJwtSettings, SalesforceJwtKey } from './salesforce-jwt.ts';
export {
  subscribeSalesforceCdc,
  isOwnChange,
  CDC_CHANNEL,
  CDC_CURSOR_STREAM,
  WATCHED_ENTITIES,
} from './salesforce-cdc.ts';
export type { CdcDeps, CdcHeader, CdcStore, CdcSubscription } from './salesforce-cdc.ts';
export { createCdcManager } from './salesforce-cdc-manager.ts';
export type { CdcManager } from './salesforce-cdc-manager.ts';
