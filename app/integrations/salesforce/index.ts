// The Salesforce integration's only door: the integration value the runtime lists, and what tests,
// the CLI and the demo need of its parts (OAuth and JWT clients, sessions, install routes, change events).
export { salesforceIntegration } from './integration.ts';
export type { SalesforceIntegration, SalesforceSettings } from './integration.ts';
export {
  createSalesforceOAuthClient,
  newPkce,
  parseIdentityUrl,
  SalesforceInvalidGrantError,
  SALESFORCE_API_VERSION,
  SALESFORCE_LOGIN_URL,
} from './oauth-client.ts';
export type {
  Pkce,
  SalesforceGrant,
  SalesforceOAuthClient,
  SalesforceOAuthSettings,
} from './oauth-client.ts';
export {
  SALESFORCE_CREDENTIAL,
  loadSalesforceSession,
  saveSalesforceSession,
  salesforceTokenProvider,
  sessionOf,
} from './tokens.ts';
export type { SalesforceFlow, SalesforceSession, SalesforceTokenDeps } from './tokens.ts';
export { createSalesforceConnectorFactory } from './connector-factory.ts';
export type { SalesforceConnectorFactoryDeps, SalesforceConnectorFor } from './connector-factory.ts';
export { jwtGrant, jwtGrantWithKey, loadJwtKey, saveJwtKey, SALESFORCE_JWT_CREDENTIAL } from './jwt.ts';
export type { SalesforceJwtSettings, SalesforceJwtKey } from './jwt.ts';
export {
  subscribeSalesforceCdc,
  isOwnChange,
  CDC_CHANNEL,
  CDC_CURSOR_STREAM,
  WATCHED_ENTITIES,
  IDS_PER_JOB,
  TARGETED_ATTEMPTS,
} from './change-events.ts';
export type { CdcDeps, CdcHeader, CdcStore, CdcSubscription } from './change-events.ts';
export { createCdcManager, resubscribeDelayMs } from './change-event-manager.ts';
export type { CdcManager, CdcManagerDeps } from './change-event-manager.ts';
export {
  salesforceInstallRoutes,
  completeSalesforceConnect,
  SALESFORCE_INSTALL_PATH,
  SALESFORCE_CALLBACK_PATH,
} from './install-routes.ts';
export type {
  SalesforceInstallDeps,
  SalesforceInstallResult,
  SalesforceInstallStore,
} from './install-routes.ts';
export { issuePkceState, takePkceState } from './pkce-state.ts';
export { connectSalesforceJwt, jwtRefusal, parseJwtConnectInput } from './jwt-connect.ts';
export type { SalesforceJwtConnectDeps, SalesforceJwtConnectInput } from './jwt-connect.ts';
