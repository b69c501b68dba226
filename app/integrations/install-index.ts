// The install folder's only door: the HubSpot OAuth install routes and their state handling.
export {
  installRoutes,
  completeInstall,
  authorizeUrl,
  INSTALL_PATH,
  CALLBACK_PATH,
  BACKFILL_KEY,
} from './hubspot/install-routes.ts';
export type { InstallRouteDeps, InstallResult, InstallStore } from './hubspot/install-routes.ts';
export { issueState, consumeState, STATE_TTL_MS } from './oauth-state.ts';
export {
  salesforceInstallRoutes,
  completeSalesforceConnect,
  SALESFORCE_INSTALL_PATH,
  SALESFORCE_CALLBACK_PATH,
} from './salesforce/install-routes.ts';
export type {
  SalesforceInstallDeps,
  SalesforceInstallResult,
  SalesforceInstallStore,
} from './salesforce/install-routes.ts';
export { issuePkceState, takePkceState } from './salesforce/pkce-state.ts';
